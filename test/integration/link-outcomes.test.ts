import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type BuildLinkUrlParams,
  type CredentialStore,
  FlanksAbortError,
  FlanksApiError,
  FlanksAuthError,
  type FlanksClient,
  type FlanksClientOptions,
  FlanksConnectionError,
  FlanksCredentialsBlockedError,
  FlanksDataError,
  FlanksDataNotReadyError,
  FlanksError,
  FlanksLinkCodeError,
  FlanksLinkDelayedError,
  FlanksLinkStateError,
  FlanksScaRequiredError,
  FlanksSessionError,
  FlanksTimeoutError,
  type FlanksUserActionRequiredError,
  FlanksValidationError,
  LINK_ERROR_CODES,
  MemoryCredentialStore,
} from '../../src';
import { type RunningSandbox, startSandbox } from '../../src/testing';
import { appClient, LinkUser } from './link-user';

// Every outcome of docs/link-outcomes.md, produced by the sandbox on loopback and met by the SDK:
// the user plays the Link (or the Connect widget) through its HTML pages, the app reads the
// redirect, completes, waits and fetches. Each row of the guide has its test here.

const CALLBACK = 'https://app.example.com/flanks/callback';
let running: RunningSandbox;

beforeAll(async () => {
  running = await startSandbox({ defaultRedirectUri: CALLBACK, pendingPolls: 1 });
});
afterAll(() => running.close());
beforeEach(() => running.sandbox.reset());
afterEach(() => vi.useRealTimers());

const client = (options: FlanksClientOptions = {}) => appClient(running, options);

/** The Link URL the app sends `userId` to: TestBank, redirect on every error, unless overridden. */
function linkUrl(flanks: FlanksClient, userId: string, overrides: Partial<BuildLinkUrlParams> = {}): string {
  return flanks.links.buildUrl({
    token: running.sandbox.defaultLink.token,
    bank: 'testbank',
    userId,
    externalId: userId,
    rollback: true,
    ...overrides,
  });
}

/** The user goes through the Link with `password`; returns the redirect the app receives. */
async function throughLink(
  flanks: FlanksClient,
  userId: string,
  password: string,
  sca?: string[],
): Promise<string> {
  const user = await new LinkUser().open(linkUrl(flanks, userId));
  return (await user.connect(password, { sca })).back;
}

async function codeFrom(flanks: FlanksClient, redirect: string): Promise<string> {
  const parsed = flanks.links.parseRedirect(redirect);
  if (!parsed.ok) throw new Error(`the Link failed with ${parsed.error}`);
  return parsed.code;
}

async function credentialCount(flanks: FlanksClient): Promise<number> {
  return (await flanks.credentials.list().toArray({ limit: 100 })).length;
}

const fast = { pollIntervalMs: 1 };

/** Each failure TestBank can be asked for: the Link's `?error=`, a session's `error_code`, how. */
const FAILURES: ReadonlyArray<[string, string, string, string[] | undefined]> = [
  ['INVALID_CREDENTIALS', 'InvalidCredentials', 'INVALID_CREDENTIALS', undefined],
  ['INVALID_SCA', 'InvalidChallengeResponse', 'SCA_SMS', ['INVALID_SCA']],
  ['SCA_TYPE_NOT_ALLOWED', 'UnsupportedChallengeMethod', 'SCA_TYPE_NOT_ALLOWED', undefined],
  ['USER_INTERACTION_NEEDED', 'UserInteractionNeeded', 'USER_INTERACTION_NEEDED', undefined],
  ['INTERNAL_ERROR', 'InternalError', 'INTERNAL_ERROR', undefined],
];

