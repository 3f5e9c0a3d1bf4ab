import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type CachedAccessToken,
  FlanksValidationError,
  MemoryTokenCache,
  type TokenCache,
  type TokenCacheLock,
} from '../../src';
import { runTokenCacheContract } from '../../src/testing';

// The in-process cache runs the same conformance suite as the Redis one (test/token-cache/), on a
// fake clock: `wait` moves Date forward instead of sleeping.
describe('MemoryTokenCache', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  runTokenCacheContract(() => new MemoryTokenCache(), {
    name: 'contract',
    describe,
    it,
    wait: async (ms) => {
      vi.setSystemTime(Date.now() + ms);
    },
  });

  it('rejects a malformed token with a FlanksValidationError naming the field', async () => {
    const cache = new MemoryTokenCache();
    const err = await cache
      .set('k', { value: '', issuedAt: 1, expiresAt: 2 } as CachedAccessToken)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksValidationError);
    expect((err as FlanksValidationError).path).toBe('token.value');
  });

  it('prints its size, never a token', async () => {
    const cache = new MemoryTokenCache();
    await cache.set('k', { value: 'at_secret_in_cache', issuedAt: Date.now(), expiresAt: Date.now() + 1000 });
    expect(inspect(cache)).toBe('MemoryTokenCache { tokens: 1 }');
  });
});

describe('the token-cache contract catches broken caches', () => {
  const runCases = async (make: () => TokenCache, wait = async (_ms: number) => undefined) => {
    const cases: Array<{ name: string; body: () => Promise<void> }> = [];
    runTokenCacheContract(make, {
      describe: (_name, body) => body(),
      it: (name, body) => cases.push({ name, body }),
      wait,
    });
    const failed: string[] = [];
    for (const c of cases) await c.body().catch(() => failed.push(c.name));
    return failed;
  };

  it('flags a lock that excludes nobody and a release that frees any holder', async () => {
    // Locks are a plain "taken" flag: concurrent callers all win, and any release frees the key.
    class NaiveLockCache extends MemoryTokenCache {
      readonly taken = new Set<string>();
      override async lock(key: string): Promise<TokenCacheLock | undefined> {
        await Promise.resolve();
        const wasTaken = this.taken.has(key);
        await Promise.resolve();
        if (wasTaken) return undefined;
        this.taken.add(key);
        return { release: async () => void this.taken.delete(key) };
      }
    }
    const failed = await runCases(() => new NaiveLockCache());
    expect(failed).toContain('exactly one of 20 concurrent lock() calls wins');
    expect(failed).toContain(
      'a lock nobody releases expires after its ttl; the stale holder cannot free the next lock',
    );
  });

  it('flags a cache that serves expired tokens and shows tokens in inspect output', async () => {
    class LeakyCache implements TokenCache {
      readonly tokens = new Map<string, CachedAccessToken>();
      async get(key: string) {
        return this.tokens.get(key);
      }
      async set(key: string, token: CachedAccessToken) {
        this.tokens.set(key, token);
      }
      lock = new MemoryTokenCache().lock.bind(new MemoryTokenCache());
    }
    const failed = await runCases(() => new LeakyCache());
    expect(failed).toContain('never serves a token whose expiresAt has passed');
    expect(failed).toContain('shows no token in util.inspect output');
    expect(failed).toContain('does not share mutable objects with callers');
  });

  it('flags an extend() that renews a lock its caller no longer holds', async () => {
    class CarelessExtendCache extends MemoryTokenCache {
      override async lock(key: string, ttlMs: number): Promise<TokenCacheLock | undefined> {
        const lock = await super.lock(key, ttlMs);
        return lock && { release: () => lock.release(), extend: async () => true };
      }
    }
    vi.useFakeTimers({ toFake: ['Date'] });
    const failed = await runCases(
      () => new CarelessExtendCache(),
      async (ms) => void vi.setSystemTime(Date.now() + ms),
    );
    vi.useRealTimers();
    expect(failed).toEqual([
      'a renewable lock (extend) stays held past its first ttl; a stale holder cannot renew',
    ]);
  });

  it('flags a cache that does not give entries back exactly as set (clients then never share a token)', async () => {
    // Stores a shortened value, as a column too narrow for the SDK's sealed entries would.
    class TruncatingCache extends MemoryTokenCache {
      override async set(key: string, token: CachedAccessToken) {
        await super.set(key, { ...token, value: token.value.slice(0, 48) });
      }
    }
    const failed = await runCases(() => new TruncatingCache());
    expect(failed).toContain(
      'through FlanksClients: entries are shared, hold no token in clear, and a planted token is not used',
    );
  });

  it('needs describe/it when the runner has no globals', () => {
    expect(() => runTokenCacheContract(() => new MemoryTokenCache())).toThrow(/describe, it/);
  });
});
