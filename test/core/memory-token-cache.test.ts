import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type CachedAccessToken, FlanksValidationError, MemoryTokenCache } from '../../src';

/*
 * MemoryTokenCache at its edges, on a fake clock: the millisecond an entry or a lock expires, copies
 * in and out, and what a malformed entry is called. The shared contract (token-cache.test.ts) covers
 * the behaviour; these pin the boundaries it leaves open.
 */

const T0 = 1_750_000_000_000;
const entry = (expiresAt: number, value = 'at_sealed_value'): CachedAccessToken => ({
  value,
  issuedAt: T0,
  expiresAt,
});

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'], now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('MemoryTokenCache boundaries', () => {
  it('serves an entry until the millisecond before expiresAt, and not at expiresAt', async () => {
    const cache = new MemoryTokenCache();
    await cache.set('k', entry(T0 + 1_000));
    vi.setSystemTime(T0 + 999);
    expect(await cache.get('k')).toEqual(entry(T0 + 1_000));
    vi.setSystemTime(T0 + 1_000);
    expect(await cache.get('k')).toBeUndefined();
  });

  it('an entry set already expired is not kept, and clears the one it replaces', async () => {
    const cache = new MemoryTokenCache();
    await cache.set('k', entry(T0 + 60_000, 'at_live'));
    await cache.set('k', entry(T0, 'at_dead'));
    expect(inspect(cache)).toBe('MemoryTokenCache { tokens: 0 }');
    expect(await cache.get('k')).toBeUndefined();
    await cache.set('k', entry(T0 + 1, 'at_live'));
    expect(await cache.get('k')).toEqual(entry(T0 + 1, 'at_live'));
  });

  it('keeps its own copies: changing what was set or what was read changes nothing inside', async () => {
    const cache = new MemoryTokenCache();
    const given = entry(T0 + 60_000);
    await cache.set('k', given);
    given.value = 'at_changed_by_the_caller';
    const read = (await cache.get('k'))!;
    read.value = 'at_changed_by_a_reader';
    expect(await cache.get('k')).toEqual(entry(T0 + 60_000));
  });

  it('a lock is held for ttlMs: taken again only at the millisecond it expires', async () => {
    const cache = new MemoryTokenCache();
    const first = await cache.lock('k', 1_000);
    expect(first).toBeDefined();
    vi.setSystemTime(T0 + 999);
    expect(await cache.lock('k', 1_000)).toBeUndefined();
    expect(await first!.extend!(1_000)).toBe(true); // still its own: now held until T0 + 1999
    vi.setSystemTime(T0 + 1_998);
    expect(await cache.lock('k', 1_000)).toBeUndefined();
    vi.setSystemTime(T0 + 1_999);
    expect(await first!.extend!(1_000)).toBe(false); // expired: no longer its own
    const second = await cache.lock('k', 1_000);
    expect(second).toBeDefined();
    // The first holder's release must not free the second's lock.
    await first!.release();
    expect(await cache.lock('k', 1_000)).toBeUndefined();
    await second!.release();
    expect(await cache.lock('k', 1_000)).toBeDefined();
  });

  it('locks of different keys do not exclude each other', async () => {
    const cache = new MemoryTokenCache();
    expect(await cache.lock('a', 1_000)).toBeDefined();
    expect(await cache.lock('b', 1_000)).toBeDefined();
  });

  it('names what is wrong with a malformed entry', async () => {
    const cache = new MemoryTokenCache();
    const messageOf = async (token: unknown) => {
      const err = await cache.set('k', token as CachedAccessToken).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FlanksValidationError);
      return { message: (err as Error).message, path: (err as FlanksValidationError).path };
    };
    expect(await messageOf({ value: 'v', issuedAt: T0 })).toEqual({
      message: 'token.expiresAt is invalid: Invalid input.',
      path: 'token.expiresAt',
    });
    expect(await messageOf('at_plain_string')).toEqual({
      message: 'token is invalid: Invalid input.',
      path: 'token',
    });
  });

  it('names a bad key and a lock time outside 1 ms to the longest timer', async () => {
    const cache = new MemoryTokenCache();
    const refusal = async (call: () => Promise<unknown>) => {
      const err = await call().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FlanksValidationError);
      return { message: (err as Error).message, path: (err as FlanksValidationError).path };
    };
    expect(await refusal(() => cache.get(''))).toEqual({
      message: 'key must be a non-empty string; got an empty string.',
      path: 'key',
    });
    const range = 'must be a finite number between 1 and 2147483647';
    expect(await refusal(() => cache.lock('k', 0))).toEqual({
      message: `ttlMs ${range}; got 0.`,
      path: 'ttlMs',
    });
    expect(await refusal(() => cache.lock('k', 2_147_483_648))).toEqual({
      message: `ttlMs ${range}; got 2147483648.`,
      path: 'ttlMs',
    });
    expect(await cache.lock('k', 1)).toBeDefined();
    expect(await cache.lock('k2', 2_147_483_647)).toBeDefined();
  });
});
