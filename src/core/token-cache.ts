import * as z from 'zod/mini';
import { checkArg, MAX_TIMER_MS, requireKey, requireNumber } from '../internal/args';

/**
 * Schema of a {@link CachedAccessToken}: what the SDK writes to a {@link TokenCache}. Caches that
 * serialise entries (Redis strings, SQL rows) validate what they read back with it.
 *
 * @example
 * ```ts
 * const parsed = CachedAccessTokenSchema.safeParse(JSON.parse(raw));
 * const token = parsed.success ? parsed.data : undefined;
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/authentication
 */
export const CachedAccessTokenSchema = z.object({
  /**
   * The access token, sealed by the client (AES-256-GCM under a key derived from the client secret):
   * a cache never sees the bearer token in clear. Opaque to the cache; store it exactly as given.
   */
  value: z.string().check(z.minLength(1)),
  /** When the SDK received it, in epoch ms. With `expiresAt` it gives the token's lifetime. */
  issuedAt: z.number(),
  /** When it stops being valid (`issuedAt` + `expires_in`), in epoch ms. */
  expiresAt: z.number(),
});

/**
 * One access token as a {@link TokenCache} holds it.
 *
 * @example
 * ```ts
 * const token: CachedAccessToken = { value: 'eyJ…', issuedAt: Date.now(), expiresAt: Date.now() + 3_600_000 };
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/authentication
 */
export type CachedAccessToken = z.infer<typeof CachedAccessTokenSchema>;

/**
 * A lock taken with {@link TokenCache.lock}. Releasing frees it only if this holder still owns it:
 * a holder whose lock expired and was taken by another process must not free the other's lock.
 *
 * @example
 * ```ts
 * const lock = await cache.lock(key, 10_000);
 * if (lock) {
 *   try { await cache.set(key, await fetchToken()); } finally { await lock.release(); }
 * }
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/authentication
 */
export interface TokenCacheLock {
  release(): Promise<void>;
  /**
   * Optional. Pushes the lock's expiry to `ttlMs` from now if this holder still owns it; resolves
   * `false` when it does not (the lock expired and may be someone else's). The SDK renews its lock
   * while its token request runs, so a holder slowed by a throttled or slow token endpoint keeps the
   * lock and the fleet still asks for one token. Without it, another process takes the lock once
   * `ttlMs` passes and fetches a second token, which may revoke the first.
   */
  extend?(ttlMs: number): Promise<boolean>;
}

/**
 * Where processes that share one Flanks application keep its access token, so a fleet holds one
 * token and asks Flanks for a new one once. Flanks may revoke a token when it issues the next, so
 * processes that each fetch their own knock each other's tokens out (a storm of 401s). Pass one as
 * the `tokenCache` client option; {@link MemoryTokenCache} is the in-process reference
 * implementation, `RedisTokenCache` from `flanks-sdk/token-cache/redis` the shared one, and
 * `runTokenCacheContract` from `flanks-sdk/testing` checks any implementation.
 *
 * The contract:
 * - `get` resolves to the token last `set` under `key`, or `undefined` when there is none or its
 *   `expiresAt` has passed. It never throws for "not found".
 * - `set` replaces the entry (last write wins); an entry may be dropped once `expiresAt` passes.
 * - `lock(key, ttlMs)` is a mutual exclusion across every process using the cache: it resolves to a
 *   {@link TokenCacheLock} when the caller got the lock, `undefined` when someone else holds it. A
 *   lock nobody releases expires after `ttlMs`, so a crashed holder cannot block the fleet.
 * - Entries must come back exactly as they were set (the value is a sealed token of about 100
 *   characters). Keep the store private all the same, and do not show entries in `util.inspect` output.
 *
 * The SDK seals every entry (AES-256-GCM, a key derived from the client secret, the cache key as
 * associated data) and calls the cache with keys that are a MAC of the API base URL and the client id
 * under the client secret: reading the cache gives no token, and an entry the SDK cannot open (written
 * by anyone else) counts as absent. Any method may throw or hang: the client then logs a warning and
 * fetches a token of its own, so a cache outage never fails an API call.
 *
 * @example
 * ```ts
 * class MyCache implements TokenCache {
 *   async get(key: string) { … }
 *   async set(key: string, token: CachedAccessToken) { … }
 *   async lock(key: string, ttlMs: number) { … }
 * }
 * const flanks = new FlanksClient({ tokenCache: new MyCache() });
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/authentication
 */
export interface TokenCache {
  get(key: string): Promise<CachedAccessToken | undefined>;
  set(key: string, token: CachedAccessToken): Promise<void>;
  lock(key: string, ttlMs: number): Promise<TokenCacheLock | undefined>;
}

/**
 * The arguments of a {@link TokenCache} call, checked by every cache the SDK ships: a non-empty key,
 * a well-formed token for `set` (a malformed entry would poison every reader), a lock time of 1 ms to
 * the longest timer.
 */
export const checkTokenCacheArgs = {
  key: (key: unknown): string => requireKey(key, 'key'),
  token: (token: unknown): CachedAccessToken => checkArg(CachedAccessTokenSchema, token, 'token'),
  ttlMs: (ttlMs: unknown): number => requireNumber(ttlMs, 'ttlMs', { min: 1, max: MAX_TIMER_MS }),
};

/**
 * An in-process {@link TokenCache}: several clients in one process share one token through it.
 * It does not help across processes; use `RedisTokenCache` (`flanks-sdk/token-cache/redis`) there.
 * The reference implementation of the contract, also handy in tests.
 *
 * @example
 * ```ts
 * const tokenCache = new MemoryTokenCache();
 * const a = new FlanksClient({ tokenCache });
 * const b = new FlanksClient({ tokenCache, timeoutMs: 5_000 }); // same app: one token for both
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/authentication
 */
export class MemoryTokenCache implements TokenCache {
  readonly #tokens = new Map<string, CachedAccessToken>();
  readonly #locks = new Map<string, { owner: object; expiresAt: number }>();

  async get(key: string): Promise<CachedAccessToken | undefined> {
    const token = this.#tokens.get(checkTokenCacheArgs.key(key));
    if (token && token.expiresAt <= Date.now()) {
      this.#tokens.delete(key);
      return undefined;
    }
    return token && { ...token };
  }

  async set(key: string, token: CachedAccessToken): Promise<void> {
    checkTokenCacheArgs.key(key);
    const checked = checkTokenCacheArgs.token(token);
    if (checked.expiresAt <= Date.now()) this.#tokens.delete(key);
    else this.#tokens.set(key, { ...checked });
  }

  async lock(key: string, ttlMs: number): Promise<TokenCacheLock | undefined> {
    checkTokenCacheArgs.key(key);
    checkTokenCacheArgs.ttlMs(ttlMs);
    const held = this.#locks.get(key);
    if (held && held.expiresAt > Date.now()) return undefined;
    const owner = {};
    this.#locks.set(key, { owner, expiresAt: Date.now() + ttlMs });
    const owns = () => {
      const lock = this.#locks.get(key);
      return lock?.owner === owner && lock.expiresAt > Date.now();
    };
    return {
      release: async () => {
        if (owns()) this.#locks.delete(key);
      },
      extend: async (ms) => {
        checkTokenCacheArgs.ttlMs(ms);
        if (!owns()) return false;
        this.#locks.set(key, { owner, expiresAt: Date.now() + ms });
        return true;
      },
    };
  }

  /** Keeps cached tokens out of `util.inspect` output. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `MemoryTokenCache { tokens: ${this.#tokens.size} }`;
  }
}
