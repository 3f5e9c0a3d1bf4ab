/**
 * `flanks-sdk/token-cache/redis`: a {@link TokenCache} in Redis, so every process of a fleet shares
 * one Flanks access token. Works with an `ioredis` client (an optional peer dependency); nothing is
 * imported from it at run time.
 *
 * @module flanks-sdk/token-cache/redis
 */
import {
  type CachedAccessToken,
  CachedAccessTokenSchema,
  checkTokenCacheArgs,
  type TokenCache,
  type TokenCacheLock,
} from '../core/token-cache';
import { optionalString, requireMethods, requireObject } from '../internal/args';

// The main entry's types this entry's signatures use, so they can be named from here too.
export type {
  CachedAccessToken,
  CachedAccessTokenSchema,
  TokenCache,
  TokenCacheLock,
} from '../core/token-cache';

/**
 * The Redis commands {@link RedisTokenCache} uses, typed so that an `ioredis` client (v5 and later)
 * fits as it is. Another client fits through a small adapter with these four methods.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * const redis: RedisTokenCacheClient = new Redis(process.env.REDIS_URL!);
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/authentication
 */
export interface RedisTokenCacheClient {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, millisecondsToken: 'PX', milliseconds: number): Promise<unknown>;
  set(
    key: string,
    value: string,
    millisecondsToken: 'PX',
    milliseconds: number,
    nx: 'NX',
  ): Promise<string | null>;
  del(key: string): Promise<number>;
  eval(script: string, numkeys: number, ...args: string[]): Promise<unknown>;
}

/**
 * Options of {@link RedisTokenCache}.
 *
 * @example
 * ```ts
 * const options: RedisTokenCacheOptions = { redis: new Redis(process.env.REDIS_URL!), prefix: 'myapp:flanks:' };
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/authentication
 */
export interface RedisTokenCacheOptions {
  /** A connected client, e.g. `new Redis(url)` from `ioredis`. The cache never closes it. */
  redis: RedisTokenCacheClient;
  /** Prefix of every key the cache writes. Default `flanks:`. */
  prefix?: string | undefined;
}

/** The commands the cache sends, under the same names in ioredis and node-redis. */
const REDIS_COMMANDS = ['get', 'set', 'del', 'eval'];

/**
 * The commands {@link fromNodeRedis} needs from a node-redis (`redis` package, v4 or newer) client.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * const client: NodeRedisClient = await createClient({ url: process.env.REDIS_URL }).connect();
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/authentication
 */
