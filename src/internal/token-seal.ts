import { bytesToHex } from '@noble/hashes/utils.js';
import type { CachedAccessToken } from '../core/token-cache';
import { fromBase64Url, toBase64Url } from './encoding';
import { hmacSha256 } from './hmac';

/*
 * Shared token cache entries are sealed, so that reading or writing the cache (a Redis instance,
 * say) is not access to Flanks. Rules:
 * - The cache key is `access-token:<hex HMAC-SHA256(K, baseUrl "\n" clientId)>`, K = HMAC-SHA256 of
 *   the label "flanks-sdk token-cache key v1" under the client secret: a process needs the secret to
 *   find the entry, and the key shows neither the client id nor the URL.
 * - The entry's `value` is `s1.<iv>.<ciphertext>`: the access token under AES-256-GCM (Web Crypto),
 *   with a key HKDF-SHA256 derives from the client secret, a random 96-bit IV, and as associated data
 *   the cache key with `issuedAt` and `expiresAt` (which stay in clear for the cache's expiry). An
 *   entry moved under another key, or given a later expiry, does not open.
 * - An entry that does not open (planted by a cache writer, tampered with, sealed under another
 *   secret, or an older SDK's token in clear) counts as absent: the client fetches a token and
 *   overwrites it. Entries of older SDK versions are also under another key, so they are never read.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const FORMAT = 's1';

/** The cache key of an application: a MAC under its client secret of its base URL and client id. */
export function tokenCacheKey(baseUrl: string, clientId: string, clientSecret: string): string {
  const key = hmacSha256(encoder.encode(clientSecret), encoder.encode('flanks-sdk token-cache key v1'));
  return `access-token:${bytesToHex(hmacSha256(key, encoder.encode(`${baseUrl}\n${clientId}`)))}`;
}

function associatedData(cacheKey: string, token: CachedAccessToken): Uint8Array<ArrayBuffer> {
  return encoder.encode(`${cacheKey}\n${token.issuedAt}\n${token.expiresAt}`);
}

/** Seals and opens the access token of one application's cache entries. */
export class TokenSeal {
  readonly #secret: Uint8Array<ArrayBuffer>;
  #key: Promise<CryptoKey> | undefined;

  constructor(clientSecret: string) {
    this.#secret = encoder.encode(clientSecret);
  }

  /** Derived on first use: a client without a token cache never pays for it. */
  #aesKey(): Promise<CryptoKey> {
    this.#key ??= crypto.subtle.importKey('raw', this.#secret, 'HKDF', false, ['deriveKey']).then((base) =>
      crypto.subtle.deriveKey(
        {
          name: 'HKDF',
          hash: 'SHA-256',
          salt: encoder.encode('flanks-sdk token-cache'),
          info: encoder.encode('aes-256-gcm v1'),
        },
        base,
        { name: 'AES-GCM', length: 256 },
        // Not extractable: defence in depth, as the key never leaves this class's private field.
        // Stryker disable next-line BooleanLiteral: equivalent, no caller can reach the key to export it
        false,
        ['encrypt', 'decrypt'],
      ),
    );
    return this.#key;
  }

  async seal(cacheKey: string, token: CachedAccessToken): Promise<CachedAccessToken> {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ciphertext = await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: associatedData(cacheKey, token) },
      await this.#aesKey(),
      encoder.encode(token.value),
    );
    return {
      value: `${FORMAT}.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(ciphertext))}`,
      issuedAt: token.issuedAt,
      expiresAt: token.expiresAt,
    };
  }

  /** The entry with its token in clear, or `undefined` when it does not open. */
  async open(cacheKey: string, entry: CachedAccessToken): Promise<CachedAccessToken | undefined> {
    const parts = entry.value.split('.');
    if (parts.length !== 3 || parts[0] !== FORMAT) return undefined;
    // Bad base64, a wrong key, a tampered ciphertext or associated data: no token, like an empty one.
    const value = await this.#decrypt(cacheKey, entry, parts[1]!, parts[2]!).catch(() => '');
    return value === '' ? undefined : { value, issuedAt: entry.issuedAt, expiresAt: entry.expiresAt };
  }

  async #decrypt(
    cacheKey: string,
    entry: CachedAccessToken,
    iv: string,
    ciphertext: string,
  ): Promise<string> {
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: fromBase64Url(iv), additionalData: associatedData(cacheKey, entry) },
      await this.#aesKey(),
      fromBase64Url(ciphertext),
    );
    return decoder.decode(plain);
  }

  /** Keeps the client secret out of `util.inspect` output. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return 'TokenSeal {}';
  }
}
