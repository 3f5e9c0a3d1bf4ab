import type { APIPromise } from './core/api-promise';
import {
  CREDENTIAL_STORE_METHODS,
  type CredentialRecord,
  type CredentialStore,
  makeCredentialRecord,
  saveForUser,
} from './core/credential-store';
import { FlanksError, FlanksLinkDelayedError, FlanksLinkStateError } from './core/errors';
import type { FlanksEventListener, FlanksEventName } from './core/events';
import { defaultLogger, type Logger } from './core/logger';
import type { RequestOptions } from './core/request-options';
import type { TokenCache } from './core/token-cache';
import {
  argumentError,
  checkRequestOptions,
  hasMethods,
  isRecord,
  MAX_TIMER_MS,
  optionalBoolean,
  optionalFunction,
  optionalNumber,
  optionalOneOf,
  requireMethods,
  requireObject,
  requireString,
  requireUserId,
} from './internal/args';
import { apiCall } from './internal/call';
import { Emitter } from './internal/events';
import { checkLinkState, deriveStateKey, type LinkStateProblem } from './internal/link-state';
import { refreshBudgetMs, TokenManager } from './internal/token-manager';
import { Transport } from './internal/transport';
import { type ValidationMode, Validator } from './internal/validate';
import { Aggregation } from './resources/aggregation';
import { AggregationV2 } from './resources/aggregation-v2';
import { Connect } from './resources/connect';
import { Credentials } from './resources/credentials';
import { Entities } from './resources/entities';
import { type LinkExchange, Links } from './resources/links';
import { Reports } from './resources/reports';

/**
 * Options of {@link FlanksClient}. Every option is optional when its environment variable is set.
 *
 * @example
 * ```ts
 * const options: FlanksClientOptions = {
 *   clientId: process.env.FLANKS_CLIENT_ID,
 *   clientSecret: process.env.FLANKS_CLIENT_SECRET,
 *   store: new MemoryCredentialStore(),
 *   timeoutMs: 30_000,
 * };
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/authentication
 */
export interface FlanksClientOptions {
  /** Your application's CLIENT_ID. Default: `FLANKS_CLIENT_ID`. */
  clientId?: string | undefined;
  /** Your application's CLIENT_SECRET (server-side only). Default: `FLANKS_CLIENT_SECRET`. */
  clientSecret?: string | undefined;
  /** API base URL. Default: `FLANKS_BASE_URL`, else `https://api.flanks.io`. */
  baseUrl?: string | undefined;
  /** Where the Link UI lives. Default: `FLANKS_LINK_BASE_URL`, else `https://platform.flanks.io/link`. */
  linkBaseUrl?: string | undefined;
  /** Time limit of each HTTP attempt, in ms. Default 30 000. */
  timeoutMs?: number | undefined;
  /** Retries after a failed attempt, for calls that are safe to retry. Default 2. */
  maxRetries?: number | undefined;
  /** Most requests in flight to Flanks at once; more calls queue. Default 8. */
  maxConcurrency?: number | undefined;
  /**
   * Largest answer the client reads, in bytes (checked on `Content-Length`, then counted while the
   * body streams); a larger one rejects with `FlanksResponseTooLargeError` instead of filling memory.
   * Default 64 MiB. Every call can override it (`{ maxResponseBytes }`).
   */
  maxResponseBytes?: number | undefined;
  /**
   * A fetch implementation (for proxies, tracing, tests). Default: the global `fetch`. Called as
   * `fetch(url, init)` with `init.headers` a `Headers` object; a wrapper must pass `init` on.
   */
  fetch?: typeof fetch | undefined;
  /** Where `completeLink` and `connect.completeSession` save credentials. */
  store?: CredentialStore | undefined;
  /** Response validation: `warn` (default), `strict` or `off`. */
  validation?: ValidationMode | undefined;
  /** A console-like logger. Default: warnings and errors to the console, nothing else. */
  logger?: Logger | undefined;
  /**
   * Shares the access token between every client and process that uses this cache (e.g.
   * `RedisTokenCache` from `flanks-sdk/token-cache/redis`), so a fleet asks Flanks for one token per
   * expiry instead of one per process, and no process revokes another's. Default: none, each client
   * keeps its own token. See docs/running-at-scale.md.
   */
  tokenCache?: TokenCache | undefined;
  /**
   * The secret (at least 32 characters) that signs link state and session bindings. Signed state is
   * always on: `buildUrl` needs a `userId` and adds a signed, expiring `state`, and `completeLink`
   * refuses codes started by another user. Without this option the key is derived from the client
   * secret, which is enough for most apps; set it to keep Links valid across a client-secret rotation,
   * or to share state between apps. Default: `FLANKS_STATE_SECRET`, else derived. See docs/security.md.
   */
  stateSecret?: string | undefined;
  /**
   * The client refuses to start in a browser-like environment, where the client secret would be
   * exposed to every visitor. Set `true` only for trusted, non-public contexts (e.g. an Electron
   * main process or a test runner with a DOM).
   */
  dangerouslyAllowBrowser?: boolean | undefined;
}

