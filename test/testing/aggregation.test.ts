import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningSandbox, startSandbox } from '../../src/testing';
import { isValidIban, isValidIsin } from '../../src/testing/sandbox/identifiers';
import { type ApiClient, apiClient, type Json } from './helpers';

const NOW = Date.parse('2026-03-15T10:00:00Z');
let running: RunningSandbox;
let api: ApiClient;

beforeAll(async () => {
  running = await startSandbox({ clock: () => NOW, seed: 11 });
  api = apiClient(running.url);
});
afterAll(() => running.close());
beforeEach(async () => {
  running.sandbox.reset();
  await api.token();
});

const ARRAY_KINDS = [
  'portfolio',
  'investment',
  'investment/transaction',
  'account',
  'data',
  'liability',
  'liability/transaction',
  'card',
  'card/transaction',
  'holder',
] as const;

async function fetchAll(token: string): Promise<Record<string, Json>> {
  const entries = await Promise.all(
    [...ARRAY_KINDS, 'auth'].map(async (kind) => {
      const result = await api.post(`/v0/bank/credentials/${kind}`, { credentials_token: token });
      expect(result.status, kind).toBe(200);
      return [kind, result.body] as const;
    }),
  );
  return Object.fromEntries(entries);
}

const cents = (value: number) => Math.round(value * 100);

