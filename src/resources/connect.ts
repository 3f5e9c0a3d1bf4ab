import * as z from 'zod/mini';
import type { APIPromise } from '../core/api-promise';
import {
  type CredentialRecord,
  type CredentialStore,
  makeCredentialRecord,
  saveForUser,
} from '../core/credential-store';
import { keepEnvelope } from '../core/envelope';
import {
  FlanksError,
  FlanksLinkStateError,
  FlanksSessionError,
  FlanksValidationError,
  type ReauthToken,
} from '../core/errors';
import type { Paginator } from '../core/pagination';
import { type PollOptions, poll } from '../core/polling';
import type { RequestOptions } from '../core/request-options';
import {
  argumentError,
  checkArg,
  checkPollOptions,
  checkRequestOptions,
  isRecord,
  optionalFunction,
  optionalNumber,
  optionalObject,
  optionalString,
  requireObject,
  requireString,
  requireUserId,
} from '../internal/args';
import { checkSessionBinding, DEFAULT_STATE_TTL_MS, signSessionBinding } from '../internal/link-state';
import type { Transport } from '../internal/transport';
import { one, UnusableResponse } from '../internal/validate';
import { type CursorListParams, cursorList, idList } from './cursor';
import { type RedirectInput, Resource, reauthField, redirectUrl, unwrapData } from './shared';

/*
 * Connect API v2 (BETA at Flanks). Only List Connectors and the start of Create Session are in the
 * archived docs; the Session object, its statuses and error codes come from a third-party client
 * (shared/flanks-api.md §1B, §3.7). So every object keeps unknown fields, enum-like fields are plain
 * strings with the known values in exported tables, and only the fields the SDK relies on
 * (`session_id`, `status`, the URL at creation) are required.
 */

const str = z.optional(z.nullable(z.string()));

// ---------------------------------------------------------------------------------------------
// Schemas and types
// ---------------------------------------------------------------------------------------------

/**
 * Session `status` values known so far (beta; from a third-party client). `Waiting:*` means the user
 * is expected in the Connect widget, `Processing:*` that Flanks is talking to the bank, `Finished:*`
 * that the session is over. Other values may appear; treat unknown ones as "not finished".
 *
 * @example
 * ```ts
 * const done = session.status.startsWith('Finished:');
 * ```
 * @see https://docs.flanks.io/pages/concepts/connect-sessions
 */
export const SESSION_STATUSES = [
  'Waiting:ProvideCredentials',
  'Waiting:Challenge',
  'Processing:ProvideCredentials',
  'Processing:Challenge',
  'Finished:OK',
  'Finished:Error',
] as const;

/**
 * Session `error_code` values known so far (beta; from a third-party client), with what to tell the
 * user. Other values may appear.
 *
 * @example
 * ```ts
 * const hint = SESSION_ERROR_CODES[err.errorCode as keyof typeof SESSION_ERROR_CODES] ?? 'Please try again.';
 * ```
 * @see https://docs.flanks.io/pages/concepts/connect-sessions
 */
export const SESSION_ERROR_CODES = {
  InvalidCredentials: 'The bank rejected the username or password.',
  InvalidChallengeResponse: 'The answer to the bank’s verification step was not correct.',
  UnsupportedChallengeMethod: 'The bank asked for a verification method Flanks does not support yet.',
  UserInteractionNeeded: 'The bank needs the user to complete a step in its own app or website first.',
  InternalError: 'Flanks could not complete the connection; try again later.',
} as const;

/**
 * A Connect v2 session (beta): one visit of a user to the Connect widget, to add a connection, update
 * its credentials or pass an MFA challenge. Single-use.
 *
 * @example
 * ```ts
 * const session: Session = await flanks.connect.getSession(sessionId);
 * if (session.status === 'Finished:OK') console.log(session.connection_id);
 * ```
 * @see https://docs.flanks.io/pages/concepts/connect-sessions
 */
