import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  FlanksApiError,
  type FlanksClient,
  FlanksCredentialsBlockedError,
  FlanksScaRequiredError,
  type FlanksUserActionRequiredError,
  type ReauthToken,
} from '../../src';
import { type RunningSandbox, startSandbox } from '../../src/testing';
import { appClient, LinkUser } from './link-user';

// The re-authentication loop of docs/reauthentication.md against the sandbox on loopback: a
// credential gets blocked (or needs SCA), the wait says so with the token to use, the app sends the
// user back through the Link (or a Connect session) built with it, the user passes the bank's pages
// again, and the same credential is ready again: same credentials token, still one credential.

let running: RunningSandbox;
let now = Date.parse('2026-03-02T09:00:00Z');

beforeAll(async () => {
  running = await startSandbox({
    defaultRedirectUri: 'https://app.example.com/flanks/callback',
    pendingPolls: 1,
    clock: () => now,
  });
});
afterAll(() => running.close());
beforeEach(() => running.sandbox.reset());

const client = () => appClient(running);

const fast = { pollIntervalMs: 1 };
const linkToken = () => running.sandbox.defaultLink.token;

/** The app's Link URL for `userId`, optionally re-authenticating. */
function linkUrl(flanks: FlanksClient, userId: string, reauth?: ReauthToken): string {
  return flanks.links.buildUrl({
    token: linkToken(),
    bank: 'testbank',
    userId,
    externalId: userId,
    rollback: true,
    reauth,
  });
}

/** The app's callback: parseRedirect, then completeLink. */
async function callback(flanks: FlanksClient, redirect: string, userId: string) {
  const parsed = flanks.links.parseRedirect(redirect);
  if (!parsed.ok) throw new Error(`the Link failed with ${parsed.error}`);
  return flanks.completeLink({ code: parsed.code, userId });
}

async function waitError(flanks: FlanksClient, token: string): Promise<FlanksUserActionRequiredError> {
  return flanks.credentials.waitUntilReady(token, fast).then(
    () => {
      throw new Error('expected the wait to fail');
    },
    (error: FlanksUserActionRequiredError) => error,
  );
}

async function credentialTokens(flanks: FlanksClient): Promise<string[]> {
  return (await flanks.credentials.list().toArray({ limit: 100 })).map((c) => c.credentials_token);
}