export interface NodeRedisClient {
  get(key: string): Promise<unknown>;
  set(key: string, value: string, options: { PX: number; NX?: true }): Promise<unknown>;
  del(key: string): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/**
 * Adapts a node-redis client (the `redis` package) to what {@link RedisTokenCache} calls, which is
 * ioredis' command style: `set(key, value, 'PX', ms, 'NX')` becomes `set(key, value, { PX, NX })` and
 * `eval(script, numkeys, ...args)` becomes `eval(script, { keys, arguments })`.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import { fromNodeRedis, RedisTokenCache } from 'flanks-sdk/token-cache/redis';
 *
 * const client = await createClient({ url: process.env.REDIS_URL }).connect();
 * const flanks = new FlanksClient({ tokenCache: new RedisTokenCache({ redis: fromNodeRedis(client) }) });
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/authentication
 */
export function fromNodeRedis(client: NodeRedisClient): RedisTokenCacheClient {
  requireMethods(
    client,
    REDIS_COMMANDS,
    'client',
    'a connected node-redis client (createClient() from the redis package)',
  );
  const set = async (key: string, value: string, _px: 'PX', ms: number, nx?: 'NX') => {
    const reply = await client.set(key, value, nx ? { PX: ms, NX: true } : { PX: ms });
    return reply === null || reply === undefined ? null : String(reply);
  };
  return {
    get: async (key) => {
      const value = await client.get(key);
      return value === null || value === undefined ? null : String(value);
    },
    set: set as RedisTokenCacheClient['set'],
    del: async (key) => Number(await client.del(key)),
    eval: (script, numkeys, ...args) =>
      client.eval(script, { keys: args.slice(0, numkeys), arguments: args.slice(numkeys) }),
  };
}

// Deletes the lock only while it still carries this holder's id: a holder whose lock expired and
// was taken by another process must not free the other's lock.
const RELEASE_SCRIPT = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
// Renews the lock only while it still carries this holder's id, for the same reason.
const EXTEND_SCRIPT = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

/**
 * A {@link TokenCache} in Redis: the token is a JSON string under `<prefix><key>` that Redis expires
 * with the token, and the refresh lock is `SET <prefix><key>:lock <id> NX PX <ttl>`, released by a
 * compare-and-delete script and renewed by a compare-and-pexpire one. The client seals the token
 * before it reaches the cache, so Redis holds no bearer token in clear and an entry written by anyone
 * without the client secret is ignored; keep the Redis instance private all the same (no public
 * network access, AUTH or ACLs, TLS across untrusted networks): whoever can write to it can still
 * delete entries and hold the refresh lock.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { FlanksClient } from 'flanks-sdk';
 * import { RedisTokenCache } from 'flanks-sdk/token-cache/redis';
 *
 * const redis = new Redis(process.env.REDIS_URL!);
 * const flanks = new FlanksClient({ tokenCache: new RedisTokenCache({ redis }) });
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/authentication
 */
export class RedisTokenCache implements TokenCache {
  readonly #redis: RedisTokenCacheClient;
  readonly #prefix: string;

  constructor(options: RedisTokenCacheOptions) {
    const o = requireObject(options, 'options');
    this.#redis = requireMethods<RedisTokenCacheClient>(
      o.redis,
      REDIS_COMMANDS,
      'options.redis',
      'a Redis client (e.g. new Redis(url) from ioredis)',
    );
    this.#prefix = optionalString(o.prefix, 'options.prefix') ?? 'flanks:';
  }

  async get(key: string): Promise<CachedAccessToken | undefined> {
    const raw = await this.#redis.get(this.#prefix + checkTokenCacheArgs.key(key));
    if (raw === null) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return undefined;
    }
    // Something else wrote this key: treat it as absent, so the next refresh overwrites it.
    const parsed = CachedAccessTokenSchema.safeParse(json);
    return parsed.success && parsed.data.expiresAt > Date.now() ? parsed.data : undefined;
  }

  async set(key: string, token: CachedAccessToken): Promise<void> {
    checkTokenCacheArgs.key(key);
    const checked = checkTokenCacheArgs.token(token);
    const ttl = Math.ceil(checked.expiresAt - Date.now());
    if (ttl <= 0) {
      await this.#redis.del(this.#prefix + key);
      return;
    }
    await this.#redis.set(this.#prefix + key, JSON.stringify(checked), 'PX', ttl);
  }

  async lock(key: string, ttlMs: number): Promise<TokenCacheLock | undefined> {
    const lockKey = `${this.#prefix}${checkTokenCacheArgs.key(key)}:lock`;
    checkTokenCacheArgs.ttlMs(ttlMs);
    const id = crypto.randomUUID();
    const reply = await this.#redis.set(lockKey, id, 'PX', Math.ceil(ttlMs), 'NX');
    if (reply !== 'OK') return undefined;
    return {
      release: async () => {
        await this.#redis.eval(RELEASE_SCRIPT, 1, lockKey, id);
      },
      extend: async (ms) => {
        checkTokenCacheArgs.ttlMs(ms);
        return (await this.#redis.eval(EXTEND_SCRIPT, 1, lockKey, id, String(Math.ceil(ms)))) === 1;
      },
    };
  }

  /** Shows the prefix only: neither tokens nor the client (whose options may hold a password). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `RedisTokenCache { prefix: '${this.#prefix}' }`;
  }

  /** Same as the inspect output, for `JSON.stringify`. */
  toJSON(): Record<string, unknown> {
    return { prefix: this.#prefix };
  }
}