export const SessionSchema = z.looseObject({
  /**
   * Required: `getSession` finds the session by it, and the caller binds the session to its user by
   * it; a session without it cannot be followed.
   */
  session_id: z.string(),
  /** See {@link SESSION_STATUSES}. Required: `waitForSession` decides on it. */
  status: z.string(),
  /**
   * The connection the session produced, once `Finished:OK`. The same value as a v0
   * `credentials_token` (assumed: the docs call the terms interchangeable). Secret.
   */
  connection_id: str,
  /** Why the session failed, once `Finished:Error`; see {@link SESSION_ERROR_CODES}. */
  error_code: str,
  /** The widget URL (field name assumed; present at least when the session is created). */
  url: str,
});
/**
 * A Connect v2 session (beta).
 *
 * @example
 * ```ts
 * const finished: Session[] = await flanks.connect.listSessions({ query: { status_in: ['Finished:OK'] } }).toArray({ limit: 50 });
 * ```
 * @see https://docs.flanks.io/pages/concepts/connect-sessions
 */
export type Session = z.infer<typeof SessionSchema>;

/**
 * What `connect.createSession` returns: the `url` to send the user to, and the session as Flanks sent
 * it. `url` is computed by the SDK: Flanks' name for the widget URL is undocumented, so it is the
 * session's `url`, else `session_url`, `widget_url` or `connect_url` (the first non-empty string);
 * keeping it out of `session` means no field of Flanks' is added or replaced.
 *
 * @example
 * ```ts
 * const { url, session } = await flanks.connect.createSession({ configuration: { redirect_url } });
 * req.session.flanksSessionId = session.session_id;
 * res.redirect(url);
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/connect-api/v2
 */
export interface CreatedSession {
  /** The single-use widget URL (computed by the SDK, see above). */
  url: string;
  /** The session, exactly as Flanks sent it (inside its `{ session }` or `{ data }` envelope, if any). */
  session: Session;
}

/**
 * The `configuration` of a new session (beta). Flanks documents these attributes by name only;
 * anything else you pass (e.g. a connector filter) is sent as is.
 *
 * @example
 * ```ts
 * const configuration: SessionConfiguration = { redirect_url: 'https://app.example.com/flanks/connect', connector_id: 'testbank' };
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/connect-api/v2
 */
export const SessionConfigurationSchema = z.looseObject({
  /** Where the widget sends the user back, with `?session_id=`. */
  redirect_url: z.optional(z.string().check(z.minLength(1))),
  /** Opens the widget on this bank (a connector id from `listConnectors`), skipping the picker. */
  connector_id: z.optional(z.string().check(z.minLength(1))),
  /** The widget's first step (added 2026-04; values undocumented). */
  initial_step: z.optional(z.unknown()),
  /** Your privacy notice for the widget (added 2026-05; shape undocumented). */
  privacy_notice: z.optional(z.unknown()),
});
/**
 * The `configuration` of a new session.
 *
 * @example
 * ```ts
 * await flanks.connect.createSession({ configuration: { redirect_url: 'https://app.example.com/flanks/connect' } });
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/connect-api/v2
 */
export type SessionConfiguration = z.infer<typeof SessionConfigurationSchema>;

/**
 * Argument of `connect.createSession`.
 *
 * @example
 * ```ts
 * const params: CreateSessionParams = { configuration: { redirect_url: 'https://app.example.com/flanks/connect' } };
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/connect-api/v2
 */
export interface CreateSessionParams {
  configuration: SessionConfiguration;
  /**
   * Re-authenticates an existing connection instead of adding one: its `reset_token`
   * (`{ resetToken }`) or `sca_token` (`{ scaToken }`), e.g. from `credentials.reauthToken()` or the
   * `reauth` of a `FlanksCredentialsBlockedError` / `FlanksScaRequiredError`. **Assumed**: Flanks does
   * not document how; the SDK sends it as `configuration.reset_token` / `configuration.sca_token`.
   * See docs/reauthentication.md.
   */
  reauth?: ReauthToken | undefined;
}

/**
 * Filters of `connect.listSessions`, in Flanks' names.
 *
 * @example
 * ```ts
 * const query: SessionQuery = { session_id_in: [sessionId] };
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/connect-api/v2
 */
