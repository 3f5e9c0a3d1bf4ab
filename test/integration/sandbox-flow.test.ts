import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  FlanksApiError,
  FlanksAuthError,
  FlanksClient,
  type FlanksClientOptions,
  FlanksConnectionError,
  FlanksCredentialsBlockedError,
  FlanksDataError,
  FlanksDataNotReadyError,
  FlanksLinkDelayedError,
  FlanksScaRequiredError,
  MemoryCredentialStore,
} from '../../src';
import {
  createFlanksHandlers,
  FlanksSandbox,
  SANDBOX_CLIENT_ID,
  SANDBOX_CLIENT_SECRET,
} from '../../src/testing';
import { settle, signedState, spyLogger } from '../helpers';

// The SDK against the sandbox through msw: the whole flow with strict validation (so every schema
// must accept the sandbox's realistic data), then faults injected by the sandbox's scenario controls.

const sandbox = new FlanksSandbox({ seed: 7 });
const server = setupServer(...(await createFlanksHandlers(sandbox)));

beforeAll(async () => {
  server.listen({ onUnhandledRequest: 'error' });
  // Loads the SDK's HTTP runtime (a dynamic import, real I/O) before any test fakes the clock.
  await client().entities.list();
});
beforeEach(() => sandbox.reset());
afterEach(() => vi.useRealTimers());
afterAll(() => server.close());

function client(options: FlanksClientOptions = {}) {
  return new FlanksClient({
    clientId: SANDBOX_CLIENT_ID,
    clientSecret: SANDBOX_CLIENT_SECRET,
    validation: 'strict',
    store: new MemoryCredentialStore(),
    logger: spyLogger(),
    ...options,
  });
}

function linkCode(password = 'correct-horse', params: Record<string, string> = {}): string {
  const result = sandbox.connect({ bank: 'testbank', username: `u-${Math.random()}`, password, params });
  if (!('code' in result)) throw new Error(`sandbox.connect failed: ${JSON.stringify(result)}`);
  return result.code;
}

describe('the Link flow against the sandbox', () => {
  it('link → exchange → store → wait → every fetcher, strictly validated', async () => {
    const flanks = client();
    const record = await flanks.completeLink({
      code: linkCode('correct-horse', {
        external_id: 'user-1',
        campaign: 'spring',
        state: signedState(flanks, 'user-1'),
      }),
      userId: 'user-1',
    });
    expect(record).toMatchObject({ userId: 'user-1', externalId: 'user-1', extra: { campaign: 'spring' } });
    expect(await flanks.store!.listByUser('user-1')).toHaveLength(1);

    const polls: boolean[] = [];
    const status = await flanks.credentials.waitUntilReady(record.credentialsToken, {
      pollIntervalMs: 1,
      onStatus: (s) => polls.push(s.pending),
    });
    expect(status.pending).toBe(false);
    expect(polls).toEqual([true, true, false]);

    const t = record.credentialsToken;
    const a = flanks.aggregation;
    const [portfolios, investments, accounts, transactions] = await Promise.all([
      a.portfolios(t),
      a.investments(t),
      a.accounts(t),
      a.accountTransactions(t),
    ]);
    expect(portfolios.length).toBeGreaterThan(1);
    for (const p of portfolios) {
      const sum = investments
        .filter((i) => i.portfolio_id === p._id)
        .reduce((s, i) => s + (i.balance ?? 0), 0);
      expect(sum).toBeCloseTo(p.balance ?? 0, 2);
    }
    expect(accounts.every((acc) => /^ES\d{22}$/.test(acc.iban ?? ''))).toBe(true);
    expect(transactions.length).toBeGreaterThan(20);
    for (const fetcher of [
      a.investmentTransactions,
      a.liabilities,
      a.liabilityTransactions,
      a.cards,
      a.cardTransactions,
      a.holders,
    ]) {
      expect(Array.isArray(await fetcher.call(a, t))).toBe(true);
    }
    expect(await a.identity(t)).toMatchObject({ _id: expect.any(String) });
    expect(sandbox.stats.tokenRequests).toBe(1);
  });

  it('the Links API round-trips through the SDK', async () => {
    const flanks = client();
    const link = await flanks.links.create({ redirect_uri: 'https://app.example.com/cb', name: 'it-link' });
    expect((await flanks.links.list()).map((l) => l.token)).toContain(link.token);
    expect((await flanks.links.pause(link.token)).active).toBe(false);
    expect((await flanks.links.resume(link.token)).active).toBe(true);
    expect((await flanks.links.edit({ token: link.token, name: 'renamed' })).name).toBe('renamed');
    const code = linkCode();
    expect((await flanks.links.unusedCodes()).map((c) => c.code)).toContain(code);
    await flanks.links.delete(link.token);
    expect((await flanks.links.list()).map((l) => l.token)).not.toContain(link.token);
  });

  it('a used code fails the second time with a typed API error', async () => {
    const flanks = client();
    const code = linkCode();
    await flanks.links.exchangeCode(code);
    await expect(flanks.links.exchangeCode(code)).rejects.toBeInstanceOf(FlanksApiError);
  });

  it('a delayed token (202) saves nothing', async () => {
    const flanks = client();
    await expect(
      flanks.completeLink({ code: linkCode('SANDBOX_DELAYED'), userId: 'u' }),
    ).rejects.toBeInstanceOf(FlanksLinkDelayedError);
    expect(await flanks.store!.listByUser('u')).toEqual([]);
  });

  it('data asked for too early is FlanksDataNotReadyError; a data error is FlanksDataError', async () => {
    const flanks = client();
    const early = sandbox.createCredential({ pendingPolls: 5 });
    await expect(flanks.aggregation.portfolios(early)).rejects.toBeInstanceOf(FlanksDataNotReadyError);
    const broken = sandbox.createCredential({ pendingPolls: 0, password: 'DATA_ERROR_PRODUCT_ACCOUNT' });
    await flanks.credentials.waitUntilReady(broken);
    await expect(flanks.aggregation.accounts(broken)).rejects.toBeInstanceOf(FlanksDataError);
    expect(await flanks.aggregation.accounts(broken, { ignoreDataError: true })).toEqual([]);
  });

  it('products: resolves before the whole extraction ends', async () => {
    const flanks = client();
    const token = sandbox.createCredential({ pendingPolls: 3 });
    const status = await flanks.credentials.waitUntilReady(token, {
      products: ['portfolio'],
      pollIntervalMs: 1,
    });
    expect(status.pending).toBe(true);
    expect(status.created?.product?.portfolio).toBe(true);
    expect(await flanks.aggregation.portfolios(token)).not.toHaveLength(0);
  });

  it('blocked and SCA credentials reject waitUntilReady with typed errors', async () => {
    const flanks = client();
    const blocked = sandbox.createCredential({ pendingPolls: 0 });
    sandbox.block(blocked);
    await expect(flanks.credentials.waitUntilReady(blocked)).rejects.toBeInstanceOf(
      FlanksCredentialsBlockedError,
    );
    const sca = sandbox.createCredential({ pendingPolls: 0 });
    sandbox.requireSca(sca);
    await expect(flanks.credentials.waitUntilReady(sca)).rejects.toBeInstanceOf(FlanksScaRequiredError);
  });

  it('force, delete and the paginated list', async () => {
    const flanks = client();
    const tokens = Array.from({ length: 45 }, () => sandbox.createCredential({ pendingPolls: 0 }));
    const listed = await flanks.credentials.list().toArray({ limit: 1000 });
    expect(new Set(listed.map((c) => c.credentials_token))).toEqual(new Set(tokens));
    let pages = 0;
    for await (const _ of flanks.credentials.list().pages()) pages++;
    expect(pages).toBe(3);
    expect((await flanks.credentials.force(tokens[0]!, 'sca')).sca_token).toEqual(expect.any(String));
    await flanks.credentials.delete(tokens[1]!);
    await expect(flanks.credentials.getStatus(tokens[1]!)).rejects.toMatchObject({ status: 400 });
  });

  it('wrong client credentials are a FlanksAuthError', async () => {
    await expect(client({ clientSecret: 'wrong' }).entities.list()).rejects.toBeInstanceOf(FlanksAuthError);
  });
});