/**
 * Argument of {@link FlanksClient.completeLink}.
 *
 * @example
 * ```ts
 * const params: CompleteLinkParams = { code: redirect.code, userId: req.user.id };
 * ```
 * @see https://docs.flanks.io/pages/integration-example
 */
export interface CompleteLinkParams {
  /** The link code from the redirect (`?code=`). */
  code: string;
  /**
   * Your id for the user completing the Link: the logged-in user of the request, never a value taken
   * from the redirect. It must be the `userId` the Link URL was built for.
   */
  userId: string;
  /** Overrides the client's `store` for this call. */
  store?: CredentialStore | undefined;
  /**
   * Accepts a code that carries no signed state (a Link URL built with `dangerouslyOmitState`, or
   * outside this SDK). Nothing then proves who started the Link: whoever brings the code to your app
   * gets the connection filed under their account (login CSRF). A code whose state is present is
   * still checked.
   */
  dangerouslyAllowMissingState?: boolean | undefined;
}

const DEFAULTS = {
  baseUrl: 'https://api.flanks.io',
  linkBaseUrl: 'https://platform.flanks.io/link',
  timeoutMs: 30_000,
  maxRetries: 2,
  maxConcurrency: 8,
  maxResponseBytes: 64 * 1024 * 1024,
  validation: 'warn' as ValidationMode,
};

function env(name: string): string | undefined {
  const value = typeof process !== 'undefined' ? process.env?.[name] : undefined;
  return value === '' ? undefined : value;
}

/*
 * Base URL rules (baseUrl and linkBaseUrl). The API URL receives the client secret and every token,
 * the Link URL carries the link token and the signed state:
 * - https only, except on loopback (localhost, 127.0.0.0/8, [::1]), where a sandbox or a local proxy
 *   runs over plain http without the traffic leaving the machine. Hosts are compared after the URL
 *   parser has normalised them, so `127.1` or `LOCALHOST` count and `localhost.example.com` does not.
 * - No user name or password: they would be sent to the server and shown in errors and logs. The
 *   message never repeats the URL.
 */
const LOOPBACK_HOST = /^(?:localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])$/;