describe('aggregation endpoints', () => {
  it('answers 409 code 20002 until the data is extracted, per created flag', async () => {
    const token = running.sandbox.createCredential();
    const portfolio = () => api.post('/v0/bank/credentials/portfolio', { credentials_token: token });
    const transactions = () => api.post('/v0/bank/credentials/data', { credentials_token: token });
    expect(await portfolio()).toMatchObject({
      status: 409,
      body: { error: 'Data is still being processed', code: 20002, trace_id: expect.any(String) },
    });
    await api.post('/v0/bank/credentials/status', { credentials_token: token });
    expect((await portfolio()).status).toBe(200);
    expect((await transactions()).status).toBe(409);
    await api.settle(token);
    expect((await transactions()).status).toBe(200);
  });

  it('answers 409 code 20001 for a data error unless ignore_data_error is set', async () => {
    const token = running.sandbox.createCredential({
      password: 'DATA_ERROR_PRODUCT_ACCOUNT',
      pendingPolls: 0,
    });
    for (const kind of ['account', 'data']) {
      expect(await api.post(`/v0/bank/credentials/${kind}`, { credentials_token: token })).toMatchObject({
        status: 409,
        body: { error: 'Data extraction failed', code: 20001, trace_id: expect.any(String) },
      });
      const ignored = await api.post(`/v0/bank/credentials/${kind}`, {
        credentials_token: token,
        ignore_data_error: true,
      });
      expect(ignored).toMatchObject({ status: 200, body: [] });
    }
    expect((await api.post('/v0/bank/credentials/portfolio', { credentials_token: token })).body.length).toBe(
      4,
    );
  });

  it('returns every kind with the documented shapes', async () => {
    const token = running.sandbox.createCredential({ pendingPolls: 0, externalId: 'user-42' });
    const all = await fetchAll(token);
    for (const kind of ARRAY_KINDS) expect(Array.isArray(all[kind]), kind).toBe(true);

    expect(all.portfolio.map((p: Json) => p.type)).toEqual(['F', 'S', 'PP', 'MIX']);
    expect(all.portfolio[0]).toEqual({
      _id: expect.stringMatching(/^[0-9a-f]{24}$/),
      name: expect.any(String),
      type: 'F',
      tax_type: expect.any(String),
      currency: 'EUR',
      refValores: expect.any(String),
      refAccount: all.account[0].iban,
      refAccounts: [all.account[0].iban],
      owners: [all.auth.name],
      balance: expect.any(Number),
      entity: 'testbank',
      external_id: expect.stringMatching(/^[0-9a-f]{24}$/),
      updated_at_timestamp: Math.floor(NOW / 1000),
    });
    expect(new Set(all.investment.map((i: Json) => i.type))).toEqual(new Set(['F', 'VI', 'PP', 'ETF', 'FI']));
    expect(all.investment[0]).toMatchObject({
      _id: expect.any(String),
      name: expect.any(String),
      isin: expect.any(String),
      portfolio_id: all.portfolio[0]._id,
      amount: expect.any(Number),
      price: expect.any(Number),
      balance: expect.any(Number),
      cost: expect.any(Number),
      currency: 'EUR',
    });
    expect(all.account).toHaveLength(2);
    expect(all.account[0]).toMatchObject({
      type: 'cashAccount',
      isOwner: true,
      numOwners: 1,
      currency: 'EUR',
    });
    expect(all.data[0]).toMatchObject({
      account_id: expect.any(String),
      amount: expect.any(Number),
      balance: expect.any(Number),
      operationDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      valueDate: expect.any(String),
      description: expect.any(String),
      category: expect.any(String),
      productDescription: expect.any(String),
    });
    expect(
      all.data.some((t: Json) => t.description.startsWith('NOMINA') && t.transfer?.ibanBeneficiary),
    ).toBe(true);
    expect(
      all.data.some((t: Json) => t.description.includes('MERCADONA') || t.category === 'Supermercados'),
    ).toBe(true);
    expect(all.liability[0]).toMatchObject({
      type: 'Loan',
      liability_id: expect.any(String),
      currency: 'EUR',
    });
    expect(all.card[0].pan).toMatch(/^\*{4} \*{4} \*{4} \d{4}$/);
    expect(all['card/transaction'][0].card_id).toBe(all.card[0].card_id);
    expect(all.holder[0]).toEqual({
      product_id: all.account[0].account_id,
      rel: 'Titular',
      name: all.auth.name,
      document_id: all.auth.document_id,
    });
    expect(all.auth).toEqual({
      _id: expect.any(String),
      name: expect.any(String),
      document_id: expect.stringMatching(/^\d{8}[A-Z]$/),
      contactInfo: { email: expect.stringContaining('@'), phone: expect.stringMatching(/^\+34 6/) },
      address: expect.objectContaining({
        city: expect.any(String),
        postalCode: expect.any(String),
        country: 'ES',
      }),
    });
    const trailing = await api.post('/v0/bank/credentials/auth/', { credentials_token: token });
    expect(trailing.body).toEqual(all.auth);
  });

  it('filters account transactions by account_id and transaction kinds by date', async () => {
    const token = running.sandbox.createCredential({ pendingPolls: 0 });
    const accounts = (await api.post('/v0/bank/credentials/account', { credentials_token: token })).body;
    const savings = accounts[1].account_id;
    const filtered = await api.post('/v0/bank/credentials/data', {
      credentials_token: token,
      query: { account_id: [savings] },
    });
    expect(filtered.body.length).toBeGreaterThan(0);
    expect(filtered.body.every((t: Json) => t.account_id === savings)).toBe(true);
    const none = await api.post('/v0/bank/credentials/data', {
      credentials_token: token,
      query: { account_id: [] },
    });
    expect(none.body).toEqual([]);

    for (const kind of ['data', 'card/transaction', 'liability/transaction', 'investment/transaction']) {
      const ranged = await api.post(`/v0/bank/credentials/${kind}`, {
        credentials_token: token,
        query: { date_from: '2026-02-01', date_to: '2026-02-28' },
      });
      expect(
        ranged.body.length,
        kind === 'investment/transaction' ? 'PP contribution' : kind,
      ).toBeGreaterThan(0);
      expect(
        ranged.body.every((t: Json) => t.operationDate >= '2026-02-01' && t.operationDate <= '2026-02-28'),
      ).toBe(true);
    }
    expect(
      await api.post('/v0/bank/credentials/data', {
        credentials_token: token,
        query: { date_from: '01/02/2026' },
      }),
    ).toMatchObject({ status: 400, body: { error: 'Invalid query' } });
    expect(
      await api.post('/v0/bank/credentials/data', { credentials_token: token, query: { account_id: 'one' } }),
    ).toMatchObject({ status: 400 });
  });
});

