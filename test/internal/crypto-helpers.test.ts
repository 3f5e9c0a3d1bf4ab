import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url } from '../../src/internal/encoding';
import { hash32 } from '../../src/internal/hash';
import { constantTimeEqual, hmacSha256 } from '../../src/internal/hmac';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (text: string) => new TextEncoder().encode(text);

describe('hmacSha256', () => {
  it('matches RFC 4231 test case 2', () => {
    expect(hex(hmacSha256(bytes('Jefe'), bytes('what do ya want for nothing?')))).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('agrees with node:crypto on arbitrary inputs and keys (including > 64-byte keys)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 150 }), (data, key) => {
        expect(hex(hmacSha256(key, data))).toBe(createHmac('sha256', key).update(data).digest('hex'));
      }),
      { numRuns: 300 },
    );
  });

  it('constantTimeEqual compares exactly', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
  });
});

describe('base64url', () => {
  it('round-trips any bytes and agrees with Buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (data) => {
        const text = toBase64Url(data);
        expect(text).toBe(Buffer.from(data).toString('base64url'));
        expect(fromBase64Url(text)).toEqual(data);
      }),
    );
  });

  it('also reads standard base64 with padding', () => {
    const data = new Uint8Array([251, 255, 191, 0]);
    expect(fromBase64Url(Buffer.from(data).toString('base64'))).toEqual(data);
  });
});

describe('hash32', () => {
  // Pinned: the sandbox's seeded data and the Postgres store's advisory lock key depend on it.
  it('is stable across runtimes and releases', () => {
    expect([hash32(''), hash32('a'), hash32('a', 1), hash32('flanks_credentials')]).toEqual([
      2872998923, 444641715, 3873127206, 2462161095,
    ]);
  });
});
