import * as z from 'zod/mini';
import { FlanksAbortError, FlanksApiError } from '../core/errors';
import type { Logger } from '../core/logger';
import {
  type CachedAccessToken,
  CachedAccessTokenSchema,
  type TokenCache,
  type TokenCacheLock,
} from '../core/token-cache';
import type { Emitter } from './events';
import { RETRY_AFTER_CAP_MS } from './retry-policy';
import { abortableSleep, raceSignal } from './sleep';
import { TokenSeal, tokenCacheKey } from './token-seal';
import type { AuthProvider, Transport } from './transport';
import { one } from './validate';

/*
 * Access-token policy (POST /v0/token, client-credentials grant; tokens live `expires_in` s, 3600
 * per the docs). Flanks' legacy docs say a new token revokes the previous one, so everything that
 * shares a client id must share one token and ask for a new one once.
 * - Refresh skew: a token is renewed once it has less than min(60 s, 10 % of its lifetime) left: a
 *   3600 s token a minute early, a 3 s sandbox token 300 ms early.
 * - Local copy usable → use it; no I/O.
 * - Otherwise one refresh per process at a time: concurrent callers share one in-flight promise and
 *   each races it with its own AbortSignal (the shared work never runs under one caller's signal).
 * - Without a `tokenCache` the refresh is one token request.
 * - With a `tokenCache` (shared by the fleet): entries are sealed under the client secret and keyed
 *   by a MAC of base URL + client id (token-seal.ts); one that does not open counts as absent, with a
 *   warning. Read the shared token; usable → adopt it. Else take the cache's lock (LOCK_TTL_MS): the holder
 *   reads again (another process may have refreshed in between), fetches ONE token only if still
 *   needed, writes it and releases. While it works the holder renews the lock every LOCK_TTL_MS / 3
 *   (when the cache's locks can be renewed), so a throttled or slow token request does not hand the
 *   lock to a second process whose token would revoke the first. Non-holders wait (20 ms doubling to
 *   500 ms), read again and retry the lock. A holder that dies stops renewing, so its lock expires
 *   within LOCK_TTL_MS and a waiter takes over. A waiter that got nothing for longer than a holder's
 *   token request can take (its timeouts, retries and Retry-After waits, see refreshBudgetMs) plus
 *   LOCK_TTL_MS fetches a token of its own, with a warning: the lock is then broken, not busy.
 * - A 401 on an API call calls `invalidate(token)`: the local copy is dropped if it is still that
 *   token, and the token is remembered as rejected, so a shared copy equal to it counts as absent. A
 *   fleet-wide burst of 401s therefore costs one token request: the first lock holder replaces it, the
 *   others (and later holders, who read first) pick the replacement up.
 * - The cache is an optimisation, never a point of failure: an operation that throws or takes longer
 *   than CACHE_TIMEOUT_MS is logged as a warning (once, until the cache answers again) and the
 *   process fetches its own token. API calls go on; processes may revoke each other's tokens meanwhile.
 * - A failed token request rejects every waiter and is not cached; the next call tries again.
 * - The token request is retried by the transport like any read: no second retry loop here.
 * - Each token obtained is a `token` event: `shared` when read from the cache, else `fetched` (the
 *   client's first) or `refreshed`.
 */

const MAX_REFRESH_SKEW_MS = 60_000;
const REFRESH_SKEW_SHARE = 0.1;
const DEFAULT_EXPIRES_IN_S = 3600;
/** How long the refresh lock lives if its holder never releases it (crash, lost connection). */
export const LOCK_TTL_MS = 10_000;
/** A cache operation slower than this counts as failed: a hung cache must not hang API calls. */
export const CACHE_TIMEOUT_MS = 2_000;
const FIRST_WAIT_MS = 20;
const RENEW_EVERY_MS = LOCK_TTL_MS / 3;
const MAX_WAIT_MS = 500;

const TokenResponse = z.looseObject({
  access_token: z.string().check(z.minLength(1)),
  expires_in: z.optional(z.number()),
  token_type: z.optional(z.string()),
  scope: z.optional(z.unknown()),
});

const FAILED = Symbol('cache failed');
const TIMED_OUT = Symbol('cache timed out');

/** The longest one token request can take: every attempt timing out, every retry waiting its longest. */
export function refreshBudgetMs(timeoutMs: number, maxRetries: number): number {
  return (maxRetries + 1) * timeoutMs + maxRetries * RETRY_AFTER_CAP_MS;
}

