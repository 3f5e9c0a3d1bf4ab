import { inspect } from 'node:util';
import { FlanksClient } from '../client';
import type { CachedAccessToken, TokenCache } from '../core/token-cache';
import { argumentError } from '../internal/args';
import { abortableSleep } from '../internal/sleep';
import { FlanksSandbox, SANDBOX_CLIENT_SECRET } from './sandbox';
import type { ContractRunner } from './store-contract';

/**
 * Options of {@link runTokenCacheContract}.
 *
 * @example
 * ```ts
 * runTokenCacheContract(makeCache, { name: 'RedisTokenCache', describe, it });
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/authentication
 */
export interface TokenCacheContractOptions extends Partial<ContractRunner> {
  /** Suite title. Default `TokenCache contract`. */
  name?: string;
  /**
   * Lets `ms` of the cache's time pass, for the expiry cases. Default: a real `setTimeout` wait
   * (the cases wait under a second in all). Pass a fake-timer advance for in-process caches.
   */
  wait?: (ms: number) => Promise<void>;
}

class ContractViolation extends Error {
  override readonly name = 'TokenCacheContractViolation';
}

function expectEqual(actual: unknown, expected: unknown, what: string): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new ContractViolation(
      `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`,
    );
  }
}

function expectTrue(condition: boolean, what: string): void {
  if (!condition) throw new ContractViolation(what);
}

let counter = 0;
function key(): string {
  counter++;
  return `contract-${counter}-${Math.random().toString(36).slice(2)}`;
}

function token(lifetimeMs = 3_600_000): CachedAccessToken {
  counter++;
  const issuedAt = Date.now();
  return {
    value: `at_contract_${counter}_${Math.random().toString(36).slice(2)}`,
    issuedAt,
    expiresAt: issuedAt + lifetimeMs,
  };
}

/**
 * Registers a test suite proving that a {@link TokenCache} implementation keeps the contract the SDK
 * relies on to share one access token across processes: get/set round trips and replacement,
 * expiry of entries, a lock that only one caller gets (also under a burst of concurrent attempts),
 * that expires when its holder never releases it, and whose stale release cannot free another
 * holder's lock; a lock renewal (`extend`, when implemented) that only its holder can make; that
 * FlanksClients share a token through it, with no token in clear in any entry and no use of a token
 * planted in it; and no token in `util.inspect` output. `makeCache` is called once per case; every
 * case uses fresh random keys, so a shared backend needs no cleanup between cases.
 *
 * @example
 * ```ts
 * import { describe, it } from 'vitest';
 * import { runTokenCacheContract } from 'flanks-sdk/testing';
 * import { RedisTokenCache } from 'flanks-sdk/token-cache/redis';
 *
 * runTokenCacheContract(() => new RedisTokenCache({ redis, prefix: 'test:' }), { describe, it });
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/authentication
 */
