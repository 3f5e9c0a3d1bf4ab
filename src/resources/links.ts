import * as z from 'zod/mini';
import type { APIPromise } from '../core/api-promise';
import type { ReauthToken } from '../core/errors';
import type { RequestOptions } from '../core/request-options';
import {
  argumentError,
  checkRequestOptions,
  isRecord,
  optionalBoolean,
  optionalNumber,
  optionalObject,
  optionalString,
  requireObject,
  requireString,
  requireUserId,
} from '../internal/args';
import type { Call } from '../internal/call';
import { DEFAULT_STATE_TTL_MS, readLinkState, signLinkState } from '../internal/link-state';
import type { Transport } from '../internal/transport';
import { many, one } from '../internal/validate';
import {
  type ActionResult,
  ActionResultSchema,
  type RedirectInput,
  Resource,
  reauthField,
  redirectUrl,
  unwrapData,
  unwrapList,
} from './shared';

// ---------------------------------------------------------------------------------------------
// Schemas and types
// ---------------------------------------------------------------------------------------------

const str = z.optional(z.nullable(z.string()));

/** A Flanks Link: a reusable URL your users open to connect a bank. */
export const LinkSchema = z.looseObject({
  /** The Link URL's `token`. Required: `buildUrl` and every Links call name the link by it. */
  token: z.string(),
  name: str,
  /** Where Flanks sends the user back, with `?code=…`. */
  redirect_uri: str,
  company_name: str,
  terms_and_conditions_url: str,
  privacy_policy_url: str,
  /** `false` while paused. */
  active: z.optional(z.nullable(z.boolean())),
  /** Link codes issued but not exchanged yet. */
  pending_code_count: z.optional(z.nullable(z.number())),
});
/** A Flanks Link, as the Links API returns it: {@link LinkSchema}. */
export type Link = z.infer<typeof LinkSchema>;

/**
 * Body of `links.create`, in Flanks' wire names.
 * @example const params: LinkCreateParams = { redirect_uri: 'https://app.example.com/cb', name: 'web' };
 */
export const LinkCreateParamsSchema = z.looseObject({
  redirect_uri: z.string().check(z.minLength(1)),
  name: z.optional(z.nullable(z.string())),
  company_name: z.optional(z.nullable(z.string())),
  terms_and_conditions_url: z.optional(z.nullable(z.string())),
  privacy_policy_url: z.optional(z.nullable(z.string())),
});
/** Body of `links.create`: {@link LinkCreateParamsSchema}. */
export type LinkCreateParams = z.infer<typeof LinkCreateParamsSchema>;

/**
 * Body of `links.edit`: the link `token` plus the fields to change; `null` removes a field.
 * @example const params: LinkEditParams = { token, redirect_uri: 'https://app.example.com/cb2', name: null };
 */
export type LinkEditParams = Partial<LinkCreateParams> & { token: string };

/** A link code that was issued but never exchanged (e.g. the user's redirect was lost). */
export const UnusedCodeSchema = z.looseObject({
  /** Required: the code is what `completeLink` / `exchangeCode` take; an item without it is unusable. */
  code: z.string(),
  /** The Link URL's custom parameters: read the code's user with `links.stateOwner(code)`, not from them. */
  extra: z.optional(z.nullable(z.record(z.string(), z.unknown()))),
  link_token: str,
});
/** A link code issued but never exchanged: {@link UnusedCodeSchema}. */
export type UnusedCode = z.infer<typeof UnusedCodeSchema>;

/** Flanks' answer to a code exchange (`POST /v0/platform/link`, HTTP 200), as sent. */
export const LinkExchangeSchema = z.looseObject({
  /** Required: it is what the exchange is for (`completeLink` stores it). */
  credentials_token: z.string().check(z.minLength(1)),
  message: str,
  /** The Link URL's custom parameters (all but `token`, `bank`, `rollback`); `null` or absent if none. */
  extra: z.optional(z.nullable(z.record(z.string(), z.unknown()))),
  link_token: str,
});
/** Flanks' answer to a code exchange, as sent: {@link LinkExchangeSchema}. */
export type LinkExchange = z.infer<typeof LinkExchangeSchema>;