export function refreshSkewMs(token: CachedAccessToken): number {
  return Math.min(MAX_REFRESH_SKEW_MS, (token.expiresAt - token.issuedAt) * REFRESH_SKEW_SHARE);
}

export interface TokenManagerConfig {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  logger: Logger;
  cache?: TokenCache | undefined;
  /** {@link refreshBudgetMs} of the client's transport settings: how long waiters trust a busy lock. */
  refreshBudgetMs: number;
  events: Emitter;
  now?: () => number;
}

export class TokenManager implements AuthProvider {
  #token: CachedAccessToken | undefined;
  #inflight: Promise<string> | undefined;
  /** The last token a 401 rejected: a shared copy equal to it is treated as absent. */
  #rejected: string | undefined;
  /** Recent tokens, kept only so they can be scrubbed from errors. */
  // Stryker disable next-line ArrayDeclaration: equivalent, an entry that is no token only scrubs text equal to it
  readonly #seen: string[] = [];
  #cacheDown = false;
  /** Whether this client has held a token: the next one from Flanks is then a refresh. */
  #hadToken = false;
  readonly #key: string;
  readonly #seal: TokenSeal;
  readonly #now: () => number;

  readonly #transport: Transport;
  /** Holds the client secret: `#private`, so no inspect or JSON output can reach it. */
  readonly #config: TokenManagerConfig;

  constructor(transport: Transport, config: TokenManagerConfig) {
    this.#transport = transport;
    this.#config = config;
    this.#key = tokenCacheKey(config.baseUrl, config.clientId, config.clientSecret);
    this.#seal = new TokenSeal(config.clientSecret);
    this.#now = config.now ?? Date.now;
  }

  /** Keeps the client secret and tokens out of `util.inspect` output. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return 'TokenManager {}';
  }

  /** Keeps the client secret and tokens out of `JSON.stringify` output. */
  toJSON(): Record<string, unknown> {
    return {};
  }

