import type { FlanksLinkStateError } from '../core/errors';
import { fromBase64Url, toBase64Url } from './encoding';
import { constantTimeEqual, hmacSha256 } from './hmac';

/*
 * Signed link state and session bindings: the proof that a link code or a Connect session reaching
 * the app belongs to the user completing it. On by default. Rules:
 * - The key is HMAC-SHA256("flanks-sdk link-state v1") under the client's `stateSecret` when set,
 *   else under its client secret: signed state needs no configuration, and the label keeps this key
 *   apart from every other use of the secret.
 * - `buildUrl({ userId })` adds `state=v2.<expiry>.<nonce>.<user>.<mac>` to the Link URL: <user> is
 *   the user id, UTF-8 then base64url (readable by whoever sees the URL: use an opaque id), and
 *   mac = HMAC(key, "v2.<expiry>.<nonce>.<user>"). Flanks hands every custom Link parameter back in
 *   the exchange's `extra`, and in `links.unusedCodes()`.
 * - `completeLink` rejects a code whose state is missing, malformed, not signed with this key,
 *   expired, or issued to another user, before anything is stored. `links.stateOwner()` reads the
 *   verified user back from the state of an unused code, so a recovery job knows whom a code belongs
 *   to without trusting any parameter the user could edit.
 * - A session binding is `c1.<expiry>.<mac>`, mac = HMAC(key, "c1.<expiry>.<session>.<user>") with
 *   session id and user id in base64url: it ties one Connect session to one user and can live
 *   anywhere (a cookie), since it cannot be forged or moved to another session or user.
 * - This stops login CSRF / code injection and replayed redirects: an attacker who connects their own
 *   bank and gets a victim to open the callback with the attacker's code or session cannot make the
 *   app file that connection under the victim, because it was issued to the attacker.
 * - The expiry (default 1 h) bounds how long a started Link or session can be completed.
 */

export type LinkStateProblem = FlanksLinkStateError['reason'];

export const DEFAULT_STATE_TTL_MS = 60 * 60 * 1000;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function deriveStateKey(secret: string): Uint8Array {
  return hmacSha256(encoder.encode(secret), encoder.encode('flanks-sdk link-state v1'));
}

const b64 = (text: string) => toBase64Url(encoder.encode(text));
const mac = (key: Uint8Array, text: string) => toBase64Url(hmacSha256(key, encoder.encode(text)));
const expiryOf = (ttlMs: number, now: number) => String(Math.floor((now + ttlMs) / 1000));

export function signLinkState(key: Uint8Array, userId: string, ttlMs: number, now: number): string {
  const signed = `v2.${expiryOf(ttlMs, now)}.${toBase64Url(crypto.getRandomValues(new Uint8Array(12)))}.${b64(userId)}`;
  return `${signed}.${mac(key, signed)}`;
}

/** What a state says, once verified: the user it was issued to. */
export type LinkStateReading = { ok: true; userId: string } | { ok: false; reason: LinkStateProblem };

export function readLinkState(key: Uint8Array, state: unknown, now: number): LinkStateReading {
  if (state === undefined || state === null || state === '') return { ok: false, reason: 'missing' };
  if (typeof state !== 'string') return { ok: false, reason: 'malformed' };
  const parts = state.split('.');
  const [version, expiry, nonce, user, given] = parts;
  if (parts.length !== 5 || version !== 'v2' || !/^\d{1,15}$/.test(expiry!) || !nonce || !user || !given) {
    return { ok: false, reason: 'malformed' };
  }
  if (!constantTimeEqual(mac(key, `v2.${expiry}.${nonce}.${user}`), given))
    return { ok: false, reason: 'invalid' };
  if (Number(expiry) * 1000 < now) return { ok: false, reason: 'expired' };
  try {
    return { ok: true, userId: decoder.decode(fromBase64Url(user)) };
  } catch {
    return { ok: false, reason: 'malformed' };
  }
}

/** Why `state` does not prove that `userId` started the Link, or `undefined` when it does. */
export function checkLinkState(
  key: Uint8Array,
  state: unknown,
  userId: string,
  now: number,
): LinkStateProblem | undefined {
  const reading = readLinkState(key, state, now);
  if (!reading.ok) return reading.reason;
  return reading.userId === userId ? undefined : 'invalid';
}

export function signSessionBinding(
  key: Uint8Array,
  sessionId: string,
  userId: string,
  ttlMs: number,
  now: number,
): string {
  const expiry = expiryOf(ttlMs, now);
  return `c1.${expiry}.${mac(key, `c1.${expiry}.${b64(sessionId)}.${b64(userId)}`)}`;
}

/** Why `binding` does not tie `sessionId` to `userId`, or `undefined` when it does. */
export function checkSessionBinding(
  key: Uint8Array,
  binding: string,
  sessionId: string,
  userId: string,
  now: number,
): LinkStateProblem | undefined {
  const parts = binding.split('.');
  const [version, expiry, given] = parts;
  if (parts.length !== 3 || version !== 'c1' || !/^\d{1,15}$/.test(expiry!) || !given) return 'malformed';
  if (!constantTimeEqual(mac(key, `c1.${expiry}.${b64(sessionId)}.${b64(userId)}`), given)) return 'invalid';
  if (Number(expiry) * 1000 < now) return 'expired';
  return undefined;
}
