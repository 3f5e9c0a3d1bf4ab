import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FlanksLinkStateError, MemoryCredentialStore } from '../../src';
import { SANDBOX_CLIENT_SECRET } from '../../src/testing';
import { useSandbox } from '../helpers';

/*
 * The signed state and session binding formats (src/internal/link-state.ts), checked against an
 * independent HMAC made here with node:crypto from the documented rules: what the SDK writes is
 * exactly that, and every way a state or binding can be malformed, forged or late is refused even
 * when its MAC is right (the forger here holds the key, so only the format checks stand in the way).
 */

const { sandbox, client } = await useSandbox({ seed: 11, pendingPolls: 0 });
const store = new MemoryCredentialStore();
const flanks = client({ store });
const FAST = { pollIntervalMs: 1, timeoutMs: 10_000 };

const KEY = createHmac('sha256', SANDBOX_CLIENT_SECRET).update('flanks-sdk link-state v1').digest();
const mac = (text: string) => createHmac('sha256', KEY).update(text).digest('base64url');
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
/** A state with a correct MAC over whatever parts it is given (the MAC always covers "v2.…"). */
const forgeState = (expiry: string, nonce: string, user: string, version = 'v2') =>
  `${version}.${expiry}.${nonce}.${user}.${mac(`v2.${expiry}.${nonce}.${user}`)}`;
const owner = (state: unknown) => flanks.links.stateOwner({ extra: { state } });

const NOW = Date.UTC(2026, 5, 1, 9, 30, 0, 500);
const FUTURE = String(Math.floor(NOW / 1000) + 3_600);

afterEach(() => {
  vi.useRealTimers();
});

describe('link state', () => {
  it('is v2.<expiry s>.<12-byte nonce>.<user>.<HMAC of the rest>, expiry rounded down', () => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW });
    const url = new URL(flanks.links.buildUrl({ token: 'lt', userId: 'user-Ω', stateTtlMs: 1_000 }));
    const state = url.searchParams.get('state')!;
    const [version, expiry, nonce, user, given] = state.split('.');
    expect(version).toBe('v2');
    expect(expiry).toBe(String(Math.floor((NOW + 1_000) / 1000)));
    expect(Buffer.from(nonce!, 'base64url')).toHaveLength(12);
    expect(user).toBe(b64('user-Ω'));
    expect(given).toBe(mac(`v2.${expiry}.${nonce}.${user}`));
    expect(owner(state)).toEqual({ ok: true, userId: 'user-Ω' });
  });

  it('is signed with HMAC-SHA256 of the label under stateSecret when set, else under the client secret', () => {
    // Clients made here, not at the top of the file: the key is derived when a client is built.
    const STATE_SECRET = 'state-secret-0123456789abcdef-0123456789';
    const cases: Array<[ReturnType<typeof client>, string]> = [
      [client(), SANDBOX_CLIENT_SECRET],
      [client({ stateSecret: STATE_SECRET }), STATE_SECRET],
    ];
    for (const [signer, secret] of cases) {
      const key = createHmac('sha256', secret).update('flanks-sdk link-state v1').digest();
      const state = new URL(signer.links.buildUrl({ token: 'lt', userId: 'u' })).searchParams.get('state')!;
      const signed = state.slice(0, state.lastIndexOf('.'));
      expect(state).toBe(`${signed}.${createHmac('sha256', key).update(signed).digest('base64url')}`);
    }
  });

  it('each URL gets a fresh nonce', () => {
    const nonces = new Set(
      Array.from({ length: 5 }, () => {
        const url = new URL(flanks.links.buildUrl({ token: 'lt', userId: 'u' }));
        return url.searchParams.get('state')!.split('.')[2];
      }),
    );
    expect(nonces.size).toBe(5);
  });

  it('no state at all is "missing", whatever the absence looks like', () => {
    expect(owner(undefined)).toEqual({ ok: false, reason: 'missing' });
    expect(owner(null)).toEqual({ ok: false, reason: 'missing' });
    expect(owner('')).toEqual({ ok: false, reason: 'missing' });
  });

  it('a correctly signed state of the wrong form is "malformed"', () => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW });
    const user = b64('mallory');
    const malformed = {
      'not a string': 42,
      'an extra part': `${forgeState(FUTURE, 'bm9uY2U', user)}.x`,
      'another version': forgeState(FUTURE, 'bm9uY2U', user, 'v1'),
      'an expiry with a prefix': forgeState(`x${FUTURE}`, 'bm9uY2U', user),
      'an expiry with a suffix': forgeState(`${FUTURE}x`, 'bm9uY2U', user),
      'an expiry of 16 digits': forgeState('9'.repeat(16), 'bm9uY2U', user),
      'no nonce': forgeState(FUTURE, '', user),
      'no user': forgeState(FUTURE, 'bm9uY2U', ''),
      'a user that is not base64url': forgeState(FUTURE, 'bm9uY2U', '!!!!'),
      'no MAC': `v2.${FUTURE}.bm9uY2U.${user}.`,
    };
    for (const [what, state] of Object.entries(malformed)) {
      expect({ what, reading: owner(state) }).toEqual({ what, reading: { ok: false, reason: 'malformed' } });
    }
    // The same parts in the right form are accepted: only the form was wrong above.
    expect(owner(forgeState(FUTURE, 'bm9uY2U', user))).toEqual({ ok: true, userId: 'mallory' });
    expect(owner(forgeState('9'.repeat(15), 'bm9uY2U', user))).toEqual({ ok: true, userId: 'mallory' });
  });

  it('a MAC that does not match is "invalid"', () => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW });
    const good = forgeState(FUTURE, 'bm9uY2U', b64('alice'));
    const flipped = good.slice(0, -1) + (good.endsWith('A') ? 'B' : 'A');
    expect(owner(flipped)).toEqual({ ok: false, reason: 'invalid' });
    expect(owner(`${good.slice(0, good.lastIndexOf('.'))}.${mac('something else')}`)).toEqual({
      ok: false,
      reason: 'invalid',
    });
  });

  it('is good up to its expiry second inclusive, "expired" one millisecond later', () => {
    const expiry = Math.floor(NOW / 1000) + 60;
    const state = forgeState(String(expiry), 'bm9uY2U', b64('alice'));
    vi.useFakeTimers({ toFake: ['Date'], now: expiry * 1000 });
    expect(owner(state)).toEqual({ ok: true, userId: 'alice' });
    vi.setSystemTime(expiry * 1000 + 1);
    expect(owner(state)).toEqual({ ok: false, reason: 'expired' });
  });
});

