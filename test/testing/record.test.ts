import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlanksClient, type FlanksClientOptions, MemoryCredentialStore } from '../../src';
import {
  type FlanksFixture,
  type RunningSandbox,
  recordFlanks,
  replayFlanks,
  SANDBOX_CLIENT_ID,
  SANDBOX_CLIENT_SECRET,
  startSandbox,
} from '../../src/testing';
import { isValidIban } from '../../src/testing/sandbox/identifiers';

// Records a whole sandbox session over real HTTP (link → exchange → status → every aggregation
// endpoint), replays it through a fresh client with no network and other credentials, and checks
// that no secret or personal value of the session reached the recording.

const USER = 'user-record-42';
const EXTERNAL_ID = 'ext-7f3a9c21';
let running: RunningSandbox;
let dir: string;

beforeAll(async () => {
  running = await startSandbox({ pendingPolls: 1 });
  dir = mkdtempSync(join(tmpdir(), 'flanks-recording-'));
});
afterAll(() => running.close());

/**
 * The session a user's app would run, returning everything it got from Flanks. A replay completes
 * the recorded exchange by hand: the recording scrubs the Link's signed state, and a client of
 * another application could not verify it anyway, so `completeLink` (rightly) refuses it.
 */
async function session(flanks: FlanksClient, code: string, replayed = false) {
  const link = await flanks.links.create({
    redirect_uri: 'https://app.example.com/flanks/callback',
    name: 'rec',
  });
  const record = replayed ? await exchanged(flanks, code) : await flanks.completeLink({ code, userId: USER });
  const token = record.credentialsToken;
  const status = await flanks.credentials.waitUntilReady(token, { pollIntervalMs: 1 });
  const a = flanks.aggregation;
  const data = {
    portfolios: await a.portfolios(token),
    investments: await a.investments(token),
    investmentTransactions: await a.investmentTransactions(token),
    accounts: await a.accounts(token),
    accountTransactions: await a.accountTransactions(token),
    liabilities: await a.liabilities(token),
    liabilityTransactions: await a.liabilityTransactions(token),
    cards: await a.cards(token),
    cardTransactions: await a.cardTransactions(token),
    holders: await a.holders(token),
    identity: await a.identity(token),
    entities: await flanks.entities.list(),
    products: await flanks.aggregationV2
      .listProducts({ query: { connection_id_in: [token] } })
      .toArray({ limit: 500 }),
  };
  return { link, record, status, data };
}

async function exchanged(flanks: FlanksClient, code: string) {
  const result = await flanks.links.exchangeCode(code);
  const { state: _state, ...extra } = (result.body as { extra?: Record<string, unknown> }).extra ?? {};
  return {
    credentialsToken: String((result.body as { credentials_token?: unknown }).credentials_token),
    extra,
  };
}

/** The value with every string reduced to its type: what must survive the placeholders unchanged. */
function skeleton(value: unknown): unknown {
  if (typeof value === 'string') return 'string';
  if (Array.isArray(value)) return value.map(skeleton);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, skeleton(v)]));
  }
  return value;
}

const stripAccents = (s: string) => s.normalize('NFD').replace(/\p{Diacritic}/gu, '');