describe('through the Link', () => {
  it('blocked: waitUntilReady throws with the reset token → Link → login again → the same credential is ready', async () => {
    const flanks = client();
    // 1. Connect (this password makes the bank refuse the stored login after the first extraction).
    const first = await new LinkUser().open(linkUrl(flanks, 'alice'));
    const record = await callback(
      flanks,
      (await first.connect('SANDBOX_BLOCKED', { username: 'alice-bank' })).back,
      'alice',
    );
    const token = record.credentialsToken;

    // 2. The wait ends with the typed error and the token that re-authenticates.
    const err = await waitError(flanks, token);
    expect(err).toBeInstanceOf(FlanksCredentialsBlockedError);
    expect(err.message).toMatch(/links\.buildUrl\(\{ token, userId, reauth: err\.reauth \}\)/);
    expect(err.reauth).toEqual({ resetToken: expect.any(String) });
    expect(err.message).not.toContain(err.reauth!.resetToken!);
    const blockedAt = (await flanks.credentials.getStatus(token)).last_update_timestamp;

    // 3. The re-authentication Link: the bank's login of this credential, the username filled in.
    now += 3_600_000;
    const url = linkUrl(flanks, 'alice', err.reauth);
    expect(new URL(url).searchParams.get('reset_token')).toBe(err.reauth!.resetToken);
    const user = await new LinkUser().open(url);
    expect(user.page).toContain('Reconnect TestBank');
    expect(user.fields.username).toBe('alice-bank');

    // 4. The user types the new password; the callback completes as after any Link.
    const again = await callback(flanks, (await user.connect('new-password')).back, 'alice');
    expect(again.credentialsToken).toBe(token);
    expect(again).toMatchObject({ userId: 'alice', externalId: 'alice' });

    // 5. The data is extracted again and the credential is ready: no second credential anywhere.
    const polls: boolean[] = [];
    const status = await flanks.credentials.waitUntilReady(token, {
      ...fast,
      onStatus: (s) => polls.push(s.pending),
    });
    expect(polls[0]).toBe(true);
    expect(status).toMatchObject({ pending: false, blocked: false, reset_token: null, sca_token: null });
    expect(status.last_update_timestamp).toBeGreaterThan(blockedAt ?? 0);
    expect(await credentialTokens(flanks)).toEqual([token]);
    expect((await flanks.store!.listByUser('alice')).map((r) => r.credentialsToken)).toEqual([token]);
    expect((await flanks.aggregation.portfolios(token)).length).toBeGreaterThan(0);
  });

  it('SCA: waitUntilReady throws with the SCA token → Link opens on the challenge → ready again', async () => {
    const flanks = client();
    const first = await new LinkUser().open(linkUrl(flanks, 'bob'));
    const { credentialsToken: token } = await callback(
      flanks,
      (await first.connect('SANDBOX_SCA_REQUIRED')).back,
      'bob',
    );
    const err = await waitError(flanks, token);
    expect(err).toBeInstanceOf(FlanksScaRequiredError);
    expect(err.reauth).toEqual({ scaToken: expect.any(String) });

    const user = await new LinkUser().open(linkUrl(flanks, 'bob', err.reauth));
    expect(user.fields).toHaveProperty('sca');
    expect(user.fields).not.toHaveProperty('password');
    const again = await callback(flanks, (await user.submit({ sca: '123456' })).back, 'bob');
    expect(again.credentialsToken).toBe(token);
    expect(await flanks.credentials.waitUntilReady(token, fast)).toMatchObject({
      sca_token: null,
      pending: false,
    });
    expect(await credentialTokens(flanks)).toEqual([token]);
  });

  it('later, when the user is back: credentials.reauthToken() reads the token again', async () => {
    const flanks = client();
    const token = running.sandbox.createCredential({
      pendingPolls: 0,
      username: 'carol-bank',
      externalId: 'carol',
    });
    running.sandbox.block(token);
    const reauth = await flanks.credentials.reauthToken(token);
    expect(reauth).toEqual({ resetToken: (await flanks.credentials.getStatus(token)).reset_token });
    const user = await new LinkUser().open(linkUrl(flanks, 'carol', reauth));
    expect((await callback(flanks, (await user.connect('pw')).back, 'carol')).credentialsToken).toBe(token);
    expect(await flanks.credentials.reauthToken(token)).toBeUndefined();
  });

  it('force: a healthy credential gets a reset token (e.g. the user changed the password at the bank)', async () => {
    const flanks = client();
    const token = running.sandbox.createCredential({ pendingPolls: 0, username: 'dan-bank' });
    const reauth = await flanks.credentials.reauthToken(token, 'reset');
    expect(reauth).toEqual({ resetToken: expect.any(String) });
    expect(
      running.sandbox.requests.some((r) => r.method === 'PUT' && r.path === '/v0/bank/credentials/status'),
    ).toBe(true);
    const user = await new LinkUser().open(linkUrl(flanks, 'dan', reauth));
    expect((await callback(flanks, (await user.connect('pw')).back, 'dan')).credentialsToken).toBe(token);
    expect(await credentialTokens(flanks)).toEqual([token]);
  });

  it('a used re-authentication URL is an expired-link page; the credential is untouched', async () => {
    const flanks = client();
    const token = running.sandbox.createCredential({ pendingPolls: 0, username: 'eve-bank' });
    running.sandbox.block(token);
    const reauth = await flanks.credentials.reauthToken(token);
    const url = linkUrl(flanks, 'eve', reauth);
    await callback(flanks, (await (await new LinkUser().open(url)).connect('pw')).back, 'eve');
    const reused = await new LinkUser().open(url);
    expect(reused.status).toBe(410);
    expect(reused.error).toMatch(/expired or was already used/);
    const unknown = await new LinkUser().open(linkUrl(flanks, 'eve', { resetToken: 'rt-made-up' }));
    expect(unknown.status).toBe(410);
    expect(await credentialTokens(flanks)).toEqual([token]);
  });

  it('Cancel during a re-authentication → ABORTED_BY_USER; still blocked, the same URL works later', async () => {
    const flanks = client();
    const token = running.sandbox.createCredential({ pendingPolls: 0, username: 'fay-bank' });
    running.sandbox.block(token);
    const url = linkUrl(flanks, 'fay', await flanks.credentials.reauthToken(token));
    const cancelled = await (await new LinkUser().open(url)).cancel();
    expect(flanks.links.parseRedirect(cancelled.back)).toMatchObject({ ok: false, error: 'ABORTED_BY_USER' });
    expect((await flanks.credentials.getStatus(token)).blocked).toBe(true);
    const user = await new LinkUser().open(url);
    expect((await callback(flanks, (await user.connect('pw')).back, 'fay')).credentialsToken).toBe(token);
  });
});