export const SessionQuerySchema = z.looseObject({
  session_id_in: idList,
  status_in: idList,
  connection_id_in: idList,
  error_code_in: idList,
});
/**
 * Filters of `connect.listSessions`.
 *
 * @example
 * ```ts
 * for await (const s of flanks.connect.listSessions({ query: { status_in: ['Finished:Error'] } })) console.log(s.error_code);
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/connect-api/v2
 */
export type SessionQuery = z.infer<typeof SessionQuerySchema>;

/**
 * A bank (or other institution) the Connect widget can connect: the Connect v2 name for an entity.
 * Only `connector_id` is known for sure; other fields pass through.
 *
 * @example
 * ```ts
 * for await (const c of flanks.connect.listConnectors()) console.log(c.connector_id, c.name);
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/connect-api/v2
 */
export const ConnectorSchema = z.looseObject({
  /** Required: it is what a session's `configuration.connector_id` takes. */
  connector_id: z.string(),
  name: str,
  country: str,
  logo_url: str,
});
/**
 * A connector (bank) of Connect v2.
 *
 * @example
 * ```ts
 * const [testbank]: Connector[] = await flanks.connect.listConnectors({ query: { connector_id_in: ['testbank'] } }).toArray({ limit: 1 });
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/connect-api/v2
 */
export type Connector = z.infer<typeof ConnectorSchema>;

/**
 * Filters of `connect.listConnectors`.
 *
 * @example
 * ```ts
 * const query: ConnectorQuery = { connector_id_in: ['testbank', 'bbva'] };
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/connect-api/v2
 */
export const ConnectorQuerySchema = z.looseObject({ connector_id_in: idList });
/**
 * Filters of `connect.listConnectors`.
 *
 * @example
 * ```ts
 * const query: ConnectorQuery = { connector_id_in: ['testbank'] };
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/connect-api/v2
 */
export type ConnectorQuery = z.infer<typeof ConnectorQuerySchema>;

/**
 * What the Connect widget brought back to your `redirect_url`. The redirect only names the session:
 * whether it worked is read from Flanks (`waitForSession` / `completeSession`), never from the URL.
 *
 * @example
 * ```ts
 * const { sessionId } = flanks.connect.parseRedirect(req.url);
 * ```
 * @see https://docs.flanks.io/pages/concepts/connect-sessions
 */
export interface ConnectRedirect {
  sessionId: string;
  /** Every query parameter of the redirect. */
  params: Record<string, string>;
}

/**
 * Options of `connect.waitForSession` and `connect.completeSession`.
 *
 * @example
 * ```ts
 * await flanks.connect.waitForSession(sessionId, { timeoutMs: 60_000, onSession: (s) => console.log(s.status) });
 * ```
 * @see https://docs.flanks.io/pages/concepts/connect-sessions
 */
export interface WaitForSessionOptions extends PollOptions {
  /** Called with every session read (e.g. for a progress line). */
  onSession?: ((session: Session, attempt: number) => void) | undefined;
  /** Per-request time limit of each read; the overall limit is `timeoutMs`. */
  requestTimeoutMs?: number | undefined;
}

/**
 * Argument of `connect.completeSession`. It needs proof that `userId` started the session: the
 * session id you kept for this user when you created it (`expectedSessionId`), or the binding
 * `connect.bindSession` gave you then (`sessionBinding`). A `session_id` in a redirect proves
 * nothing: anyone can replay another user's.
 *
 * @example
 * ```ts
 * const params: CompleteSessionParams = {
 *   sessionId: redirect.sessionId,
 *   userId: req.user.id,
 *   expectedSessionId: req.session.flanksSessionId, // kept server-side at createSession
 * };
 * ```
 * @see https://docs.flanks.io/pages/integration-example
 */
export interface CompleteSessionParams {
  /** The `session_id` from the redirect. */
  sessionId: string;
  /** Your id for the user completing the session: the logged-in user of the request. */
  userId: string;
  /** The session id `createSession` returned for this user, kept server-side (not in a plain cookie). */
  expectedSessionId?: string | undefined;
  /** What `connect.bindSession({ sessionId, userId })` returned when the session was created. */
  sessionBinding?: string | undefined;
  /** Overrides the client's `store` for this call. */
  store?: CredentialStore | undefined;
}

