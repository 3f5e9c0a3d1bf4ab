import { describe, expect, it, vi } from 'vitest';
import {
  FlanksCredentialConflictError,
  FlanksLinkStateError,
  FlanksValidationError,
  MemoryCredentialStore,
} from '../../src';
import { useSandbox } from '../helpers';

// Security review (issue 12, finding 2): `connect.completeSession` saved whatever connection a
// session_id led to under whoever called it, and the save is an upsert keyed on the token: replaying
// another user's `?session_id=` redirect moved that user's connection (and data) to the attacker.

const { sandbox, client } = await useSandbox({ seed: 5, pendingPolls: 0 });
const store = new MemoryCredentialStore();
const flanks = client({ store });
const FAST = { pollIntervalMs: 1, timeoutMs: 10_000 };

let logins = 0;
/** A session created for a user, completed in the widget; what the app kept when it created it. */
async function finishedSession(userId: string) {
  const { session } = await flanks.connect.createSession({
    configuration: { redirect_url: 'https://app.example.com/cb' },
  });
  logins++;
  sandbox.connectSession(session.session_id, { username: `${userId}-bank-login-${logins}`, password: 'pw' });
  return {
    sessionId: session.session_id,
    binding: flanks.connect.bindSession({ sessionId: session.session_id, userId }),
  };
}

const sessionReads = () =>
  sandbox.requests.filter((r) => r.path === '/connect/v2/sessions/list-sessions').length;

describe('completeSession needs proof that the user started the session', () => {
  it('without expectedSessionId or sessionBinding: FlanksValidationError, no request', async () => {
    const { sessionId } = await finishedSession('victor');
    const before = sessionReads();
    const err = await flanks.connect
      .completeSession({ sessionId, userId: 'victor' }, FAST)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksValidationError);
    expect((err as Error).message).toMatch(/expectedSessionId .* sessionBinding/);
    expect(sessionReads()).toBe(before);
  });

  it('the victim completes with either proof', async () => {
    const v1 = await finishedSession('victor');
    const v2 = await finishedSession('victor');
    const a = await flanks.connect.completeSession(
      { sessionId: v1.sessionId, userId: 'victor', expectedSessionId: v1.sessionId },
      FAST,
    );
    const b = await flanks.connect.completeSession(
      { sessionId: v2.sessionId, userId: 'victor', sessionBinding: v2.binding },
      FAST,
    );
    expect((await store.listByUser('victor')).map((r) => r.credentialsToken).sort()).toEqual(
      [a.credentialsToken, b.credentialsToken].sort(),
    );
  });
});

describe('replaying another user’s session_id', () => {
  it('is refused before any request: the session is not the one kept for the attacker', async () => {
    const victims = await finishedSession('victor');
    const victorsRecord = await flanks.connect.completeSession(
      { sessionId: victims.sessionId, userId: 'victor', sessionBinding: victims.binding },
      FAST,
    );
    const mallorys = await finishedSession('mallory');
    const before = sessionReads();
    // Mallory, logged in to the app, opens the callback with Victor's session_id.
    for (const proof of [
      { expectedSessionId: mallorys.sessionId },
      { sessionBinding: mallorys.binding },
      { sessionBinding: victims.binding },
    ]) {
      const err = await flanks.connect
        .completeSession({ sessionId: victims.sessionId, userId: 'mallory', ...proof }, FAST)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FlanksLinkStateError);
      expect(err).toMatchObject({ reason: 'invalid', credentialDeleted: undefined });
    }
    expect(sessionReads()).toBe(before);
    expect(await store.get(victorsRecord.credentialsToken)).toEqual(victorsRecord);
    expect(await store.listByUser('mallory')).toEqual([]);
  });

  it('an app that trusts the redirect for the expected id still cannot move the connection', async () => {
    const victims = await finishedSession('victor');
    const victorsRecord = await flanks.connect.completeSession(
      { sessionId: victims.sessionId, userId: 'victor', expectedSessionId: victims.sessionId },
      FAST,
    );
    const err = await flanks.connect
      .completeSession(
        { sessionId: victims.sessionId, userId: 'mallory', expectedSessionId: victims.sessionId },
        FAST,
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksCredentialConflictError);
    expect(await store.get(victorsRecord.credentialsToken)).toEqual(victorsRecord);
    expect(await store.listByUser('mallory')).toEqual([]);
    // The same user completing again is an update, not a conflict.
    await expect(
      flanks.connect.completeSession(
        { sessionId: victims.sessionId, userId: 'victor', expectedSessionId: victims.sessionId },
        FAST,
      ),
    ).resolves.toMatchObject({ userId: 'victor' });
  });

  it('a binding is for one session and one user, and expires', async () => {
    const { sessionId } = await finishedSession('victor');
    const short = flanks.connect.bindSession({ sessionId, userId: 'victor', ttlMs: 1_000 });
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 5_000 });
    await expect(
      flanks.connect.completeSession({ sessionId, userId: 'victor', sessionBinding: short }, FAST),
    ).rejects.toMatchObject({ reason: 'expired' });
    await expect(
      flanks.connect.completeSession({ sessionId, userId: 'victor', sessionBinding: 'c1.x.y' }, FAST),
    ).rejects.toMatchObject({ reason: 'malformed' });
  });
});