export function runTokenCacheContract(
  makeCache: () => TokenCache | Promise<TokenCache>,
  options: TokenCacheContractOptions = {},
): void {
  const g = globalThis as unknown as Partial<ContractRunner>;
  const describe = options.describe ?? g.describe;
  const it = options.it ?? g.it;
  if (!describe || !it) {
    throw argumentError('options', 'must give { describe, it } from your test runner (none are global).');
  }
  const wait = options.wait ?? ((ms: number) => abortableSleep(ms));

  describe(options.name ?? 'TokenCache contract', () => {
    it('get() resolves undefined for an unknown key', async () => {
      const cache = await makeCache();
      expectEqual(await cache.get(key()), undefined, 'get(unknown)');
    });

    it('set() then get() returns an equal token; keys are independent', async () => {
      const cache = await makeCache();
      const [k1, k2] = [key(), key()];
      const [t1, t2] = [token(), token()];
      await cache.set(k1, t1);
      await cache.set(k2, t2);
      expectEqual(await cache.get(k1), t1, 'get(k1)');
      expectEqual(await cache.get(k2), t2, 'get(k2)');
    });

    it('set() replaces the entry: last write wins', async () => {
      const cache = await makeCache();
      const k = key();
      const second = token();
      await cache.set(k, token());
      await cache.set(k, second);
      expectEqual(await cache.get(k), second, 'get after the second set');
    });

    it('does not share mutable objects with callers', async () => {
      const cache = await makeCache();
      const k = key();
      const t = token();
      const snapshot = { ...t };
      await cache.set(k, t);
      t.value = 'mutated-after-set';
      const read = await cache.get(k);
      expectEqual(read, snapshot, 'mutating the set object changed the cache');
      if (read) read.value = 'mutated-after-get';
      expectEqual(await cache.get(k), snapshot, 'mutating a read token changed the cache');
    });

    it('never serves a token whose expiresAt has passed', async () => {
      const cache = await makeCache();
      const [expired, expiring] = [key(), key()];
      const past = token();
      await cache.set(expired, {
        ...past,
        issuedAt: past.issuedAt - 7_200_000,
        expiresAt: past.issuedAt - 1,
      });
      expectEqual(await cache.get(expired), undefined, 'get of a token set already expired');
      await cache.set(expiring, token(300));
      await wait(600);
      expectEqual(await cache.get(expiring), undefined, 'get after expiresAt passed');
    });

    it('lock() is exclusive until released', async () => {
      const cache = await makeCache();
      const k = key();
      const first = await cache.lock(k, 10_000);
      expectTrue(first !== undefined, 'the first lock() on a free key must succeed');
      expectEqual(await cache.lock(k, 10_000), undefined, 'a second lock() while held');
      expectTrue((await cache.lock(key(), 10_000)) !== undefined, 'a lock on another key is independent');
      await first?.release();
      const again = await cache.lock(k, 10_000);
      expectTrue(again !== undefined, 'lock() after release must succeed');
      await again?.release();
      await again?.release();
    });

    it('exactly one of 20 concurrent lock() calls wins', async () => {
      const cache = await makeCache();
      const k = key();
      const locks = await Promise.all(Array.from({ length: 20 }, () => cache.lock(k, 10_000)));
      expectEqual(locks.filter((l) => l !== undefined).length, 1, 'winners among 20 concurrent lock() calls');
    });

    it('a lock nobody releases expires after its ttl; the stale holder cannot free the next lock', async () => {
      const cache = await makeCache();
      const k = key();
      const dead = await cache.lock(k, 300);
      expectTrue(dead !== undefined, 'the first lock() must succeed');
      await wait(600);
      const next = await cache.lock(k, 10_000);
      expectTrue(next !== undefined, 'lock() after the ttl of an unreleased lock must succeed');
      await dead?.release();
      expectEqual(
        await cache.lock(k, 10_000),
        undefined,
        'lock() after a stale release (must still be held)',
      );
      await next?.release();
    });

    // Timed against a second lock taken with the same first ttl, not against a clock: "past its first
    // ttl" is when that lock has lapsed, however slow the machine or the backend.
    it('a renewable lock (extend) stays held past its first ttl; a stale holder cannot renew', async () => {
      const cache = await makeCache();
      const [k, twin] = [key(), key()];
      const held = await cache.lock(k, 2_000);
      if (!held?.extend) return; // extend is optional
      expectTrue((await cache.lock(twin, 2_000)) !== undefined, 'lock() on a free key must succeed');
      expectEqual(await held.extend(60_000), true, 'extend() by the holder');
      let lapsed = await cache.lock(twin, 60_000);
      while (lapsed === undefined) {
        await wait(250);
        lapsed = await cache.lock(twin, 60_000);
      }
      await lapsed.release();
      expectEqual(await cache.lock(k, 60_000), undefined, 'lock() past the first ttl of a renewed lock');
      expectEqual(await held.extend(300), true, 'a second extend() by the holder');
      await wait(600);
      const next = await cache.lock(k, 10_000);
      expectTrue(next !== undefined, 'lock() after the renewed ttl passed must succeed');
      expectEqual(await held.extend(10_000), false, 'extend() by a holder whose lock expired');
      await next?.release();
    });

    it('through FlanksClients: entries are shared, hold no token in clear, and a planted token is not used', async () => {
      const cache = await makeCache();
      const keys = new Set<string>();
      const seen = (k: string) => {
        keys.add(k);
        return k;
      };
      const recording: TokenCache = {
        get: (k) => cache.get(seen(k)),
        set: (k, t) => cache.set(seen(k), t),
        lock: (k, ttl) => cache.lock(seen(k), ttl),
      };
      // A sandbox of its own per case, with an application (so a cache key) of its own.
      const clientId = key();
      const sandbox = new FlanksSandbox({ clients: [{ clientId, clientSecret: SANDBOX_CLIENT_SECRET }] });
      const fetch = (async (url: string | URL | Request, init?: RequestInit) => {
        const answer = await sandbox.handle(new Request(url, init));
        if (answer instanceof Response) return answer;
        throw new TypeError('sandbox fault');
      }) as typeof globalThis.fetch;
      const quiet = { debug() {}, info() {}, warn() {}, error() {} };
      const client = () =>
        new FlanksClient({
          clientId,
          clientSecret: SANDBOX_CLIENT_SECRET,
          fetch,
          tokenCache: recording,
          logger: quiet,
          maxRetries: 0,
        });
      await client().entities.list();
      await client().entities.list();
      expectEqual(
        sandbox.stats.tokenRequests,
        1,
        'token requests of two clients sharing the cache (an entry must come back exactly as it was set)',
      );
      const bearers = () =>
        sandbox.requests.flatMap((r) => (r.authorization ? [r.authorization.slice(7)] : []));
      for (const k of keys) {
        const held = JSON.stringify((await cache.get(k)) ?? null);
        expectTrue(!bearers().some((t) => held.includes(t)), 'an entry holds the access token in clear');
      }
      // Someone who can write to the cache replaces the entry with a token of their choosing.
      const now = Date.now();
      const planted = { value: `at_planted_${key()}`, issuedAt: now, expiresAt: now + 3_600_000 };
      for (const k of keys) await cache.set(k, planted);
      await client().entities.list();
      expectTrue(!bearers().includes(planted.value), 'a client sent a token planted in the cache');
      expectEqual(sandbox.stats.tokenRequests, 2, 'token requests after a token was planted');
    });

    it('shows no token in util.inspect output', async () => {
      const cache = await makeCache();
      const t = token();
      await cache.set(key(), t);
      expectTrue(!inspect(cache, { depth: 5 }).includes(t.value), 'util.inspect(cache) shows a cached token');
    });
  });
}