/**
 * Argument of `connect.bindSession`.
 *
 * @example
 * ```ts
 * const binding = flanks.connect.bindSession({ sessionId: session.session_id, userId: req.user.id });
 * ```
 * @see https://docs.flanks.io/pages/concepts/connect-sessions
 */
export interface BindSessionParams {
  /** The `session_id` of the session you just created for this user. */
  sessionId: string;
  /** Your id for the user the session is for. */
  userId: string;
  /** How long the binding stays valid, in ms: how long the user has to finish. Default 1 hour. */
  ttlMs?: number | undefined;
}

const FINISHED_OK = 'Finished:OK';

/*
 * Terminal statuses are recognised by prefix: `Finished:OK` is success, and any other `Finished:*`
 * (`Finished:Error`, or a value Flanks adds later) is a failure, so a new terminal status ends the
 * wait at once instead of running into the timeout. Every other status keeps polling.
 */
function isFinished(status: string): boolean {
  return status.startsWith('Finished:');
}

function sessionFailure(session: Session): FlanksSessionError {
  const code = session.error_code ?? undefined;
  const hint = code ? SESSION_ERROR_CODES[code as keyof typeof SESSION_ERROR_CODES] : undefined;
  return new FlanksSessionError(
    `The Connect session ended with ${session.status}${code ? ` (${code})` : ''}. ${hint ?? 'Flanks gave no known reason.'} A session cannot be reused: create a new session and send the user to its URL.`,
    { sessionId: session.session_id, errorCode: code, sessionStatus: session.status },
  );
}

/*
 * Create Session's answer is `{ session: {...} }` per the third-party client; a bare session or
 * `{ success, data: {...} }` is accepted too (the envelope stays available through `envelopeOf`).
 * The widget URL's field name is undocumented: `url` is assumed, and a few likely alternatives are
 * read too. Without any URL the session is useless to the caller, so that is an error in every
 * validation mode.
 */
const URL_FIELDS = ['url', 'session_url', 'widget_url', 'connect_url'] as const;

function widgetUrl(session: unknown): string | undefined {
  if (!isRecord(session)) return undefined;
  return URL_FIELDS.map((f) => session[f]).find((v): v is string => typeof v === 'string' && v !== '');
}

function unwrapSession(body: unknown): unknown {
  const session =
    isRecord(body) && isRecord(body.session) && !('session_id' in body)
      ? keepEnvelope(body.session, body, 'session')
      : unwrapData(body);
  if (widgetUrl(session) === undefined) {
    throw new UnusableResponse(
      `a widget URL (a non-empty ${URL_FIELDS.join(', ')})`,
      'response.url',
      `The session created is ${String((session as Record<string, unknown> | null)?.session_id)}. `,
    );
  }
  return session;
}

// ---------------------------------------------------------------------------------------------
// Resource
// ---------------------------------------------------------------------------------------------

/**
 * Connect API v2 (**beta**): sessions that send a user to the Flanks Connect widget, the successor
 * of the Link. Create a session, redirect the user to its single-use `url`, read the `session_id`
 * they come back with, and wait for the session to finish; `completeSession` does the last two and
 * stores the connection like `completeLink` does, once it has checked that the user completing the
 * session is the one it was created for.
 *
 * @example
 * ```ts
 * const { url, session } = await flanks.connect.createSession({ configuration: { redirect_url: 'https://app.example.com/flanks/connect' } });
 * req.session.flanksSessionId = session.session_id; // server-side, for this user
 * res.redirect(url);
 * // … later, on https://app.example.com/flanks/connect?session_id=…
 * const { sessionId } = flanks.connect.parseRedirect(req.url);
 * const record = await flanks.connect.completeSession({
 *   sessionId,
 *   userId: req.user.id,
 *   expectedSessionId: req.session.flanksSessionId,
 * });
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/connect-api/v2
 */
export class Connect extends Resource {
  readonly #store: CredentialStore | undefined;
  /** The key of signed link state, which also signs session bindings (see internal/link-state.ts). */
  readonly #stateKey: Uint8Array;

