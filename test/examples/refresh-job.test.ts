import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { formatRefreshReport, runRefreshJob } from '../../examples/refresh-job';
import { FlanksAuthError, FlanksClient, MemoryCredentialStore } from '../../src';
import {
  type RunningSandbox,
  SANDBOX_CLIENT_ID,
  SANDBOX_CLIENT_SECRET,
  startSandbox,
} from '../../src/testing';

let running: RunningSandbox;
let store: MemoryCredentialStore;
let flanks: FlanksClient;

beforeAll(async () => {
  running = await startSandbox({ pendingPolls: 0 });
});
afterAll(() => running.close());
beforeEach(() => {
  running.sandbox.reset();
  store = new MemoryCredentialStore();
  flanks = client();
});

function client(clientSecret = SANDBOX_CLIENT_SECRET): FlanksClient {
  return new FlanksClient({
    clientId: SANDBOX_CLIENT_ID,
    clientSecret,
    baseUrl: running.url,
    linkBaseUrl: running.linkBaseUrl,
    maxRetries: 0,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
}

async function seed(
  userId: string,
  options: { bank?: string; password?: string; pendingPolls?: number } = {},
): Promise<string> {
  const credentialsToken = running.sandbox.createCredential({ externalId: userId, ...options });
  await store.save({ userId, credentialsToken, createdAt: new Date().toISOString(), extra: {} });
  return credentialsToken;
}

const silent = () => {};

describe('runRefreshJob', () => {
  it('reports each credential’s state, and totals that add up the portfolio balances', async () => {
    const alice1 = await seed('alice');
    const alice2 = await seed('alice', { bank: 'bankinter' });
    const bob = await seed('bob');
    running.sandbox.block(bob);
    const carol = await seed('carol', { bank: 'bbva' });
    running.sandbox.requireSca(carol);
    const dave = await seed('dave', { password: 'DATA_ERROR_PRODUCT_ACCOUNT' });
    const erin = await seed('erin', { pendingPolls: 5 });
    await seed('nobody-asked'); // not in userIds: not refreshed

    const lines: string[] = [];
    const summary = await runRefreshJob({
      flanks,
      store,
      userIds: ['alice', 'bob', 'carol', 'dave', 'erin'],
      concurrency: 2,
      log: (line) => lines.push(line),
    });

    const byToken = new Map(summary.credentials.map((c) => [c.credentialsToken, c]));
    expect(summary.credentials.map((c) => c.userId)).toEqual([
      'alice',
      'alice',
      'bob',
      'carol',
      'dave',
      'erin',
    ]);
    expect(byToken.get(alice1)).toMatchObject({ bank: 'testbank', state: 'ready', dataErrors: [] });
    expect(byToken.get(alice1)?.action).toBeUndefined();
    expect(byToken.get(alice2)).toMatchObject({ bank: 'bankinter', state: 'ready' });
    expect(byToken.get(bob)).toMatchObject({ state: 'needs_reset', action: 'reconnect', portfolios: 0 });
    expect(byToken.get(carol)).toMatchObject({ bank: 'bbva', state: 'needs_sca', action: 'confirm_sca' });
    expect(byToken.get(dave)).toMatchObject({
      state: 'partial_error',
      accounts: 0,
      accountTransactions: 0,
      dataErrors: ['account', 'transactions.account'],
    });
    expect(byToken.get(dave)?.portfolios).toBeGreaterThan(0);
    expect(byToken.get(erin)).toMatchObject({ state: 'pending', action: 'retry_later', portfolios: 0 });
    expect(summary.needUser).toEqual([
      { userId: 'bob', bank: 'testbank', ref: `…${bob.slice(-4)}`, action: 'reconnect' },
      { userId: 'carol', bank: 'bbva', ref: `…${carol.slice(-4)}`, action: 'confirm_sca' },
    ]);

    // The totals are the portfolio balances Flanks reports for the refreshed credentials, to the
    // cent: no float noise such as 145694.91999999998 (the expected sums are done in cents).
    let expectedCents = 0;
    let expectedPortfolios = 0;
    for (const token of [alice1, alice2, dave]) {
      const portfolios = await flanks.aggregation.portfolios(token);
      const cents = portfolios.reduce((sum, p) => sum + Math.round((p.balance ?? 0) * 100), 0);
      expect(byToken.get(token)?.totalBalance).toBe(cents / 100);
      expect(byToken.get(token)?.portfolios).toBe(portfolios.length);
      expectedCents += cents;
      expectedPortfolios += portfolios.length;
    }
    const expectedBalance = expectedCents / 100;
    const accounts = await flanks.aggregation.accounts(alice1);
    expect(byToken.get(alice1)?.accounts).toBe(accounts.length);
    expect(summary.totals).toEqual({
      credentials: 6,
      refreshed: 3,
      needUser: 2,
      failed: 0,
      portfolios: expectedPortfolios,
      totalBalance: expectedBalance,
    });
    expect(expectedBalance).toBeGreaterThan(0);

    const report = formatRefreshReport(summary);
    expect(report).toMatch(/^user\s+bank\s+credential\s+state\s+portfolios\s+total balance\s+next step$/m);
    expect(report).toContain('bob: ask the user to reconnect (blocked login) at testbank');
    expect(report).toContain('carol: ask the user to confirm SCA at bbva');
    for (const token of [alice1, alice2, bob, carol, dave, erin]) {
      expect(report).not.toContain(token);
      expect(lines.join('\n')).not.toContain(token);
    }
  });

  it('keeps going when a credential fails, and says what to do about it', async () => {
    const bob = await seed('bob');
    const alice = await seed('alice');
    await store.save({ userId: 'alice', credentialsToken: 'deleted-at-flanks', createdAt: '', extra: {} });
    const carol = await seed('carol');
    // One worker keeps the order fixed: bob's status call is the first, and Flanks answers it 503.
    running.sandbox.failNext('/v0/bank/credentials/status', 1, { status: 503 });

    const summary = await runRefreshJob({
      flanks,
      store,
      userIds: ['bob', 'alice', 'carol'],
      concurrency: 1,
      log: silent,
    });

    const [first, second, third, fourth] = summary.credentials;
    expect(first).toMatchObject({ credentialsToken: bob, state: 'failed', action: 'retry_later' });
    expect(first?.error).toMatch(/^FlanksApiError: .*503/);
    expect(second).toMatchObject({ credentialsToken: alice, state: 'ready' });
    expect(third).toMatchObject({
      credentialsToken: 'deleted-at-flanks',
      state: 'failed',
      action: 'investigate',
    });
    expect(third?.error).toContain('Flanks does not know this credential');
    expect(fourth).toMatchObject({ credentialsToken: carol, state: 'ready' });
    expect(summary.totals).toMatchObject({ credentials: 4, refreshed: 2, failed: 2, needUser: 0 });
    expect(formatRefreshReport(summary)).not.toContain('deleted-at-flanks');
  });

  it('stops when Flanks rejects the client credentials, since every call would fail', async () => {
    await seed('alice');
    await expect(
      runRefreshJob({ flanks: client('wrong-secret'), store, userIds: ['alice'], log: silent }),
    ).rejects.toBeInstanceOf(FlanksAuthError);
  });
});