describe('through a Connect session', () => {
  async function reauthSession(flanks: FlanksClient, reauth: ReauthToken) {
    const { url, session } = await flanks.connect.createSession({
      configuration: { redirect_url: 'https://app.example.com/flanks/connect' },
      reauth,
    });
    const body = running.sandbox.requests.at(-1)?.body as { configuration: Record<string, unknown> };
    expect(body.configuration).toEqual({
      redirect_url: 'https://app.example.com/flanks/connect',
      ...(reauth.resetToken ? { reset_token: reauth.resetToken } : { sca_token: reauth.scaToken }),
    });
    return { sessionId: session.session_id, user: await new LinkUser().open(url) };
  }

  it('blocked → a session with the reset token → login again → the same connection, ready', async () => {
    const flanks = client();
    const token = running.sandbox.createCredential({ username: 'gil-bank' });
    await flanks.credentials.waitUntilReady(token, fast);
    running.sandbox.block(token);
    const err = await waitError(flanks, token);
    const { sessionId, user } = await reauthSession(flanks, err.reauth!);
    expect(user.fields.username).toBe('gil-bank');
    expect(flanks.connect.parseRedirect((await user.connect('new-password')).back).sessionId).toBe(sessionId);
    const record = await flanks.connect.completeSession(
      { sessionId, userId: 'gil', expectedSessionId: sessionId },
      fast,
    );
    expect(record.credentialsToken).toBe(token);
    expect(await flanks.credentials.waitUntilReady(token, fast)).toMatchObject({
      blocked: false,
      pending: false,
    });
    expect(await credentialTokens(flanks)).toEqual([token]);
  });

  it('SCA → a session with the SCA token opens on the challenge → the same connection', async () => {
    const flanks = client();
    const token = running.sandbox.createCredential({ pendingPolls: 0, username: 'hal-bank' });
    running.sandbox.requireSca(token);
    const { sessionId, user } = await reauthSession(flanks, (await flanks.credentials.reauthToken(token))!);
    await user.submit({ sca: '123456' });
    expect(flanks.connect.parseRedirect(user.back).sessionId).toBe(sessionId);
    const record = await flanks.connect.completeSession(
      { sessionId, userId: 'hal', expectedSessionId: sessionId },
      fast,
    );
    expect(record.credentialsToken).toBe(token);
    expect((await flanks.credentials.getStatus(token)).sca_token).toBeNull();
    expect(await credentialTokens(flanks)).toEqual([token]);
  });

  it('a used token: Flanks (the sandbox) refuses the session with a 400 naming the field', async () => {
    const flanks = client();
    const token = running.sandbox.createCredential({ pendingPolls: 0, username: 'ida-bank' });
    running.sandbox.block(token);
    const reauth = (await flanks.credentials.reauthToken(token))!;
    expect(running.sandbox.connect({ resetToken: reauth.resetToken, password: 'pw' })).toHaveProperty('code');
    const err = await flanks.connect.createSession({ configuration: {}, reauth }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksApiError);
    expect((err as FlanksApiError).message).toContain('configuration.reset_token: invalid_token');
    expect(JSON.stringify(err)).not.toContain(reauth.resetToken);
  });
});