/** Flanks' answer to a code exchange held back for security checks (HTTP 202): undocumented, kept as sent. */
export const LinkExchangeDelayedSchema = z.optional(z.nullable(z.looseObject({ message: str })));
/** Flanks' 202 answer to a code exchange: {@link LinkExchangeDelayedSchema}. */
export type LinkExchangeDelayed = z.infer<typeof LinkExchangeDelayedSchema>;

/**
 * Result of `links.exchangeCode`: `status` (set by the SDK) is `ready` for HTTP 200, `delayed` for 202 (the
 * token comes later); `body` is Flanks' answer as sent, so none of its fields can collide with `status`.
 */
export type LinkExchangeResult =
  | { status: 'ready'; body: LinkExchange }
  | { status: 'delayed'; body: LinkExchangeDelayed };

/**
 * Error codes the Link sends back as `?error=` when its URL carried `rollback` (the last two are TestBank's
 * own); treat unknown values as a generic failure. What each means and what to do: docs/link-outcomes.md.
 * @see https://docs.flanks.io/pages/flanks-link
 */
export const LINK_ERROR_CODES = [
  'INVALID_CREDENTIALS',
  'INVALID_SCA',
  'CREDENTIALS_ALREADY_EXIST',
  'INTERNAL_ERROR',
  'ABORTED_BY_USER',
  'SCA_TYPE_NOT_ALLOWED',
  'USER_INTERACTION_NEEDED',
] as const;

/** What the user brings back to your Redirect URI: a link `code` or a Link `error`, and all its `params`. */
export type LinkRedirect =
  | { ok: true; code: string; error?: undefined; params: Record<string, string> }
  | { ok: false; error: string; code?: undefined; params: Record<string, string> };

/**
 * Parameters of `links.buildUrl`.
 * @example const params: BuildLinkUrlParams = { token: LINK_TOKEN, userId: user.id, rollback: true };
 */
export interface BuildLinkUrlParams {
  /** The link token (from `links.create` or the Platform). */
  token: string;
  /**
   * Required: your id for the user starting the Link, signed into the expiring `state` that `completeLink`
   * checks (so nobody completes another user's Link) and `stateOwner` reads. Shown in the URL: use an opaque id.
   */
  userId?: string | undefined;
  /** An entity id (see `entities.list()`); skips the bank picker. */
  bank?: string | undefined;
  /** Your id for the user; Flanks stores it as the credential's and products' `external_id`. */
  externalId?: string | undefined;
  /** Redirect back with `?error=CODE` on failure: `true` for every error, or a list of codes. */
  rollback?: boolean | readonly string[] | undefined;
  /** Custom parameters; Flanks returns them under `extra` when the code is exchanged. */
  params?: Record<string, string | number | boolean> | undefined;
  /** How long the user has to finish the Link (the signed state's lifetime), in ms. Default 1 hour. */
  stateTtlMs?: number | undefined;
  /**
   * Re-authenticates an existing credential instead of connecting a new one: `{ resetToken }` (new password)
   * or `{ scaToken }` (the bank's SCA), from `credentials.reauthToken()` or an error's `reauth`. **Assumed**:
   * sent as the `reset_token` / `sca_token` query parameter (see docs/reauthentication.md).
   */
  reauth?: ReauthToken | undefined;
  /**
   * No signed state (nor `userId`): the code completes only with `completeLink` and its
   * `dangerouslyAllowMissingState`, for whoever brings it back. Only for a Link handed out outside your app.
   */
  dangerouslyOmitState?: boolean | undefined;
}