describe('generated data invariants', () => {
  it.each([1, 2, 3, 4, 5])('holds for credential #%i', async () => {
    const token = running.sandbox.createCredential({ pendingPolls: 0 });
    const all = await fetchAll(token);

    for (const portfolio of all.portfolio) {
      const held = all.investment.filter((i: Json) => i.portfolio_id === portfolio._id);
      expect(held.length).toBeGreaterThan(0);
      expect(held.reduce((sum: number, i: Json) => sum + cents(i.balance), 0)).toBe(cents(portfolio.balance));
      for (const iban of portfolio.refAccounts) expect(isValidIban(iban)).toBe(true);
    }
    for (const investment of all.investment) {
      expect(isValidIsin(investment.isin), investment.isin).toBe(true);
      expect(cents(investment.balance)).toBe(Math.round(investment.amount * investment.price * 100));
    }
    for (const account of all.account) {
      expect(isValidIban(account.iban), account.iban).toBe(true);
      expect(account.iban).toMatch(/^ES\d{22}$/);
      const history = all.data.filter((t: Json) => t.account_id === account.account_id);
      expect(history.length).toBeGreaterThan(5);
      expect(history[0].balance).toBe(account.balance);
      for (let i = 0; i + 1 < history.length; i++) {
        expect(cents(history[i].balance)).toBe(cents(history[i + 1].balance) + cents(history[i].amount));
        expect(history[i].operationDate >= history[i + 1].operationDate).toBe(true);
      }
    }
    const months = new Set(all.data.map((t: Json) => t.operationDate.slice(0, 7)));
    expect(months.size).toBeGreaterThanOrEqual(6);

    const instalments = all.data.filter((t: Json) => t.description.startsWith('CUOTA PRESTAMO'));
    expect(instalments.map((t: Json) => [t.operationDate, t.amount])).toEqual(
      all['liability/transaction'].map((t: Json) => [t.operationDate, t.amount]),
    );
    expect(all['liability/transaction'][0].balance).toBe(all.liability[0].balance);

    const settlements = all.data.filter((t: Json) => t.description.startsWith('LIQUIDACION TARJETA'));
    for (const settlement of settlements) {
      const month = new Date(`${settlement.operationDate}T00:00:00Z`);
      month.setUTCMonth(month.getUTCMonth() - 1);
      const spent = all['card/transaction']
        .filter((t: Json) => t.operationDate.startsWith(month.toISOString().slice(0, 7)))
        .reduce((sum: number, t: Json) => sum + cents(t.amount), 0);
      expect(cents(settlement.amount)).toBe(spent);
    }
    const productIds = new Set([
      ...all.account.map((a: Json) => a.account_id),
      ...all.portfolio.map((p: Json) => p._id),
      all.card[0].card_id,
      all.liability[0].liability_id,
    ]);
    for (const holder of all.holder) expect(productIds.has(holder.product_id)).toBe(true);
  });

  it('is deterministic for the same seed and token, and differs between credentials', async () => {
    const twin = await startSandbox({ clock: () => NOW, seed: 11 });
    try {
      const twinApi = apiClient(twin.url);
      await twinApi.token();
      const token = running.sandbox.createCredential({ pendingPolls: 0 });
      const twinToken = twin.sandbox.createCredential({ pendingPolls: 0 });
      expect(twinToken).toBe(token);
      const mine = await api.post('/v0/bank/credentials/portfolio', { credentials_token: token });
      const theirs = await twinApi.post('/v0/bank/credentials/portfolio', { credentials_token: twinToken });
      expect(theirs.body).toEqual(mine.body);
      const other = running.sandbox.createCredential({ pendingPolls: 0 });
      const different = await api.post('/v0/bank/credentials/portfolio', { credentials_token: other });
      expect(different.body).not.toEqual(mine.body);
    } finally {
      await twin.close();
    }
  });
});
