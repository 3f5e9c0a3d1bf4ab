import { type CredentialRecord, type CredentialStore, makeCredentialRecord } from './core/credential-store';
import {
  FlanksError,
  FlanksLinkDelayedError,
  FlanksLinkStateError,
  FlanksValidationError,
} from './core/errors';
import { defaultLogger, type Logger } from './core/logger';
import type { RequestOptions } from './core/request-options';
import type { TokenCache } from './core/token-cache';
import {
  checkRequestOptions,
  hasMethods,
  MAX_TIMER_MS,
  optionalBoolean,
  optionalNumber,
  requireObject,
  requireString,
} from './internal/args';
import { checkLinkState } from './internal/link-state';
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
   * A server-side secret (at least 32 characters) that turns on signed link state: `buildUrl` then
   * needs a `userId` and adds a signed, expiring `state`, and `completeLink` rejects codes started by
   * another user. Default: `FLANKS_STATE_SECRET`, else off. See docs/security.md.
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
  /** Your id for the user who connected the bank. */
  userId: string;
  /** Overrides the client's `store` for this call. */
  store?: CredentialStore | undefined;
}

const DEFAULTS = {
  baseUrl: 'https://api.flanks.io',
  linkBaseUrl: 'https://platform.flanks.io/link',
  timeoutMs: 30_000,
  maxRetries: 2,
  maxConcurrency: 8,
  validation: 'warn' as ValidationMode,
};

function env(name: string): string | undefined {
  const value = typeof process !== 'undefined' ? process.env?.[name] : undefined;
  return value === '' ? undefined : value;
}

function checkUrl(value: string, name: string): string {
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('protocol');
    return url.href.replace(/\/+$/, '');
  } catch {
    throw new FlanksValidationError(`options.${name} must be an absolute http(s) URL.`, {
      path: `options.${name}`,
    });
  }
}

function isStore(value: unknown): value is CredentialStore {
  return hasMethods(value, ['save', 'get', 'listByUser', 'delete']);
}

function isTokenCache(value: unknown): value is TokenCache {
  return hasMethods(value, ['get', 'set', 'lock']);
}

function isLogger(value: unknown): value is Logger {
  return hasMethods(value, ['debug', 'info', 'warn', 'error']);
}