/** What `links.stateOwner` found: the user whose Link produced the code, or why none can be trusted. */
export type LinkStateOwner =
  | { ok: true; userId: string; reason?: undefined }
  | { ok: false; reason: 'missing' | 'malformed' | 'expired' | 'invalid'; userId?: undefined };

const RESERVED_LINK_PARAMS = new Set([
  'token',
  'bank',
  'external_id',
  'rollback',
  'code',
  'error',
  'state',
  'reset_token',
  'sca_token',
]);

// ---------------------------------------------------------------------------------------------
// Resource
// ---------------------------------------------------------------------------------------------

/**
 * Flanks Link: build the URL users open, read what they bring back, exchange the code; manage links.
 * @example const url = flanks.links.buildUrl({ token: LINK_TOKEN, userId: user.id, bank: 'testbank' });
 * @see https://docs.flanks.io/pages/flanks-apis/links-api
 */
export class Links extends Resource {
  readonly #linkBaseUrl: string;
  // The key of signed link state (see internal/link-state.ts).
  readonly #stateKey: Uint8Array;

  /** Built by FlanksClient: use `flanks.links`. @internal */
  constructor(transport: Transport, linkBaseUrl: string, stateKey: Uint8Array) {
    super(transport);
    this.#linkBaseUrl = linkBaseUrl;
    this.#stateKey = stateKey;
  }