  async token(options: { signal?: AbortSignal | undefined }): Promise<string> {
    const local = this.#token;
    if (local && this.#usable(local)) return local.value;
    this.#inflight ??= this.#refresh().finally(() => {
      this.#inflight = undefined;
    });
    return raceSignal(
      this.#inflight,
      options.signal,
      () => new FlanksAbortError('Flanks request was aborted while waiting for an access token.'),
    );
  }

  invalidate(token: string): void {
    this.#rejected = token;
    if (this.#token?.value === token) this.#token = undefined;
  }

  secrets(): string[] {
    return this.#seen;
  }

  #usable(token: CachedAccessToken): boolean {
    return token.value !== this.#rejected && token.expiresAt - this.#now() > refreshSkewMs(token);
  }

  /** Makes `token` this client's token; `shared` when it was read from the cache, not fetched. */
  #adopt(token: CachedAccessToken, started: number, shared = false): string {
    this.#token = token;
    this.#remember(token.value);
    const events = this.#config.events;
    // Only spares building the payload: emitting with no listener does nothing.
    // Stryker disable next-line ConditionalExpression: equivalent, see above
    if (events.has('token')) {
      const action = shared ? 'shared' : this.#hadToken ? 'refreshed' : 'fetched';
      events.emit('token', { action, durationMs: this.#now() - started });
    }
    this.#hadToken = true;
    return token.value;
  }

  #remember(value: string): void {
    if (this.#seen.includes(value)) return;
    this.#seen.push(value);
    if (this.#seen.length > 8) this.#seen.shift();
  }

  async #refresh(): Promise<string> {
    const cache = this.#config.cache;
    const started = this.#now();
    if (!cache) return this.#adopt(await this.#fetch(), started);
    for (let wait = FIRST_WAIT_MS; ; wait = Math.min(wait * 2, MAX_WAIT_MS)) {
      const shared = await this.#cacheOp('get', () => cache.get(this.#key));
      if (shared === FAILED) return this.#adopt(await this.#fetch(), started);
      const usable = await this.#shared(shared);
      if (usable) return this.#adopt(usable, started, true);
      const lock = await this.#cacheOp('lock', () => cache.lock(this.#key, LOCK_TTL_MS));
      if (lock === FAILED) return this.#adopt(await this.#fetch(), started);
      if (lock) return this.#refreshHolding(cache, lock, started);
      const patience = this.#config.refreshBudgetMs + LOCK_TTL_MS;
      if (this.#now() - started > patience) {
        this.#config.logger.warn(
          `[flanks-sdk] token cache: the refresh lock stayed taken for over ${patience} ms with no new token; this process fetches its own access token.`,
        );
        return this.#adopt(await this.#fetch(), started);
      }
      await abortableSleep(wait);
    }
  }

  async #refreshHolding(cache: TokenCache, lock: TokenCacheLock, started: number): Promise<string> {
    const renew = lock.extend?.bind(lock);
    const renewal =
      renew && setInterval(() => void this.#cacheOp('extend', () => renew(LOCK_TTL_MS)), RENEW_EVERY_MS);
    try {
      const shared = await this.#cacheOp('get', () => cache.get(this.#key));
      const usable = shared === FAILED ? undefined : await this.#shared(shared);
      if (usable) return this.#adopt(usable, started, true);
      const fresh = await this.#fetch();
      // Sealing is local work, not a cache operation: it is not under the cache's time limit.
      const sealed = await this.#seal.seal(this.#key, fresh).catch(() => undefined);
      if (sealed) await this.#cacheOp('set', () => cache.set(this.#key, sealed));
      return this.#adopt(fresh, started);
    } finally {
      clearInterval(renewal);
      await this.#cacheOp('release', () => lock.release());
    }
  }

  /**
   * A shared entry this process may use, opened, or `undefined` (absent, malformed, not sealed by
   * this application, rejected, about to expire).
   */
  async #shared(entry: unknown): Promise<CachedAccessToken | undefined> {
    if (entry === undefined || entry === null) return undefined;
    const parsed = CachedAccessTokenSchema.safeParse(entry);
    if (!parsed.success) {
      this.#config.logger.warn(
        '[flanks-sdk] token cache returned a malformed entry (expected { value, issuedAt, expiresAt }); ignoring it and refreshing.',
      );
      return undefined;
    }
    const opened = await this.#seal.open(this.#key, parsed.data);
    if (!opened) {
      this.#config.logger.warn(
        '[flanks-sdk] token cache holds an entry that could not be opened with this client secret (written by something else, or an older SDK); ignoring it. If this repeats, check who can write to the cache.',
      );
      return undefined;
    }
    return this.#usable(opened) ? opened : undefined;
  }

  /** Runs one cache operation under CACHE_TIMEOUT_MS; a failure is logged and reported as FAILED. */
  async #cacheOp<T>(op: string, run: () => Promise<T>): Promise<T | typeof FAILED> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const pending = Promise.resolve().then(run);
    // If the timeout wins, a late rejection must not surface as an unhandled rejection.
    pending.catch(() => undefined);
    try {
      const result = await Promise.race([
        pending,
        new Promise<typeof TIMED_OUT>((resolve) => {
          timer = setTimeout(() => resolve(TIMED_OUT), CACHE_TIMEOUT_MS);
        }),
      ]);
      if (result === TIMED_OUT) throw new Error(`no answer within ${CACHE_TIMEOUT_MS} ms`);
      if (this.#cacheDown) {
        this.#cacheDown = false;
        this.#config.logger.info('[flanks-sdk] token cache answers again; sharing the access token again.');
      }
      return result;
    } catch (error) {
      if (!this.#cacheDown) {
        this.#cacheDown = true;
        const reason = error instanceof Error ? `${error.name}: ${error.message}` : typeof error;
        this.#config.logger.warn(
          `[flanks-sdk] token cache ${op} failed (${String(this.#transport.redact(reason))}); this process fetches its own access token until the cache answers again. API calls are not affected.`,
        );
      }
      return FAILED;
    } finally {
      clearTimeout(timer);
    }
  }

  async #fetch(): Promise<CachedAccessToken> {
    const { data } = await this.#transport.request({
      method: 'POST',
      path: '/v0/token',
      auth: false,
      idempotent: true,
      body: {
        client_id: this.#config.clientId,
        client_secret: this.#config.clientSecret,
        grant_type: 'client_credentials',
      },
      response: one('Token', TokenResponse),
    });
    // The token is needed whatever the validation mode, so its presence is checked here too.
    if (typeof data?.access_token !== 'string' || data.access_token === '') {
      throw new FlanksApiError({
        status: 200,
        message: 'Flanks POST /v0/token answered without an access_token. Contact Flanks support.',
        method: 'POST',
        path: '/v0/token',
      });
    }
    const expiresIn =
      typeof data.expires_in === 'number' && data.expires_in > 0 ? data.expires_in : DEFAULT_EXPIRES_IN_S;
    this.#remember(data.access_token);
    const issuedAt = this.#now();
    return { value: data.access_token, issuedAt, expiresAt: issuedAt + expiresIn * 1000 };
  }
}