/**
 * The Flanks API client. One instance per application is enough: it caches the access token and
 * shares it across concurrent calls.
 *
 * @example
 * ```ts
 * import { FlanksClient, MemoryCredentialStore } from 'flanks-sdk';
 *
 * const flanks = new FlanksClient({ store: new MemoryCredentialStore() }); // FLANKS_CLIENT_ID / _SECRET from env
 * const url = flanks.links.buildUrl({ token: LINK_TOKEN, externalId: user.id });
 * // … the user comes back to your redirect URI …
 * const redirect = flanks.links.parseRedirect(req.url);
 * if (redirect.ok) {
 *   const record = await flanks.completeLink({ code: redirect.code, userId: user.id });
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
  readonly #stateSecret: Uint8Array | undefined;
  readonly #baseUrl: string;

  constructor(options: FlanksClientOptions = {}) {
    const o = requireObject(options, 'options') as FlanksClientOptions;
    const g = globalThis as { window?: unknown; document?: unknown };
    if (
      typeof g.window !== 'undefined' &&
      typeof g.document !== 'undefined' &&
      !optionalBoolean(o.dangerouslyAllowBrowser, 'options.dangerouslyAllowBrowser')
    ) {
      throw new FlanksError(
        'FlanksClient is running in a browser-like environment, where its client secret would be readable by anyone. Call Flanks from your server instead; if this context is trusted and not public, pass dangerouslyAllowBrowser: true.',
      );
    }
    const clientId = o.clientId ?? env('FLANKS_CLIENT_ID');
    const clientSecret = o.clientSecret ?? env('FLANKS_CLIENT_SECRET');
    if (clientId === undefined) {
      throw new FlanksError(
        'Missing options.clientId: pass clientId to new FlanksClient() or set FLANKS_CLIENT_ID (your application in https://platform.flanks.io).',
      );
    }
    if (clientSecret === undefined) {
      throw new FlanksError(
        'Missing options.clientSecret: pass clientSecret to new FlanksClient() or set FLANKS_CLIENT_SECRET.',
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
    const validation = o.validation ?? DEFAULTS.validation;
    if (!['strict', 'warn', 'off'].includes(validation)) {
      throw new FlanksValidationError(`options.validation must be 'strict', 'warn' or 'off'.`, {
        path: 'options.validation',
      });
    }
    if (o.fetch !== undefined && typeof o.fetch !== 'function') {
      throw new FlanksValidationError('options.fetch must be a fetch-compatible function.', {
        path: 'options.fetch',
      });
    }
    if (o.store !== undefined && !isStore(o.store)) {
      throw new FlanksValidationError(
        'options.store must implement CredentialStore (save, get, listByUser, delete).',
        {
          path: 'options.store',
        },
      );
    }
    if (o.logger !== undefined && !isLogger(o.logger)) {
      throw new FlanksValidationError('options.logger must have debug, info, warn and error methods.', {
        path: 'options.logger',
      });
    }
    if (o.tokenCache !== undefined && !isTokenCache(o.tokenCache)) {
      throw new FlanksValidationError('options.tokenCache must implement TokenCache (get, set, lock).', {
        path: 'options.tokenCache',
      });
    }
    const stateSecret = o.stateSecret ?? env('FLANKS_STATE_SECRET');
    if (stateSecret !== undefined && (typeof stateSecret !== 'string' || stateSecret.length < 32)) {
      throw new FlanksValidationError('options.stateSecret must be a string of at least 32 characters.', {
        path: 'options.stateSecret',
      });
    }
    this.#stateSecret = stateSecret === undefined ? undefined : new TextEncoder().encode(stateSecret);
    const logger = o.logger ?? defaultLogger;
    const transport = new Transport({
      baseUrl: this.#baseUrl,
      fetch: o.fetch,
      timeoutMs,
      maxRetries,
      maxConcurrency,
      logger,
      validator: new Validator(validation, logger),
      staticSecrets: stateSecret === undefined ? [clientSecret] : [clientSecret, stateSecret],
    });
    this.#transport = transport;
    this.#tokens = new TokenManager(transport, {
      baseUrl: this.#baseUrl,
      clientId,
      clientSecret,
      logger,
      cache: o.tokenCache,
      refreshBudgetMs: refreshBudgetMs(timeoutMs, maxRetries),
    });
    transport.setAuth(this.#tokens);
    this.store = o.store;
    this.links = new Links(transport, linkBaseUrl, this.#stateSecret);
    this.credentials = new Credentials(transport);
    this.entities = new Entities(transport);
    this.aggregation = new Aggregation(transport);
    this.connect = new Connect(transport, this.store);
    this.aggregationV2 = new AggregationV2(transport);
    this.reports = new Reports(transport);
  }

  /**
   * Finishes a Link: exchanges the code for a credentials token and saves a {@link CredentialRecord}
   * for `userId` in the store, then returns it. The code is single-use, so the exchange is never
   * retried once it may have reached Flanks.
   *
   * If Flanks answers 202 (token delayed by its security checks) nothing is saved and the call
   * rejects with {@link FlanksLinkDelayedError}: tell the user their data will appear later, and pick
   * the credential up from `credentials.list()` once it appears (match on the `external_id` you put
   * in the Link URL).
   *
   * @example
   * ```ts
   * const redirect = flanks.links.parseRedirect(req.url);
   * if (redirect.ok) {
   *   const record = await flanks.completeLink({ code: redirect.code, userId: req.user.id });
   * }
   * ```
   * @see https://docs.flanks.io/pages/integration-example
   */
  async completeLink(params: CompleteLinkParams, options?: RequestOptions): Promise<CredentialRecord> {
    const p = requireObject(params, 'params');
    const code = requireString(p.code, 'params.code');
    const userId = requireString(p.userId, 'params.userId');
    const store = p.store ?? this.store;
    if (store === undefined || !isStore(store)) {
      throw new FlanksValidationError(
        'completeLink needs a CredentialStore: pass `store` to new FlanksClient() or to completeLink().',
        { path: 'params.store' },
      );
    }
    checkRequestOptions(options);
    const result = await this.links.exchangeCode(code, options);
    if (result.status === 'delayed') {
      throw new FlanksLinkDelayedError(
        'Flanks accepted the link code but is still running security checks; the credentials token will be available later (up to ~72 h). Nothing was saved. Tell the user their bank data will appear later, and look for the credential in credentials.list() (by external_id).',
        { body: this.#transport.redact(result.body, [code]) },
      );
    }
    // In warn/off mode the body is returned as sent, so it may be null. The record's `extra` is `{}`
    // when Flanks sent none (absent or null): no custom parameters.
    const body: Partial<LinkExchange> = result.body ?? {};
    const rawExtra: unknown = body.extra ?? {};
    const extraIsObject = rawExtra !== null && typeof rawExtra === 'object' && !Array.isArray(rawExtra);
    const { state, ...extra } = extraIsObject ? (rawExtra as Record<string, unknown>) : {};
    if (this.#stateSecret) {
      const problem = checkLinkState(this.#stateSecret, state, userId, Date.now());
      if (problem) {
        throw new FlanksLinkStateError(
          {
            missing:
              'This link code carries no signed state: it was not started through links.buildUrl({ userId }) of this app. Nothing was stored; ask the user to connect again.',
            malformed:
              'This link code carries a malformed state. Nothing was stored; ask the user to connect again.',
            invalid:
              'This link code was started by another user (or its state was tampered with): refusing it protects the user from login CSRF. Nothing was stored; ask the user to connect again.',
            expired:
              'This link code was started too long ago (its signed state expired). Nothing was stored; ask the user to connect again.',
          }[problem],
          { reason: problem },
        );
      }
    }
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
    await store.save(record);
    return record;
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