  /**
   * A secret-free view for `JSON.stringify` and loggers: where the Link UI lives.
   * @example JSON.stringify(flanks.links); // '{"linkBaseUrl":"https://platform.flanks.io/link"}'
   */
  override toJSON(): Record<string, unknown> {
    return { linkBaseUrl: this.#linkBaseUrl };
  }

  /**
   * Builds the Link URL to send a user to, with a signed, expiring `state` naming `userId` (see
   * {@link BuildLinkUrlParams.userId}). Pure: no request is made.
   * @example res.redirect(flanks.links.buildUrl({ token: LINK_TOKEN, userId: req.user.id, rollback: true }));
   * @see https://docs.flanks.io/pages/flanks-link
   */
  buildUrl(params: BuildLinkUrlParams): string {
    const p = requireObject(params, 'params');
    const url = new URL(this.#linkBaseUrl);
    url.searchParams.set('token', requireString(p.token, 'params.token'));
    const bank = optionalString(p.bank, 'params.bank');
    if (bank !== undefined) url.searchParams.set('bank', bank);
    const externalId = optionalString(p.externalId, 'params.externalId');
    if (externalId !== undefined) url.searchParams.set('external_id', externalId);
    const rollback = p.rollback;
    if (rollback === true) url.searchParams.set('rollback', 'true');
    else if (Array.isArray(rollback) && rollback.length > 0) {
      for (const [i, c] of rollback.entries()) requireString(c, `params.rollback[${i}]`);
      url.searchParams.set('rollback', rollback.join(','));
    } else if (rollback !== undefined && rollback !== false && !Array.isArray(rollback)) {
      throw argumentError('params.rollback', 'must be a boolean or an array of Link error codes.');
    }
    const reauth = reauthField(p.reauth, 'params.reauth');
    if (reauth) url.searchParams.set(...reauth);
    for (const [key, value] of Object.entries(optionalObject(p.params, 'params.params') ?? {})) {
      if (RESERVED_LINK_PARAMS.has(key)) {
        throw argumentError(
          `params.params.${key}`,
          'is reserved by the Flanks Link; use the dedicated option or another name.',
        );
      }
      if (!['string', 'number', 'boolean'].includes(typeof value)) {
        throw argumentError(`params.params.${key}`, 'must be a string, number or boolean.');
      }
      url.searchParams.set(key, String(value));
    }
    const ttl = optionalNumber(p.stateTtlMs, 'params.stateTtlMs', { min: 1 }) ?? DEFAULT_STATE_TTL_MS;
    if (optionalBoolean(p.dangerouslyOmitState, 'params.dangerouslyOmitState')) {
      if (p.userId !== undefined) {
        throw argumentError(
          'params.userId',
          'has no effect with dangerouslyOmitState: the URL then names no user. Drop one of them.',
        );
      }
      return url.toString();
    }
    if (p.userId === undefined) {
      throw argumentError(
        'params.userId',
        'is required: it signs the Link for the user starting it, so completeLink can refuse a code brought back by anyone else (login CSRF).',
      );
    }
    const userId = requireUserId(p.userId, 'params.userId');
    url.searchParams.set('state', signLinkState(this.#stateKey, userId, ttl, Date.now()));
    return url.toString();
  }

  /**
   * Reads the redirect that brings the user back from the Link (see {@link RedirectInput}).
   * @throws FlanksValidationError when the URL carries neither `code` nor `error`.
   * @example
   * const redirect = flanks.links.parseRedirect(req.url);
   * if (!redirect.ok) return res.redirect(`/connect?failed=${redirect.error}`);
   * await flanks.completeLink({ code: redirect.code, userId: req.user.id });
   * @see https://docs.flanks.io/pages/flanks-link
   */
  parseRedirect(input: RedirectInput): LinkRedirect {
    const url = redirectUrl(input);
    const params = Object.fromEntries(url.searchParams);
    const error = url.searchParams.get('error');
    if (error) return { ok: false, error, params };
    const code = url.searchParams.get('code');
    if (code) return { ok: true, code, params };
    throw argumentError(
      'input',
      '(the redirect URL) has neither a `code` nor an `error` query parameter: is this the Flanks Link redirect? Check the Redirect URI configured on the link.',
    );
  }

  /**
   * Exchanges a single-use link code for a `credentials_token`; never retried once it may have reached Flanks
   * (a replay would fail). Checks no signed state: prefer `flanks.completeLink`, which does, then stores it.
   * @example
   * const result = await flanks.links.exchangeCode(code);
   * if (result.status === 'delayed') return showLater();
   * await db.save(userId, result.body.credentials_token);
   */
  exchangeCode(code: string, options?: RequestOptions): APIPromise<LinkExchangeResult> {
    return this.call(async (call) => {
      requireString(code, 'code');
      // 202: the legacy docs say Flanks accepted the code but holds the token back while security
      // checks run (~72 h); its body is undocumented, so it is checked against a schema of its own.
      const { status, data } = await call.request({
        method: 'POST',
        path: '/v0/platform/link',
        body: { code },
        idempotent: false,
        secrets: [code],
        response: one('LinkExchange', LinkExchangeSchema),
        responseByStatus: { 202: one('LinkExchangeDelayed', LinkExchangeDelayedSchema) },
        options: checkRequestOptions(options),
      });
      return status === 202
        ? { status: 'delayed', body: data as LinkExchangeDelayed }
        : { status: 'ready', body: data };
    });
  }

  /**
   * Lists the links of your company.
   * @example const links = await flanks.links.list();
   */
  list(options?: RequestOptions): APIPromise<Link[]> {
    return this.call(async (call) => {
      const { data } = await call.request({
        method: 'POST',
        path: '/v0/links/list-links',
        body: {},
        idempotent: true,
        response: many('Link', LinkSchema),
        unwrap: unwrapList,
        options: checkRequestOptions(options),
      });
      return data;
    });
  }

  /**
   * Creates a link. `name` must be unique in your company.
   * @example const link = await flanks.links.create({ redirect_uri: 'https://app.example.com/cb' });
   */
  create(params: LinkCreateParams, options?: RequestOptions): APIPromise<Link> {
    return this.call(async (call) => {
      const body = requireObject(params, 'params');
      requireString(body.redirect_uri, 'params.redirect_uri');
      return this.#linkCall(call, '/v0/links/create-link', body, false, options);
    });
  }

  /**
   * Edits a link; `null` removes an optional field.
   * @example await flanks.links.edit({ token: link.token, name: 'web-2026' });
   */
  edit(params: LinkEditParams, options?: RequestOptions): APIPromise<Link> {
    return this.call(async (call) => {
      const body = requireObject(params, 'params');
      requireString(body.token, 'params.token');
      return this.#linkCall(call, '/v0/links/edit-link', body, true, options);
    });
  }

  /**
   * Pauses a link: its URL stops accepting new users until resumed.
   * @example const link = await flanks.links.pause(token); // link.active === false
   */
  pause(token: string, options?: RequestOptions): APIPromise<Link> {
    return this.call(async (call) =>
      this.#linkCall(call, '/v0/links/pause-link', { token: requireString(token, 'token') }, true, options),
    );
  }

  /**
   * Resumes a paused link.
   * @example const link = await flanks.links.resume(token); // link.active === true
   */
  resume(token: string, options?: RequestOptions): APIPromise<Link> {
    return this.call(async (call) =>
      this.#linkCall(call, '/v0/links/resume-link', { token: requireString(token, 'token') }, true, options),
    );
  }

  /**
   * Deletes a link for good. Flanks refuses while the link has unexchanged codes.
   * @example await flanks.links.delete(token);
   */
  delete(token: string, options?: RequestOptions): APIPromise<ActionResult> {
    return this.call(async (call) => {
      const { data } = await call.request({
        method: 'POST',
        path: '/v0/links/delete-link',
        body: { token: requireString(token, 'token') },
        idempotent: false,
        response: one('DeleteLinkResult', ActionResultSchema),
        options: checkRequestOptions(options),
      });
      return data;
    });
  }

  /**
   * Lists codes issued but never exchanged (optionally of one link), to recover users whose redirect was lost.
   * @example const codes = await flanks.links.unusedCodes({ linkToken: link.token });
   */
  unusedCodes(params: { linkToken?: string } = {}, options?: RequestOptions): APIPromise<UnusedCode[]> {
    return this.call(async (call) => {
      const p = requireObject(params, 'params');
      const { data } = await call.request({
        method: 'GET',
        path: '/v0/platform/link',
        query: { link_token: optionalString(p.linkToken, 'params.linkToken') },
        idempotent: true,
        response: many('UnusedCode', UnusedCodeSchema),
        unwrap: unwrapList,
        options: checkRequestOptions(options),
      });
      return data;
    });
  }

  /**
   * The user who started the Link that produced this code, from its verified signed `state`: `{ ok: true,
   * userId }`, or `{ ok: false, reason }` when the state is missing, not signed by this application, or past
   * its `stateTtlMs`. Pure. Recovers codes whose redirect was lost (`unusedCodes()`) for `completeLink`
   * (which checks again); never trust another parameter (`extra.user`, `external_id`): the user edits those.
   * @example
   * for (const unused of await flanks.links.unusedCodes({ linkToken })) {
   *   const owner = flanks.links.stateOwner(unused);
   *   if (owner.ok) await flanks.completeLink({ code: unused.code, userId: owner.userId });
   * }
   */
  stateOwner(code: Pick<UnusedCode, 'extra'>): LinkStateOwner {
    const c = requireObject(code, 'code');
    const extra = isRecord(c.extra) ? c.extra : {};
    const reading = readLinkState(this.#stateKey, extra.state, Date.now());
    return reading.ok ? { ok: true, userId: reading.userId } : { ok: false, reason: reading.reason };
  }

  async #linkCall(
    call: Call,
    path: string,
    body: Record<string, unknown>,
    idempotent: boolean,
    options: RequestOptions | undefined,
  ): Promise<Link> {
    const { data } = await call.request({
      method: 'POST',
      path,
      body,
      idempotent,
      response: one('Link', LinkSchema),
      unwrap: unwrapData,
      options: checkRequestOptions(options),
    });
    return data;
  }
}