  /** Built by FlanksClient: use `flanks.connect`. @internal */
  constructor(transport: Transport, store: CredentialStore | undefined, stateKey: Uint8Array) {
    super(transport);
    this.#store = store;
    this.#stateKey = stateKey;
  }

  /**
   * Creates a session and returns its single-use widget `url` with the session as Flanks sent it (see
   * {@link CreatedSession}). Not retried once the request may have reached Flanks: a replay would
   * create a second session. With `reauth`, the session re-authenticates an existing connection
   * (docs/reauthentication.md).
   *
   * @example
   * ```ts
   * const { url, session } = await flanks.connect.createSession({
   *   configuration: { redirect_url: 'https://app.example.com/flanks/connect', connector_id: 'testbank' },
   * });
   * req.session.flanksSessionId = session.session_id;
   * res.redirect(url);
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/connect-api/v2
   */
  createSession(params: CreateSessionParams, options?: RequestOptions): APIPromise<CreatedSession> {
    return this.call(async (call) => {
      const p = requireObject(params, 'params');
      requireObject(p.configuration, 'params.configuration');
      const configuration = checkArg(SessionConfigurationSchema, p.configuration, 'params.configuration');
      const reauth = reauthField(p.reauth, 'params.reauth');
      if (reauth && ('reset_token' in configuration || 'sca_token' in configuration)) {
        throw argumentError(
          'params.reauth',
          'and configuration.reset_token / sca_token both carry a token: pass it once.',
        );
      }
      const { data: session } = await call.request({
        method: 'POST',
        path: '/connect/v2/sessions/create-session',
        body: { configuration: reauth ? { ...configuration, [reauth[0]]: reauth[1] } : configuration },
        secrets: reauth ? [reauth[1]] : undefined,
        idempotent: false,
        response: one('Session', SessionSchema),
        unwrap: unwrapSession,
        options: checkRequestOptions(options),
      });
      return { url: widgetUrl(session) as string, session };
    });
  }

  /**
   * Iterates over your sessions in the order Flanks lists them, optionally filtered.
   *
   * @example
   * ```ts
   * for await (const s of flanks.connect.listSessions({ query: { status_in: ['Finished:Error'] } })) {
   *   console.log(s.session_id, s.error_code);
   * }
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/connect-api/v2
   */
  listSessions(
    params: CursorListParams<SessionQuery> = {},
    options?: RequestOptions,
  ): Paginator<Session, string> {
    return this.#sessions(this.transport, params, options);
  }