describe('?error= codes the Link sends back', () => {
  it.each([
    ...FAILURES.map(([code, , password, sca]) => [code, password, sca] as const),
    ['CREDENTIALS_ALREADY_EXIST', 'ALREADY_EXISTS', undefined] as const,
  ])('%s (password %s): parseRedirect reads it, nothing was created', async (code, password, sca) => {
    const flanks = client();
    const redirect = flanks.links.parseRedirect(await throughLink(flanks, 'u1', password, sca));
    expect(redirect).toMatchObject({ ok: false, error: code, params: { external_id: 'u1' } });
    expect(LINK_ERROR_CODES).toContain(code);
    expect(await credentialCount(flanks)).toBe(0);
  });

  it('CREDENTIALS_ALREADY_EXIST also for the same login details twice', async () => {
    const flanks = client();
    const first = await new LinkUser().open(linkUrl(flanks, 'u1'));
    await codeFrom(flanks, (await first.connect('pw', { username: 'same' })).back);
    const second = await new LinkUser().open(linkUrl(flanks, 'u1'));
    const redirect = flanks.links.parseRedirect((await second.connect('pw', { username: 'same' })).back);
    expect(redirect).toMatchObject({ ok: false, error: 'CREDENTIALS_ALREADY_EXIST' });
  });

  it('ABORTED_BY_USER: the Cancel button, at the login and at the SCA step', async () => {
    const flanks = client();
    const atLogin = await new LinkUser().open(linkUrl(flanks, 'u1'));
    expect(flanks.links.parseRedirect((await atLogin.cancel()).back)).toMatchObject({
      ok: false,
      error: 'ABORTED_BY_USER',
    });
    const atSca = await new LinkUser().open(linkUrl(flanks, 'u1'));
    await atSca.submit({ username: 'sca-user', password: 'SCA_SMS' });
    expect(flanks.links.parseRedirect((await atSca.cancel()).back)).toMatchObject({
      error: 'ABORTED_BY_USER',
    });
    expect(await credentialCount(flanks)).toBe(0);
    expect(await flanks.links.unusedCodes()).toEqual([]);
  });

  it('without rollback no error comes back: the Link shows it and the user can retry', async () => {
    const flanks = client();
    const user = await new LinkUser().open(linkUrl(flanks, 'u1', { rollback: false }));
    await user.connect('INVALID_CREDENTIALS', { username: 'ana' });
    expect(user.redirectedTo).toBeUndefined();
    expect(user.error).toBe('The username or password is not correct.');
    await user.connect('right-password', { username: 'ana' });
    const record = await flanks.completeLink({ code: await codeFrom(flanks, user.back), userId: 'u1' });
    expect(record.userId).toBe('u1');
  });
});