function checkUrl(value: string, name: string): string {
  const path = `options.${name}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw argumentError(path, 'must be an absolute https URL.');
  }
  if (url.username !== '' || url.password !== '') {
    throw argumentError(path, 'must not contain a user name or password.');
  }
  const loopback = LOOPBACK_HOST.test(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw argumentError(
      path,
      'must be an https URL (http only for localhost, 127.0.0.0/8, [::1]): secrets must not travel in clear.',
    );
  }
  return url.href.replace(/\/+$/, '');
}

/*
 * Browser guard: the client secret must never run on the end user's device. Refused, unless
 * `dangerouslyAllowBrowser`:
 * - a browser page: `window` and `document` exist;
 * - a browser worker (dedicated, shared or service): the global object is a WorkerGlobalScope with
 *   `importScripts` (every kind has it in Chromium, module workers included), or a
 *   ServiceWorkerGlobalScope with a `registration`.
 * Server runtimes pass: Node and Bun have no WorkerGlobalScope; a Deno worker is a WorkerGlobalScope
 * without `importScripts`; Cloudflare workerd's global is a ServiceWorkerGlobalScope without
 * `importScripts` or `registration` (each measured, see test/security/browser-guard.test.ts).
 */
function browserContext(): string | undefined {
  const g = globalThis as Record<string, unknown>;
  if (g.window !== undefined && g.document !== undefined) return 'a browser page';
  const isScope = (name: string) => {
    const scope = g[name];
    return typeof scope === 'function' && globalThis instanceof (scope as new () => unknown);
  };
  if (isScope('WorkerGlobalScope') && typeof g.importScripts === 'function') return 'a browser worker';
  if (isScope('ServiceWorkerGlobalScope') && g.registration !== undefined) return 'a browser worker';
  return undefined;
}

const TOKEN_CACHE_METHODS = ['get', 'set', 'lock'];
const LOGGER_METHODS = ['debug', 'info', 'warn', 'error'];

/**
 * The Flanks API client. One instance per application is enough: it caches the access token and
 * shares it across concurrent calls.
 *
 * @example
 * ```ts
 * import { FlanksClient, MemoryCredentialStore } from 'flanks-sdk';
 *
 * const flanks = new FlanksClient({ store: new MemoryCredentialStore() }); // FLANKS_CLIENT_ID / _SECRET from env
 * const url = flanks.links.buildUrl({ token: LINK_TOKEN, userId: user.id }); // signed for this user
 * // … the user comes back to your redirect URI, logged in to your app …
 * const redirect = flanks.links.parseRedirect(req.url);
 * if (redirect.ok) {
 *   const record = await flanks.completeLink({ code: redirect.code, userId: req.user.id });
 *   await flanks.credentials.waitUntilReady(record.credentialsToken, { timeoutMs: 120_000 });
 *   const portfolios = await flanks.aggregation.portfolios(record.credentialsToken);
 * }
 * ```
 * @see https://docs.flanks.io/pages/integration-example
 */
export class FlanksClient {
  /** Link URLs, redirects, code exchange and the Links API. */
  readonly links: Links;
  /** Credential status, polling, listing, force and delete. */
  readonly credentials: Credentials;
  /** Banks available to connect. */
  readonly entities: Entities;
  /** The extracted data: portfolios, investments, accounts, transactions … */
  readonly aggregation: Aggregation;
  /** Connect API v2 sessions (beta): the Connect widget, the successor of the Link. */
  readonly connect: Connect;
  /** Aggregation API v2 (beta): products and transactions with cursor pages and labels. */
  readonly aggregationV2: AggregationV2;
  /** Report API v1 (beta): documents built from templates. */
  readonly reports: Reports;
  /** The store `completeLink` saves to, if one was given. */
  readonly store: CredentialStore | undefined;
  readonly #tokens: TokenManager;
  readonly #transport: Transport;
  readonly #events: Emitter;
  readonly #stateKey: Uint8Array;
  readonly #baseUrl: string;

  constructor(options: FlanksClientOptions = {}) {
    const o = requireObject(options, 'options') as FlanksClientOptions;
    const browser = browserContext();
    if (browser && !optionalBoolean(o.dangerouslyAllowBrowser, 'options.dangerouslyAllowBrowser')) {
      throw new FlanksError(
        `FlanksClient is running in ${browser}, where its client secret would be readable by anyone who loads your site. Call Flanks from your server instead; if this context is trusted and not public, pass dangerouslyAllowBrowser: true.`,
      );
    }
    const clientId = o.clientId ?? env('FLANKS_CLIENT_ID');
    const clientSecret = o.clientSecret ?? env('FLANKS_CLIENT_SECRET');
    if (clientId === undefined) {
      throw argumentError(
        'options.clientId',
        'is missing: pass clientId to new FlanksClient() or set FLANKS_CLIENT_ID (your application in https://platform.flanks.io).',
      );
    }
    if (clientSecret === undefined) {
      throw argumentError(
        'options.clientSecret',
        'is missing: pass clientSecret to new FlanksClient() or set FLANKS_CLIENT_SECRET.',
      );
    }
    requireString(clientId, 'options.clientId');
    requireString(clientSecret, 'options.clientSecret');
    this.#baseUrl = checkUrl(o.baseUrl ?? env('FLANKS_BASE_URL') ?? DEFAULTS.baseUrl, 'baseUrl');
    const linkBaseUrl = checkUrl(
      o.linkBaseUrl ?? env('FLANKS_LINK_BASE_URL') ?? DEFAULTS.linkBaseUrl,
      'linkBaseUrl',
    );
    const timeoutMs =
      optionalNumber(o.timeoutMs, 'options.timeoutMs', { min: 1, max: MAX_TIMER_MS }) ?? DEFAULTS.timeoutMs;
    const maxRetries =
      optionalNumber(o.maxRetries, 'options.maxRetries', { integer: true }) ?? DEFAULTS.maxRetries;
    const maxConcurrency =
      o.maxConcurrency === Number.POSITIVE_INFINITY
        ? o.maxConcurrency
        : (optionalNumber(o.maxConcurrency, 'options.maxConcurrency', { min: 1, integer: true }) ??
          DEFAULTS.maxConcurrency);
    const maxResponseBytes =
      optionalNumber(o.maxResponseBytes, 'options.maxResponseBytes', { min: 1, integer: true }) ??
      DEFAULTS.maxResponseBytes;
    const validation =
      optionalOneOf<ValidationMode>(o.validation, ['strict', 'warn', 'off'], 'options.validation') ??
      DEFAULTS.validation;
    optionalFunction(o.fetch, 'options.fetch');
    if (o.store !== undefined)
      requireMethods(o.store, CREDENTIAL_STORE_METHODS, 'options.store', 'a CredentialStore');
    if (o.logger !== undefined) requireMethods(o.logger, LOGGER_METHODS, 'options.logger', 'a Logger');
    if (o.tokenCache !== undefined) {
      requireMethods(o.tokenCache, TOKEN_CACHE_METHODS, 'options.tokenCache', 'a TokenCache');
    }
    const stateSecret = o.stateSecret ?? env('FLANKS_STATE_SECRET');
    if (stateSecret !== undefined && (typeof stateSecret !== 'string' || stateSecret.length < 32)) {
      throw argumentError('options.stateSecret', 'must be a string of at least 32 characters.');
    }
    this.#stateKey = deriveStateKey(stateSecret ?? clientSecret);
    const logger = o.logger ?? defaultLogger;
    const events = new Emitter(logger, (text) => String(this.#transport.redact(text)));
    this.#events = events;
    const transport = new Transport({
      baseUrl: this.#baseUrl,
      fetch: o.fetch,
      timeoutMs,
      maxRetries,
      maxConcurrency,
      maxResponseBytes,
      logger,
      validator: new Validator(validation, logger),
      staticSecrets: stateSecret === undefined ? [clientSecret] : [clientSecret, stateSecret],
      events,
    });
    this.#transport = transport;
    this.#tokens = new TokenManager(transport, {
      baseUrl: this.#baseUrl,
      clientId,
      clientSecret,
      logger,
      cache: o.tokenCache,
      refreshBudgetMs: refreshBudgetMs(timeoutMs, maxRetries),
      events,
    });
    transport.setAuth(this.#tokens);
    this.store = o.store;
    this.links = new Links(transport, linkBaseUrl, this.#stateKey);
    this.credentials = new Credentials(transport);
    this.entities = new Entities(transport);
    this.aggregation = new Aggregation(transport);
    this.connect = new Connect(transport, this.store, this.#stateKey);
    this.aggregationV2 = new AggregationV2(transport);
    this.reports = new Reports(transport);
  }

  /**
   * Calls `listener` on every `event` of this client: `request` / `response` (each HTTP request and
   * its outcome), `retry`, `end` (each call, once) and `token` (access tokens obtained). Payloads
   * carry method, path template, status, attempt, durations, trace id and errors, never a secret.
   * A listener runs synchronously and should be quick; what it throws is logged once and ignored,
   * what it returns is never awaited. With no listener the SDK builds no payload. See
   * docs/observability.md.
   *
   * @example
   * ```ts
   * flanks.on('response', (e) => requests.inc({ endpoint: `${e.method} ${e.path}`, status: String(e.status ?? 'none') }));
   * flanks.on('retry', (e) => log.info(`${e.path}: retrying after ${e.reason} in ${e.delayMs} ms`));
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/authentication
   */
  on<E extends FlanksEventName>(event: E, listener: FlanksEventListener<E>): this {
    this.#events.on(event, listener);
    return this;
  }

  /**
   * Removes a listener added with {@link FlanksClient.on} (one registration of it). Unknown listeners
   * are ignored.
   *
   * @example
   * ```ts
   * const onEnd = (e: FlanksEndEvent) => histogram.observe(e.durationMs / 1000);
   * flanks.on('end', onEnd);
   * flanks.off('end', onEnd);
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/authentication
   */
  off<E extends FlanksEventName>(event: E, listener: FlanksEventListener<E>): this {
    this.#events.off(event, listener);
    return this;
  }

  /**
   * Finishes a Link: exchanges the code for a credentials token, checks that the Link was started by
   * `userId` (its signed `state`, see `links.buildUrl`), saves a {@link CredentialRecord} for
   * `userId` in the store and returns it. The code is single-use, so the exchange is never retried
   * once it may have reached Flanks.
   *
   * Refusals, with nothing saved:
   * - the state is missing, forged, expired or issued to another user → {@link FlanksLinkStateError}.
   *   The exchange has already created a credential at Flanks; it is deleted (one attempt), and the
   *   error says whether that worked (`credentialDeleted`) and what is left to do if not;
   * - the store already holds this connection for another user → {@link FlanksCredentialConflictError}.
   *
   * If Flanks answers 202 (token delayed by its security checks) nothing is saved and the call
   * rejects with {@link FlanksLinkDelayedError}: tell the user their data will appear later.
   *
   * `.withResponse()` describes the code exchange.
   *
   * @example
   * ```ts
   * // Link URL: flanks.links.buildUrl({ token: LINK_TOKEN, userId: req.user.id })
   * const redirect = flanks.links.parseRedirect(req.url);
   * if (redirect.ok) {
   *   const record = await flanks.completeLink({ code: redirect.code, userId: req.user.id });
   * }
   * ```
   * @see https://docs.flanks.io/pages/integration-example
   */
  completeLink(params: CompleteLinkParams, options?: RequestOptions): APIPromise<CredentialRecord> {
    return apiCall(this.#transport, async (call) => {
      const p = requireObject(params, 'params');
      const code = requireString(p.code, 'params.code');
      const userId = requireUserId(p.userId, 'params.userId');
      const allowMissing = optionalBoolean(
        p.dangerouslyAllowMissingState,
        'params.dangerouslyAllowMissingState',
      );
      const store = (p.store ?? this.store) as CredentialStore | undefined;
      if (store === undefined || !hasMethods(store, CREDENTIAL_STORE_METHODS)) {
        throw argumentError(
          'params.store',
          'is needed: completeLink saves to a CredentialStore; pass `store` to new FlanksClient() or to completeLink().',
        );
      }
      checkRequestOptions(options);
      const result = await call.track(this.links.exchangeCode(code, options));
      if (result.status === 'delayed') {
        throw new FlanksLinkDelayedError(
          'Flanks accepted the link code but is still running security checks; the credentials token will be available later (up to ~72 h). Nothing was saved. Tell the user their bank data will appear later, and look for the credential in credentials.list() (see docs/credential-stores.md: the external_id there is not proof of who started the Link).',
          { body: this.#transport.redact(result.body, [code]) },
        );
      }
      // In warn/off mode the body is returned as sent, so it may be null. The record's `extra` is `{}`
      // when Flanks sent none (absent or null): no custom parameters.
      const body: Partial<LinkExchange> = result.body ?? {};
      const rawExtra: unknown = body.extra ?? {};
      const extraIsObject = isRecord(rawExtra);
      const { state, ...extra } = extraIsObject ? (rawExtra as Record<string, unknown>) : {};
      const missing = state === undefined || state === null || state === '';
      const problem =
        missing && allowMissing ? undefined : checkLinkState(this.#stateKey, state, userId, Date.now());
      if (problem) await this.#refuseExchanged(body.credentials_token, problem, store, options);
      const record = makeCredentialRecord(
        {
          userId,
          credentialsToken: body.credentials_token,
          createdAt: new Date().toISOString(),
          // A non-object `extra` reaches the record check unchanged, so it is rejected, not dropped.
          extra: extraIsObject ? extra : rawExtra,
          linkToken: typeof body.link_token === 'string' ? body.link_token : null,
          externalId: typeof extra.external_id === 'string' ? extra.external_id : null,
        },
        'code exchange',
      );
      return saveForUser(store, record, 'completeLink');
    });
  }

  /*
   * A refused code was already exchanged: its credential exists at Flanks and belongs to nobody.
   * It is deleted with one attempt (a delete is not replayed once it may have reached Flanks, and the
   * caller is waiting), unless a stored record already uses that token: then it is someone's live
   * connection and is left alone. The error says which happened and what is left to do.
   */
  async #refuseExchanged(
    token: string | undefined,
    reason: LinkStateProblem,
    store: CredentialStore,
    options: RequestOptions | undefined,
  ): Promise<never> {
    const why = {
      missing: 'carries no signed state (its Link URL was not built by links.buildUrl({ userId }))',
      malformed: 'carries a malformed state',
      invalid: 'was started by another user or another app (login CSRF protection)',
      expired: 'was started too long ago (its state expired; stateTtlMs)',
    }[reason];
    const cleanUp = 'find it in flanks.credentials.list() (no CredentialRecord refers to it) and delete it';
    let outcome: string;
    let credentialDeleted = false;
    let cause: unknown;
    // In warn/off validation a malformed answer may carry no token: then there is nothing to delete.
    const held =
      token === undefined
        ? undefined
        : await store.get(token).then(
            (record) => record !== undefined,
            () => undefined,
          );
    if (token === undefined) outcome = "Flanks' answer held no credentials token, so none could be deleted.";
    else if (held === true) outcome = 'Its connection is already stored for a user, so it was left in place.';
    else if (held === undefined)
      outcome = `The store could not be read, so its credential was kept at Flanks: ${cleanUp}.`;
    else {
      try {
        await this.credentials.delete(token, {
          signal: options?.signal,
          timeoutMs: options?.timeoutMs,
          maxRetries: 0,
        });
        credentialDeleted = true;
        outcome = 'The credential it created at Flanks was deleted.';
      } catch (error) {
        cause = error;
        outcome = `Deleting the credential it created at Flanks failed (${(error as Error).name}): ${cleanUp}.`;
      }
    }
    throw new FlanksLinkStateError(
      `This link code ${why}. Nothing was stored. ${outcome} Ask the user to connect again.`,
      {
        reason,
        credentialDeleted,
        cause,
      },
    );
  }

  /** Keeps the client secret and tokens out of `util.inspect` output. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `FlanksClient { baseUrl: '${this.#baseUrl}' }`;
  }

  /** Keeps the client secret and tokens out of `JSON.stringify` output. */
  toJSON(): Record<string, unknown> {
    return { baseUrl: this.#baseUrl };
  }
}