describe('session binding', () => {
  let logins = 0;
  async function finishedSession(userId: string) {
    const { session } = await flanks.connect.createSession({
      configuration: { redirect_url: 'https://app.example.com/cb' },
    });
    logins++;
    sandbox.connectSession(session.session_id, { username: `${userId}-login-${logins}`, password: 'pw' });
    return session.session_id;
  }
  const forgeBinding = (expiry: string, sessionId: string, userId: string, version = 'c1') =>
    `${version}.${expiry}.${mac(`c1.${expiry}.${b64(sessionId)}.${b64(userId)}`)}`;
  const refusal = (sessionId: string, userId: string, sessionBinding: string) =>
    flanks.connect.completeSession({ sessionId, userId, sessionBinding }, FAST).then(
      () => 'accepted',
      (e: unknown) => (e instanceof FlanksLinkStateError ? e.reason : e),
    );

  it('is c1.<expiry s>.<HMAC of c1, expiry, session and user>', () => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW });
    const binding = flanks.connect.bindSession({ sessionId: 'sess-1', userId: 'victor', ttlMs: 1_000 });
    const expiry = String(Math.floor((NOW + 1_000) / 1000));
    expect(binding).toBe(`c1.${expiry}.${mac(`c1.${expiry}.${b64('sess-1')}.${b64('victor')}`)}`);
  });

  it('a correctly signed binding of the wrong form is "malformed", and nothing is read or stored', async () => {
    const sessionId = await finishedSession('victor');
    const requests = sandbox.requests.length;
    const future = String(Math.floor(Date.now() / 1000) + 3_600);
    const malformed = {
      'an extra part': `${forgeBinding(future, sessionId, 'victor')}.x`,
      'another version': forgeBinding(future, sessionId, 'victor', 'c2'),
      'an expiry with a prefix': forgeBinding(`x${future}`, sessionId, 'victor'),
      'an expiry with a suffix': forgeBinding(`${future}x`, sessionId, 'victor'),
      'an expiry of 16 digits': forgeBinding('9'.repeat(16), sessionId, 'victor'),
      'no MAC': `c1.${future}.`,
    };
    for (const [what, binding] of Object.entries(malformed)) {
      expect({ what, reason: await refusal(sessionId, 'victor', binding) }).toEqual({
        what,
        reason: 'malformed',
      });
    }
    expect(sandbox.requests.length).toBe(requests);
    expect(await store.listByUser('victor')).toEqual([]);
    // The same binding in the right form is accepted: only the form was wrong above.
    expect(await refusal(sessionId, 'victor', forgeBinding(future, sessionId, 'victor'))).toBe('accepted');
  });

  it('is good up to its expiry second inclusive, "expired" one millisecond later', async () => {
    const late = await finishedSession('alice');
    const onTime = await finishedSession('alice');
    const expiry = Math.floor(Date.now() / 1000) + 60;
    vi.useFakeTimers({ toFake: ['Date'], now: expiry * 1000 + 1 });
    expect(await refusal(late, 'alice', forgeBinding(String(expiry), late, 'alice'))).toBe('expired');
    vi.setSystemTime(expiry * 1000);
    expect(await refusal(onTime, 'alice', forgeBinding(String(expiry), onTime, 'alice'))).toBe('accepted');
  });
});