  #sessions(transport: Transport, params: unknown, options: unknown): Paginator<Session, string> {
    return cursorList(transport, {
      path: '/connect/v2/sessions/list-sessions',
      name: 'Session',
      item: SessionSchema,
      query: SessionQuerySchema,
      params,
      options,
    });
  }

  /**
   * Iterates over the connectors (banks) the widget offers.
   *
   * @example
   * ```ts
   * const banks = await flanks.connect.listConnectors().toArray({ limit: 500 });
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/connect-api/v2
   */
  listConnectors(
    params: CursorListParams<ConnectorQuery> = {},
    options?: RequestOptions,
  ): Paginator<Connector, string> {
    return cursorList(this.transport, {
      path: '/connect/v2/connectors/list-connectors',
      name: 'Connector',
      item: ConnectorSchema,
      query: ConnectorQuerySchema,
      params,
      options,
    });
  }

  /**
   * Reads one session (List Sessions filtered by `session_id`; Flanks has no "get session").
   * Rejects with a `FlanksError` when Flanks lists no session with that id. `.withResponse()`
   * describes the page that held the session.
   *
   * @example
   * ```ts
   * const { status, connection_id } = await flanks.connect.getSession(sessionId);
   * ```
   * @see https://docs.flanks.io/pages/concepts/connect-sessions
   */
  getSession(sessionId: string, options?: RequestOptions): APIPromise<Session> {
    return this.call(async (call) => {
      const id = requireString(sessionId, 'sessionId');
      checkRequestOptions(options);
      // The filter should leave one item; matching on the id as well keeps a filter Flanks ignored
      // from returning someone else's session.
      for await (const session of this.#sessions(
        call.transport,
        { query: { session_id_in: [id] } },
        options,
      )) {
        if (session.session_id === id) return session;
      }
      throw new FlanksError(
        'Flanks lists no Connect session with this id. Check the session_id your redirect received, and that it was created with the same Flanks application.',
      );
    });
  }

  /**
   * Polls the session (with the poller `credentials.waitUntilReady` uses) until it finishes.
   * Resolves with the session on `Finished:OK` (its `connection_id` is the new connection), rejects
   * with `FlanksSessionError` (carrying `errorCode`) on `Finished:Error`, with `FlanksTimeoutError`
   * after `timeoutMs` (default 5 minutes; the user may still be typing), and with
   * `FlanksAbortError` on `signal`. `.withResponse()` describes the read that ended the wait; its
   * `calls` is the number of polls.
   *
   * @example
   * ```ts
   * const session = await flanks.connect.waitForSession(sessionId, { timeoutMs: 120_000 });
   * const token = session.connection_id; // usable as a credentials token
   * ```
   * @see https://docs.flanks.io/pages/concepts/connect-sessions
   */
  waitForSession(sessionId: string, options: WaitForSessionOptions = {}): APIPromise<Session> {
    return this.call(async (call) => {
      const id = requireString(sessionId, 'sessionId');
      const o = optionalObject(options, 'options') ?? {};
      checkPollOptions(o);
      checkRequestOptions({ signal: o.signal, timeoutMs: o.requestTimeoutMs }, 'options');
      optionalFunction(o.onSession, 'options.onSession');
      const { onSession, requestTimeoutMs } = options;
      return poll({
        ...options,
        what: 'the Connect session to finish',
        check: (signal) => call.track(this.getSession(id, { signal, timeoutMs: requestTimeoutMs })),
        onValue: onSession,
        isDone: (session) => {
          if (!isFinished(session.status)) return false;
          if (session.status !== FINISHED_OK) throw sessionFailure(session);
          return true;
        },
      });
    });
  }

  /**
   * Reads the redirect that brings the user back from the Connect widget: a string URL (absolute, or
   * a path such as Node's `req.url`), a `URL`, a `Request`, or anything with a `url` string. Pure.
   *
   * @throws FlanksValidationError when the URL has no `session_id`.
   * @example
   * ```ts
   * app.get('/flanks/connect', async (req, res) => {
   *   const { sessionId } = flanks.connect.parseRedirect(req.url);
   *   await flanks.connect.completeSession({ sessionId, userId: req.user.id, expectedSessionId: req.session.flanksSessionId });
   * });
   * ```
   * @see https://docs.flanks.io/pages/concepts/connect-sessions
   */
  parseRedirect(input: RedirectInput): ConnectRedirect {
    const url = redirectUrl(input);
    const sessionId = url.searchParams.get('session_id');
    if (!sessionId) {
      throw argumentError(
        'input',
        '(the redirect URL) has no `session_id` query parameter: is this the Flanks Connect redirect? Check the redirect_url of the session configuration.',
      );
    }
    return { sessionId, params: Object.fromEntries(url.searchParams) };
  }

  /**
   * Signs the pairing of a session with the user it was created for, so `completeSession` can check
   * it later: keep the returned string anywhere the user's later request can bring it back (a cookie
   * is fine: it cannot be forged, nor moved to another session or user). Pure: no request is made.
   * The alternative is to keep the session id server-side and pass it as `expectedSessionId`.
   *
   * @example
   * ```ts
   * const { url, session } = await flanks.connect.createSession({ configuration: { redirect_url } });
   * res.cookie('flanks_session', flanks.connect.bindSession({ sessionId: session.session_id, userId: req.user.id }));
   * res.redirect(url);
   * ```
   * @see https://docs.flanks.io/pages/concepts/connect-sessions
   */
  bindSession(params: BindSessionParams): string {
    const p = requireObject(params, 'params');
    const sessionId = requireString(p.sessionId, 'params.sessionId');
    const userId = requireUserId(p.userId, 'params.userId');
    const ttl = optionalNumber(p.ttlMs, 'params.ttlMs', { min: 1 }) ?? DEFAULT_STATE_TTL_MS;
    return signSessionBinding(this.#stateKey, sessionId, userId, ttl, Date.now());
  }

  /**
   * Finishes a Connect session, the Connect v2 twin of `completeLink`: checks that `userId` started
   * it (`expectedSessionId` or `sessionBinding`, one of them required), waits for the session
   * (`waitForSession`), then saves a {@link CredentialRecord} for `userId` whose `credentialsToken` is
   * the session's `connection_id`, and returns it. `extra` holds `{ session_id }`. Completing the same
   * session twice for the same user is harmless. `.withResponse()` is that of `waitForSession`.
   *
   * Refusals, with nothing saved: a session not bound to this user → `FlanksLinkStateError` (before
   * any request); a connection the store already holds for another user (a session that updated
   * someone else's connection, replayed) → `FlanksCredentialConflictError`.
   *
   * @example
   * ```ts
   * const { sessionId } = flanks.connect.parseRedirect(req.url);
   * const record = await flanks.connect.completeSession({
   *   sessionId,
   *   userId: req.user.id,
   *   sessionBinding: req.cookies.flanks_session, // from connect.bindSession at createSession
   * });
   * await flanks.credentials.waitUntilReady(record.credentialsToken);
   * ```
   * @see https://docs.flanks.io/pages/integration-example
   */
  completeSession(
    params: CompleteSessionParams,
    options: WaitForSessionOptions = {},
  ): APIPromise<CredentialRecord> {
    return this.call(async (call) => {
      const p = requireObject(params, 'params');
      const sessionId = requireString(p.sessionId, 'params.sessionId');
      const userId = requireUserId(p.userId, 'params.userId');
      const expected = optionalString(p.expectedSessionId, 'params.expectedSessionId');
      const binding = optionalString(p.sessionBinding, 'params.sessionBinding');
      const store = (p.store ?? this.#store) as CredentialStore | undefined;
      if (typeof store?.save !== 'function' || typeof store.get !== 'function') {
        throw argumentError(
          'params.store',
          'is needed: completeSession saves to a CredentialStore; pass `store` to new FlanksClient() or to completeSession().',
        );
      }
      this.#checkOwner(sessionId, userId, expected, binding);
      const session = await call.track(this.waitForSession(sessionId, options));
      if (!session.connection_id) {
        throw new FlanksValidationError(
          `Flanks reports Connect session ${sessionId} as ${session.status} but gives no connection_id. Flanks may have changed this beta API; please report it.`,
          { path: 'response.connection_id' },
        );
      }
      // Assumption (shared/flanks-api.md §1B): Flanks' newer docs treat "connection id" and
      // "credentials token" as the same thing while both API generations live, so the connection is
      // stored as a credentials token and used with the v0 Credentials and Aggregation APIs.
      const record = makeCredentialRecord(
        {
          userId,
          credentialsToken: session.connection_id,
          createdAt: new Date().toISOString(),
          extra: { session_id: sessionId },
          linkToken: null,
          externalId: null,
        },
        'Connect session',
      );
      return saveForUser(store, record, 'completeSession');
    });
  }

  /*
   * A session is completed only by the user it was created for: the redirect's session_id must be
   * the one the app kept for this user, or come with a binding signed for this session and user.
   * Checked before any request, so a replayed session_id costs nothing.
   */
  #checkOwner(sessionId: string, userId: string, expected?: string, binding?: string): void {
    if (expected === undefined && binding === undefined) {
      throw argumentError(
        'params.expectedSessionId',
        'is required (or a sessionBinding): completeSession needs proof that this user started the session, the id kept server-side at createSession or a binding from connect.bindSession.',
      );
    }
    const reason =
      expected !== undefined && expected !== sessionId
        ? 'invalid'
        : binding === undefined
          ? undefined
          : checkSessionBinding(this.#stateKey, binding, sessionId, userId, Date.now());
    if (reason) {
      throw new FlanksLinkStateError(
        `This Connect session is not bound to this user (binding ${reason}): a replayed or forged redirect, or an old one. Nothing was stored; start a new session.`,
        { reason },
      );
    }
  }
}