describe('completeLink', () => {
  it('success: the record is stored for the user', async () => {
    const flanks = client();
    const code = await codeFrom(flanks, await throughLink(flanks, 'u1', 'pw'));
    const record = await flanks.completeLink({ code, userId: 'u1' });
    expect(record).toMatchObject({ userId: 'u1', externalId: 'u1', extra: {} });
    expect(await flanks.store!.listByUser('u1')).toEqual([record]);
  });

  it('the same code twice (a reload of the callback) → FlanksLinkCodeError that explains; the record stays', async () => {
    const flanks = client();
    const code = await codeFrom(flanks, await throughLink(flanks, 'u1', 'pw'));
    const record = await flanks.completeLink({ code, userId: 'u1' });
    const err = await flanks.completeLink({ code, userId: 'u1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksLinkCodeError);
    expect(err).toBeInstanceOf(FlanksApiError);
    expect((err as FlanksLinkCodeError).status).toBe(400);
    const message = (err as Error).message;
    expect(message).toContain('HTTP 400: Invalid code.');
    expect(message).toMatch(/single-use/);
    expect(message).toMatch(/a page refresh, a double submit, the browser's Back button/);
    expect(message).toMatch(/Redirect away from the callback/);
    expect(message).toMatch(/credentials\.list\(\)/);
    expect(`${message}${JSON.stringify(err)}`).not.toContain(code);
    // The recovery the message names: the store still has the credential.
    expect(await flanks.store!.listByUser('u1')).toEqual([record]);
    expect(running.sandbox.requests.filter((r) => r.path === '/v0/platform/link')).toHaveLength(2);
  });

  it('an unknown code → FlanksLinkCodeError', async () => {
    await expect(client().completeLink({ code: 'lc-never-issued', userId: 'u1' })).rejects.toBeInstanceOf(
      FlanksLinkCodeError,
    );
  });

  it('a delayed token (password SANDBOX_DELAYED) → FlanksLinkDelayedError, nothing stored', async () => {
    const flanks = client();
    const code = await codeFrom(flanks, await throughLink(flanks, 'u1', 'SANDBOX_DELAYED'));
    await expect(flanks.completeLink({ code, userId: 'u1' })).rejects.toBeInstanceOf(FlanksLinkDelayedError);
    expect(await flanks.store!.listByUser('u1')).toEqual([]);
  });

  it('a code started by another user → FlanksLinkStateError (invalid), nothing stored', async () => {
    const flanks = client();
    const code = await codeFrom(flanks, await throughLink(flanks, 'mallory', 'pw'));
    const err = await flanks.completeLink({ code, userId: 'victim' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'FlanksLinkStateError', reason: 'invalid' });
    expect(await flanks.store!.listByUser('victim')).toEqual([]);
  });

  it('a code from a Link URL the app did not build → FlanksLinkStateError (missing)', async () => {
    const flanks = client();
    const user = await new LinkUser().open(running.sandbox.linkUrl({ bank: 'testbank' }));
    const code = await codeFrom(flanks, (await user.connect('pw')).back);
    const err = await flanks.completeLink({ code, userId: 'u1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksLinkStateError);
    expect((err as FlanksLinkStateError).reason).toBe('missing');
  });

  it('a Link finished after its state expired → FlanksLinkStateError (expired)', async () => {
    const flanks = client();
    const url = linkUrl(flanks, 'u1', { stateTtlMs: 60_000 });
    const code = await codeFrom(flanks, (await (await new LinkUser().open(url)).connect('pw')).back);
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 120_000 });
    await expect(flanks.completeLink({ code, userId: 'u1' })).rejects.toMatchObject({ reason: 'expired' });
  });

  it('wrong client credentials → FlanksAuthError', async () => {
    const flanks = client({ clientSecret: 'not-the-secret' });
    await expect(flanks.completeLink({ code: 'any-code', userId: 'u1' })).rejects.toBeInstanceOf(
      FlanksAuthError,
    );
  });

  it('a 5xx on the exchange is not retried; the code is still unused, so completing again works', async () => {
    const flanks = client();
    const code = await codeFrom(flanks, await throughLink(flanks, 'u1', 'pw'));
    running.sandbox.failNext('/v0/platform/link', 1, { status: 500, body: { error: 'Internal Error' } });
    const err = await flanks.completeLink({ code, userId: 'u1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksApiError);
    expect((err as FlanksApiError).status).toBe(500);
    expect(running.sandbox.stats.requests['/v0/platform/link']).toBe(1);
    expect((await flanks.links.unusedCodes()).map((c) => c.code)).toEqual([code]);
    expect((await flanks.completeLink({ code, userId: 'u1' })).userId).toBe('u1');
  });

  it('a dropped connection on the exchange → FlanksConnectionError, not retried; recovered the same way', async () => {
    const flanks = client();
    const code = await codeFrom(flanks, await throughLink(flanks, 'u1', 'pw'));
    running.sandbox.failNext('/v0/platform/link', 1, { reset: true });
    await expect(flanks.completeLink({ code, userId: 'u1' })).rejects.toBeInstanceOf(FlanksConnectionError);
    expect(running.sandbox.stats.requests['/v0/platform/link']).toBe(1);
    const [unused] = await flanks.links.unusedCodes();
    expect((await flanks.completeLink({ code: unused!.code, userId: 'u1' })).userId).toBe('u1');
  });

  it('an exchange whose answer never comes → FlanksTimeoutError, not retried; recovered the same way', async () => {
    const flanks = client({ timeoutMs: 50 });
    const code = await codeFrom(flanks, await throughLink(flanks, 'u1', 'pw'));
    await flanks.entities.list(); // the access token first, so only the exchange meets the hold
    // The sandbox holds the exchange far past the client's limit, then answers nothing (aborted).
    running.sandbox.failNext('/v0/platform/link', 1, { delayMs: 600_000 });
    await expect(flanks.completeLink({ code, userId: 'u1' })).rejects.toBeInstanceOf(FlanksTimeoutError);
    expect(running.sandbox.stats.requests['/v0/platform/link']).toBe(1);
    expect((await flanks.links.unusedCodes()).map((c) => c.code)).toEqual([code]);
  });

  it('a store that fails after the exchange: its error as thrown; the credential is found by external_id', async () => {
    const failing: CredentialStore = {
      ...new MemoryCredentialStore(),
      save: async () => {
        throw new Error('database is read-only');
      },
      get: async () => undefined,
      listByUser: async () => [],
      delete: async () => false,
    };
    const flanks = client({ store: failing });
    const code = await codeFrom(flanks, await throughLink(flanks, 'u1', 'pw'));
    await expect(flanks.completeLink({ code, userId: 'u1' })).rejects.toThrow('database is read-only');
    const found = (await flanks.credentials.list().toArray({ limit: 10 })).filter(
      (c) => c.external_id === 'u1',
    );
    expect(found).toHaveLength(1);
  });

  it('no store → FlanksValidationError before any request', async () => {
    const flanks = client({ store: undefined });
    await expect(flanks.completeLink({ code: 'c', userId: 'u1' })).rejects.toBeInstanceOf(
      FlanksValidationError,
    );
    expect(running.sandbox.requests).toEqual([]);
  });
});

describe('credentials.waitUntilReady', () => {
  async function connected(flanks: FlanksClient, password: string): Promise<string> {
    const code = await codeFrom(flanks, await throughLink(flanks, 'u1', password));
    return (await flanks.completeLink({ code, userId: 'u1' })).credentialsToken;
  }

  it('ready: resolves with the status once the first extraction ends', async () => {
    const flanks = client();
    const token = await connected(flanks, 'pw');
    expect((await flanks.credentials.waitUntilReady(token, fast)).pending).toBe(false);
    expect((await flanks.aggregation.portfolios(token)).length).toBeGreaterThan(0);
  });

  it('fetching before the data is extracted → FlanksDataNotReadyError', async () => {
    const flanks = client();
    const token = await connected(flanks, 'SANDBOX_PENDING');
    await expect(flanks.aggregation.portfolios(token)).rejects.toBeInstanceOf(FlanksDataNotReadyError);
  });

  it('DATA_ERROR_PRODUCT_ACCOUNT: resolves, lists the failed types; accounts → FlanksDataError', async () => {
    const flanks = client();
    const token = await connected(flanks, 'DATA_ERROR_PRODUCT_ACCOUNT');
    const status = await flanks.credentials.waitUntilReady(token, fast);
    expect(status.errored?.product?.account).toBe(true);
    await expect(flanks.aggregation.accounts(token)).rejects.toBeInstanceOf(FlanksDataError);
    expect(Array.isArray(await flanks.aggregation.accounts(token, { ignoreDataError: true }))).toBe(true);
  });

  it.each([
    ['SANDBOX_BLOCKED', FlanksCredentialsBlockedError, 'reset_token', 'resetToken'],
    ['SANDBOX_SCA_REQUIRED', FlanksScaRequiredError, 'sca_token', 'scaToken'],
  ] as const)('%s → %o carrying the token to re-authenticate with', async (password, type, field, key) => {
    const flanks = client();
    const token = await connected(flanks, password);
    const err = await flanks.credentials.waitUntilReady(token, fast).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(type);
    const status = await flanks.credentials.getStatus(token);
    expect((err as FlanksUserActionRequiredError).reauth).toEqual({ [key]: status[field] });
  });

  it('SANDBOX_PENDING past timeoutMs → FlanksTimeoutError', async () => {
    const flanks = client();
    const token = await connected(flanks, 'SANDBOX_PENDING');
    // The extraction never ends, so the deadline is what ends the wait, whatever the machine's speed.
    const err = await flanks.credentials.waitUntilReady(token, { timeoutMs: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksTimeoutError);
  });

  it('the caller aborts → FlanksAbortError', async () => {
    const flanks = client();
    const token = await connected(flanks, 'SANDBOX_PENDING');
    const ctl = new AbortController();
    const err = await flanks.credentials
      .waitUntilReady(token, { signal: ctl.signal, onStatus: () => ctl.abort() })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksAbortError);
  });

  it('a deleted credential → FlanksApiError 400, not retried', async () => {
    const flanks = client();
    const token = await connected(flanks, 'pw');
    await flanks.credentials.delete(token);
    const before = running.sandbox.stats.requests['/v0/bank/credentials/status'] ?? 0;
    const err = await flanks.credentials.waitUntilReady(token, fast).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksApiError);
    expect((err as FlanksApiError).status).toBe(400);
    expect(running.sandbox.stats.requests['/v0/bank/credentials/status']).toBe(before + 1);
  });
});

describe('Connect v2: completeSession and waitForSession', () => {
  async function session(flanks: FlanksClient): Promise<{ id: string; user: LinkUser }> {
    const { url, session } = await flanks.connect.createSession({
      configuration: { redirect_url: 'https://app.example.com/flanks/connect', connector_id: 'testbank' },
    });
    return { id: session.session_id, user: await new LinkUser().open(url) };
  }

  it('success: the connection is stored', async () => {
    const flanks = client();
    const { id, user } = await session(flanks);
    const { sessionId } = flanks.connect.parseRedirect((await user.connect('pw')).back);
    expect(sessionId).toBe(id);
    const record = await flanks.connect.completeSession(
      { sessionId, userId: 'u1', expectedSessionId: id },
      fast,
    );
    expect(await flanks.store!.listByUser('u1')).toEqual([record]);
  });

  it.each(FAILURES.map(([, errorCode, password, sca]) => [errorCode, password, sca] as const))(
    'FlanksSessionError %s (password %s), nothing stored',
    async (errorCode, password, sca) => {
      const flanks = client();
      const { id, user } = await session(flanks);
      const { sessionId } = flanks.connect.parseRedirect((await user.connect(password, { sca })).back);
      const err = await flanks.connect
        .completeSession({ sessionId, userId: 'u1', expectedSessionId: id }, fast)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FlanksSessionError);
      expect(err).toMatchObject({ errorCode, sessionId: id, sessionStatus: 'Finished:Error' });
      expect(await flanks.store!.listByUser('u1')).toEqual([]);
    },
  );

  it('Cancel in the widget → FlanksSessionError AbortedByUser (a sandbox name)', async () => {
    const flanks = client();
    const { id, user } = await session(flanks);
    const { sessionId } = flanks.connect.parseRedirect((await user.cancel()).back);
    const err = await flanks.connect
      .completeSession({ sessionId, userId: 'u1', expectedSessionId: id }, fast)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'FlanksSessionError', errorCode: 'AbortedByUser' });
    expect((err as Error).message).toMatch(/create a new session/);
  });

  it('an unknown session id → FlanksError', async () => {
    const err = await client()
      .connect.completeSession(
        { sessionId: 'no-such-session', userId: 'u1', expectedSessionId: 'no-such-session' },
        fast,
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksError);
    expect((err as Error).message).toMatch(/no Connect session with this id/);
  });

  it('the user never finishes → FlanksTimeoutError; aborting → FlanksAbortError', async () => {
    const flanks = client();
    const { id } = await session(flanks);
    await expect(flanks.connect.waitForSession(id, { timeoutMs: 1 })).rejects.toBeInstanceOf(
      FlanksTimeoutError,
    );
    const ctl = new AbortController();
    await expect(
      flanks.connect.waitForSession(id, { signal: ctl.signal, onSession: () => ctl.abort() }),
    ).rejects.toBeInstanceOf(FlanksAbortError);
  });
});
