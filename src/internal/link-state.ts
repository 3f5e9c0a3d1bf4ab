import type { FlanksLinkStateError } from '../core/errors';
import { constantTimeEqual, hmacSha256, toBase64Url } from './hmac';

/*
 * Signed link state (the client's `stateSecret`). Rules:
 * - `buildUrl({ userId })` adds `state=v1.<expiry>.<nonce>.<mac>` to the Link URL, where mac =
 *   HMAC-SHA256(stateSecret, "v1.<expiry>.<nonce>.<userId>"). The user id is bound by the MAC but not
 *   written into the URL, so the Link URL reveals nothing about your users.
 * - Flanks hands every custom Link parameter back in the code exchange's `extra`; `completeLink`
 *   recomputes the MAC for the user completing the link and rejects a missing, malformed, expired or
 *   foreign state before anything is stored.
 * - This stops login CSRF / code injection: an attacker who connects their own bank and gets a
 *   victim to open `/flanks/callback?code=<attacker's code>` cannot make your app file the attacker's
 *   bank data under the victim's account, because that code's state was issued to the attacker.
 * - The expiry (default 1 h) bounds how long a started Link stays valid for completion.
 */

export type LinkStateProblem = FlanksLinkStateError['reason'];

export const DEFAULT_STATE_TTL_MS = 60 * 60 * 1000;
const encoder = new TextEncoder();

function mac(secret: Uint8Array, expiry: string, nonce: string, userId: string): string {
  return toBase64Url(hmacSha256(secret, encoder.encode(`v1.${expiry}.${nonce}.${userId}`)));
}

export function signLinkState(secret: Uint8Array, userId: string, ttlMs: number, now: number): string {
  const expiry = String(Math.floor((now + ttlMs) / 1000));
  const nonce = toBase64Url(crypto.getRandomValues(new Uint8Array(12)));
  return `v1.${expiry}.${nonce}.${mac(secret, expiry, nonce, userId)}`;
}

export function checkLinkState(
  secret: Uint8Array,
  state: unknown,
  userId: string,
  now: number,
): LinkStateProblem | undefined {
  if (state === undefined || state === null || state === '') return 'missing';
  if (typeof state !== 'string') return 'malformed';
  const parts = state.split('.');
  if (parts.length !== 4 || parts[0] !== 'v1' || !/^\d+$/.test(parts[1]!)) return 'malformed';
  const [, expiry, nonce, given] = parts as [string, string, string, string];
  if (!constantTimeEqual(mac(secret, expiry, nonce, userId), given)) return 'invalid';
  if (Number(expiry) * 1000 < now) return 'expired';
  return undefined;
}