describe('recordFlanks / replayFlanks', () => {
  let original: Awaited<ReturnType<typeof session>>;
  let files: string[];
  let recorded: string;
  const options = (over: FlanksClientOptions): FlanksClientOptions => ({
    store: new MemoryCredentialStore(),
    validation: 'strict',
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    ...over,
  });

  beforeAll(async () => {
    const signer = new FlanksClient({ clientId: SANDBOX_CLIENT_ID, clientSecret: SANDBOX_CLIENT_SECRET });
    const state = new URL(
      signer.links.buildUrl({ token: running.sandbox.defaultLink.token, userId: USER }),
    ).searchParams.get('state')!;
    const result = running.sandbox.connect({ params: { external_id: EXTERNAL_ID, plan: 'pro', state } });
    if (!('code' in result)) throw new Error('the sandbox did not connect');
    const flanks = new FlanksClient(
      options({
        clientId: SANDBOX_CLIENT_ID,
        clientSecret: SANDBOX_CLIENT_SECRET,
        baseUrl: running.url,
        fetch: recordFlanks({ dir }),
      }),
    );
    original = await session(flanks, result.code);
    files = readdirSync(dir).sort();
    recorded = files.map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
  });

  it('writes one fixture per request, in order', () => {
    expect(files[0]).toBe('0001-post-v0_token.json');
    expect(files).toContain('0003-post-v0_platform_link.json');
    expect(files.length).toBe(running.sandbox.requests.length);
    const exchange: FlanksFixture = JSON.parse(
      readFileSync(join(dir, '0003-post-v0_platform_link.json'), 'utf8'),
    );
    expect(exchange.request).toMatchObject({
      method: 'POST',
      body: { code: 'redacted-link_code-1' },
      headers: { authorization: 'Bearer redacted-access_token-1' },
    });
    expect(exchange.request.redacted).toEqual(expect.arrayContaining(['body.code', 'headers.authorization']));
    expect(exchange.response.body).toMatchObject({ credentials_token: 'redacted-credentials_token-1' });
  });

  it('no secret or personal value of the session is in any recorded file', () => {
    const { data, record, link } = original;
    const people = [data.identity, ...data.holders] as Array<Record<string, unknown>>;
    const names = [
      ...people.map((p) => String(p.name)),
      ...data.portfolios.flatMap((p) => p.owners ?? []),
      ...data.accounts.flatMap((a) => a.owners ?? []),
      ...data.accountTransactions.flatMap((t) =>
        t.transfer ? [t.transfer.payer, t.transfer.beneficiary] : [],
      ),
    ].filter((n): n is string => typeof n === 'string');
    const identity = data.identity as {
      document_id: string;
      contactInfo: { email: string; phone: string };
      address: { street: string };
    };
    const values = [
      SANDBOX_CLIENT_SECRET,
      ...running.sandbox.requests.map((r) => r.authorization?.replace(/^Bearer /, '')).filter(Boolean),
      record.credentialsToken,
      link.token,
      running.sandbox.defaultLink.token,
      EXTERNAL_ID,
      ...names,
      ...names.map((n) => stripAccents(n).toUpperCase()),
      ...people.map((p) => String(p.document_id)),
      identity.contactInfo.email,
      identity.contactInfo.phone,
      identity.address.street,
      ...data.accounts.map((a) => a.iban),
      ...data.portfolios.flatMap((p) => [p.refAccount, ...[p.refAccounts ?? []].flat(), p.refValores]),
      ...data.accountTransactions.flatMap((t) =>
        t.transfer ? [t.transfer.ibanPayer, t.transfer.ibanBeneficiary] : [],
      ),
      ...data.cards.map((c) => c.pan),
    ].filter((v): v is string => typeof v === 'string' && v.length > 0);
    expect(values.length).toBeGreaterThan(30);
    const leaked = [...new Set(values)].filter((v) => recorded.includes(v));
    expect(leaked).toEqual([]);
    // The link code, exchanged once: only the sandbox log still knows it.
    const code = running.sandbox.requests.find((r) => r.path === '/v0/platform/link')?.body as {
      code: string;
    };
    expect(recorded).not.toContain(code.code);
  });

  it('personal data is replaced by same-shaped placeholders (valid IBANs and card numbers)', () => {
    const accounts = JSON.parse(
      readFileSync(join(dir, files.find((f) => f.endsWith('credentials_account.json'))!), 'utf8'),
    ).response.body as Array<{ iban: string; owners: string[] }>;
    for (const [i, account] of accounts.entries()) {
      expect(isValidIban(account.iban)).toBe(true);
      expect(account.iban.length).toBe(original.data.accounts[i]!.iban!.length);
      expect(account.owners.map((o) => o.split(' ').length)).toEqual(
        original.data.accounts[i]!.owners!.map((o) => o.split(' ').length),
      );
    }
    const identity = JSON.parse(
      readFileSync(join(dir, files.find((f) => f.endsWith('credentials_auth.json'))!), 'utf8'),
    ).response.body as { document_id: string; contactInfo: { email: string } };
    expect(identity.document_id).toMatch(/^\d{8}[A-Z]$/);
    expect(identity.contactInfo.email).toMatch(/^user\d+@example\.com$/);
    const cards = JSON.parse(
      readFileSync(join(dir, files.find((f) => f.endsWith('credentials_card.json'))!), 'utf8'),
    ).response.body as Array<{ pan: string }>;
    expect(cards[0]!.pan).toMatch(/^\*{4} \*{4} \*{4} \d{4}$/);
    expect(cards[0]!.pan).not.toBe(original.data.cards[0]!.pan);
  });

  it('a fresh client with other credentials replays the session with the same results', async () => {
    const replay = replayFlanks(dir);
    const flanks = new FlanksClient(
      options({
        clientId: 'replay-id',
        clientSecret: 'replay-secret',
        baseUrl: 'https://api.flanks.io',
        fetch: replay.fetch,
      }),
    );
    const again = await session(flanks, 'a-code-of-the-test', true);
    expect(again.record.credentialsToken).toBe('redacted-credentials_token-1');
    expect(again.record.extra).toEqual({ external_id: expect.any(String), plan: expect.any(String) });
    expect(skeleton(again.data)).toEqual(skeleton(original.data));
    expect(again.status.pending).toBe(false);
    // Ids, amounts, dates and categories are kept as recorded.
    expect(again.data.accountTransactions.map((t) => [t._id, t.amount, t.operationDate, t.category])).toEqual(
      original.data.accountTransactions.map((t) => [t._id, t.amount, t.operationDate, t.category]),
    );
    expect(again.data.investments.map((i) => i.isin)).toEqual(original.data.investments.map((i) => i.isin));
  });

  it('bad arguments are FlanksErrors', () => {
    expect(() => recordFlanks({} as never)).toThrow(/needs the folder/);
    expect(() => replayFlanks(join(dir, 'does-not-exist'))).toThrow(/cannot read the recording folder/);
  });

  it('replays through msw handlers too; an unrecorded request is a 404 naming it', async () => {
    const replay = replayFlanks(dir);
    const server = setupServer(...(await replay.handlers({ baseUrl: 'https://api.flanks.replay' })));
    server.listen({ onUnhandledRequest: 'error' });
    try {
      const flanks = new FlanksClient(
        options({
          clientId: 'replay-id',
          clientSecret: 'replay-secret',
          baseUrl: 'https://api.flanks.replay',
        }),
      );
      const status = await flanks.credentials.getStatus('redacted-credentials_token-1');
      expect(typeof status.pending).toBe('boolean');
      // Another placeholder of the recording does not match this token's fixtures.
      await expect(flanks.credentials.getStatus('redacted-credentials_token-9')).rejects.toMatchObject({
        status: 404,
        message: expect.stringContaining('no recorded response for POST /v0/bank/credentials/status'),
      });
    } finally {
      server.close();
    }
  });
});
