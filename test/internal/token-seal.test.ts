import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { type CachedAccessToken, MemoryTokenCache, type TokenCache } from '../../src';
import { TokenSeal } from '../../src/internal/token-seal';
import { BASE, CLIENT_ID, CLIENT_SECRET, makeClient, route, spyLogger, tokenRoute, useMsw } from '../helpers';

/*
 * The sealed token-cache entry format (src/internal/token-seal.ts), rebuilt here with node:crypto
 * from its documented rules: the cache key, the AES-256-GCM key from HKDF, the `s1.<iv>.<ciphertext>`
 * value and the associated data. Clients of different SDK versions share one cache, so the format is
 * a contract: an entry sealed by these rules is used, and one that breaks any of them is not.
 */

useMsw();

const PATH = '/v0/bank/credentials/status';
const label = createHmac('sha256', CLIENT_SECRET).update('flanks-sdk token-cache key v1').digest();
const keyOf = (clientId: string) =>
  `access-token:${createHmac('sha256', label).update(`${BASE}\n${clientId}`).digest('hex')}`;
const KEY = keyOf(CLIENT_ID);
const AES_KEY = Buffer.from(
  hkdfSync('sha256', CLIENT_SECRET, 'flanks-sdk token-cache', 'aes-256-gcm v1', 32),
);

const aad = (key: string, issuedAt: number, expiresAt: number) =>
  Buffer.from(`${key}\n${issuedAt}\n${expiresAt}`);

function sealAs(
  token: string,
  { key = KEY, format = 's1', suffix = '', issuedAt = Date.now(), expiresAt = Date.now() + 3_600_000 } = {},
): CachedAccessToken {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', AES_KEY, iv).setAAD(aad(key, issuedAt, expiresAt));
  const sealed = Buffer.concat([cipher.update(token, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return {
    value: `${format}.${iv.toString('base64url')}.${sealed.toString('base64url')}${suffix}`,
    issuedAt,
    expiresAt,
  };
}

function openAs(entry: CachedAccessToken): string {
  const [, iv, sealed] = entry.value.split('.');
  const bytes = Buffer.from(sealed!, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', AES_KEY, Buffer.from(iv!, 'base64url'))
    .setAAD(aad(KEY, entry.issuedAt, entry.expiresAt))
    .setAuthTag(bytes.subarray(-16));
  return Buffer.concat([decipher.update(bytes.subarray(0, -16)), decipher.final()]).toString('utf8');
}

/** The bearer token a client sends when `entry` is in its cache, and whether it asked for a token. */
async function bearerWith(entry: CachedAccessToken) {
  const tokenCache = new MemoryTokenCache();
  await tokenCache.set(KEY, entry);
  const tokens = tokenRoute();
  const calls = route('post', PATH, { body: { pending: false } });
  const logger = spyLogger();
  await makeClient({ tokenCache, logger }).credentials.getStatus('ct_1');
  return {
    bearer: calls[0]!.headers.get('authorization'),
    tokenRequests: tokens.length,
    warned: logger.lines().some((l) => /could not be opened/.test(l)),
  };
}

describe('sealed token-cache entries', () => {
  it('what a client writes is the documented key and seal', async () => {
    const written: Array<[string, CachedAccessToken]> = [];
    const inner = new MemoryTokenCache();
    const tokenCache: TokenCache = {
      get: (key) => inner.get(key),
      lock: (key, ttl) => inner.lock(key, ttl),
      set: (key, token) => {
        written.push([key, token]);
        return inner.set(key, token);
      },
    };
    tokenRoute();
    const calls = route('post', PATH, { body: { pending: false } });
    await makeClient({ tokenCache }).credentials.getStatus('ct_1');
    expect(written).toHaveLength(1);
    const [key, entry] = written[0]!;
    expect(key).toBe(KEY);
    expect(entry.value).toMatch(/^s1\.[\w-]{16}\.[\w-]+$/);
    expect(`Bearer ${openAs(entry)}`).toBe(calls[0]!.headers.get('authorization'));
  });

  it('the key is the whole MAC in hex, leading zeros of each byte included', async () => {
    // Client ids whose keys hold bytes below 0x10 (a hex pair starting with 0).
    const clientIds = ['app-1', 'app-2', 'app-3', 'app-4'];
    expect(clientIds.some((id) => /^access-token:(..)*0/.test(keyOf(id)))).toBe(true);
    for (const clientId of clientIds) {
      const keys: string[] = [];
      const inner = new MemoryTokenCache();
      const tokenCache: TokenCache = {
        get: (key) => {
          keys.push(key);
          return inner.get(key);
        },
        lock: (key, ttl) => inner.lock(key, ttl),
        set: (key, token) => inner.set(key, token),
      };
      tokenRoute();
      route('post', PATH, { body: { pending: false } });
      await makeClient({ tokenCache, clientId }).credentials.getStatus('ct_1');
      expect(keys[0]).toBe(keyOf(clientId));
    }
  });

  it('an entry sealed by the documented rules is used as it is: no token request', async () => {
    expect(await bearerWith(sealAs('at_sealed_elsewhere'))).toEqual({
      bearer: 'Bearer at_sealed_elsewhere',
      tokenRequests: 0,
      warned: false,
    });
  });

  it('a sealed entry that breaks the format is not used, however good its seal', async () => {
    const now = Date.now();
    const later = { ...sealAs('at_sealed_elsewhere', { issuedAt: now }), expiresAt: now + 7_200_000 };
    const broken = {
      'an extra part': sealAs('at_sealed_elsewhere', { suffix: '.x' }),
      'another format': sealAs('at_sealed_elsewhere', { format: 's2' }),
      'an empty token': sealAs(''),
      'sealed under another key': sealAs('at_sealed_elsewhere', { key: `${KEY}0` }),
      'a later expiry than it was sealed with': later,
      'an IV that is not base64url': { ...sealAs('at_sealed_elsewhere'), value: 's1.%%%.%%%' },
    };
    for (const [what, entry] of Object.entries(broken)) {
      expect({ what, ...(await bearerWith(entry)) }).toEqual({
        what,
        bearer: 'Bearer at_test_access_token_1',
        tokenRequests: 1,
        warned: true,
      });
    }
  });

  it('the seal prints nothing of the secret it holds', () => {
    expect(inspect(new TokenSeal(CLIENT_SECRET))).toBe('TokenSeal {}');
  });
});