describe('faults injected by the sandbox', () => {
  it('dropped connections, cut bodies, 5xx and 429 on reads are retried to success', async () => {
    vi.useFakeTimers();
    const flanks = client({ maxRetries: 4 });
    const token = sandbox.createCredential({ pendingPolls: 0 });
    const path = '/v0/bank/credentials/portfolio';
    sandbox.failNext(path, 1, { reset: true });
    sandbox.failNext(path, 1, { truncate: true });
    sandbox.failNext(path, 1, { status: 503 });
    sandbox.failNext(path, 1, { status: 429, retryAfter: 2 });
    const portfolios = await settle(flanks.aggregation.portfolios(token));
    expect(portfolios.length).toBeGreaterThan(0);
    expect(sandbox.stats.requests[path]).toBe(5);
  });

  it('the code exchange is never replayed after a dropped connection', async () => {
    const flanks = client();
    const code = linkCode();
    sandbox.failNext('/v0/platform/link', 1, { reset: true });
    await expect(flanks.completeLink({ code, userId: 'u' })).rejects.toBeInstanceOf(FlanksConnectionError);
    expect(sandbox.stats.requests['/v0/platform/link']).toBe(1);
    expect(await flanks.store!.listByUser('u')).toEqual([]);
  });

  it('expired tokens: one refresh, the calls succeed', async () => {
    const flanks = client();
    const token = sandbox.createCredential({ pendingPolls: 0 });
    await flanks.credentials.getStatus(token);
    sandbox.expireTokens();
    await Promise.all(Array.from({ length: 10 }, () => flanks.credentials.getStatus(token)));
    expect(sandbox.stats.tokenRequests).toBe(2);
  });

  it('two clients revoking each other’s token still complete every call', async () => {
    const one = client();
    const two = client();
    const token = sandbox.createCredential({ pendingPolls: 0 });
    for (let i = 0; i < 5; i++) {
      await one.credentials.getStatus(token);
      await two.credentials.getStatus(token);
    }
    expect(sandbox.stats.tokenRequests).toBe(10);
  });
});
