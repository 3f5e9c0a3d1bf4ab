import { describe, expect, it } from 'vitest';
import { FlanksApiError, FlanksError, FlanksValidationError } from '../../src';
import { ACCESS_TOKEN, makeClient, route, tokenRoute, useMsw } from '../helpers';

useMsw();

const PRODUCTS = '/aggregation/v2/list-products';
const TRANSACTIONS = '/aggregation/v2/list-transactions';
const PRODUCT_LABELS = '/aggregation/v2/set-product-labels';
const TX_LABELS = '/aggregation/v2/set-transaction-labels';
const CONNECTION = 'conn_live_5e6f7a8b9c0d_secret';

const page = (items: unknown[], next: string | null = null) => ({ body: { items, next_page_token: next } });

const ACCOUNT = {
  product_id: 'acc_1',
  product_type: 'Account',
  connection_id: CONNECTION,
  name: 'Cuenta Nómina',
  balance: 2450.37,
  currency: 'EUR',
  iban: 'ES9121000418450200051332',
  labels: { client: 'acme' },
};
const FUND = {
  product_id: 'inv_1',
  product_type: 'Investment',
  name: 'Fondo Global',
  balance: 10_000,
  isin: 'ES0000000001',
};
const TX = {
  transaction_id: 'tx_1',
  product_id: 'acc_1',
  amount: -45.3,
  currency: 'EUR',
  description: 'MERCADONA',
  date: '2026-03-01',
  category: 'groceries',
  labels: {},
};

describe('aggregationV2.listProducts', () => {
  it('POSTs the query and iterates over every page, unknown fields kept', async () => {
    tokenRoute();
    const calls = route('post', PRODUCTS, page([ACCOUNT], 'p2'), page([{ ...FUND, new_field: true }]));
    const query = { connection_id_in: [CONNECTION], product_type_in: ['Account', 'Investment'] };
    const products = await makeClient({ validation: 'strict' })
      .aggregationV2.listProducts({ query })
      .toArray({ limit: 100 });
    expect(products).toEqual([ACCOUNT, { ...FUND, new_field: true }]);
    expect(calls.map((c) => c.body)).toEqual([{ query }, { query, page_token: 'p2' }]);
    expect(calls[0]!.method).toBe('POST');
    expect(calls[0]!.headers.get('authorization')).toBe(`Bearer ${ACCESS_TOKEN}`);
  });

  it('handles an empty last page and stops on a repeated cursor', async () => {
    tokenRoute();
    route('post', PRODUCTS, page([ACCOUNT], 'p2'), page([], null));
    await expect(makeClient().aggregationV2.listProducts().toArray({ limit: 10 })).resolves.toEqual([
      ACCOUNT,
    ]);

    tokenRoute();
    const calls = route('post', PRODUCTS, page([ACCOUNT], 'p2'), page([FUND], 'p3'), page([FUND], 'p2'));
    await expect(makeClient().aggregationV2.listProducts().toArray({ limit: 1000 })).rejects.toBeInstanceOf(
      FlanksError,
    );
    expect(calls).toHaveLength(3);
  });

  it('an empty filter list is sent as is (it matches nothing at Flanks)', async () => {
    tokenRoute();
    const calls = route('post', PRODUCTS, page([]));
    await makeClient()
      .aggregationV2.listProducts({ query: { product_id_in: [] } })
      .toArray({ limit: 1 });
    expect(calls[0]!.body).toEqual({ query: { product_id_in: [] } });
  });

  it('keeps connection ids out of errors', async () => {
    tokenRoute();
    route('post', PRODUCTS, { status: 400, body: { error: { code: 'ValidationError' }, echo: CONNECTION } });
    const err = await makeClient()
      .aggregationV2.listProducts({ query: { connection_id_in: [CONNECTION] } })
      .toArray({ limit: 1 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksApiError);
    expect((err as FlanksApiError).code).toBe('ValidationError');
    expect(JSON.stringify(err)).not.toContain(CONNECTION);
  });
});

describe('aggregationV2.listTransactions', () => {
  it('sends id and date-range filters and pages through', async () => {
    tokenRoute();
    const calls = route(
      'post',
      TRANSACTIONS,
      page([TX], 't2'),
      page([{ ...TX, transaction_id: 'tx_2' }], 't3'),
      page([]),
    );
    const query = { product_id_in: ['acc_1'], date_from: '2026-01-01', date_to: '2026-03-31' };
    const seen: string[] = [];
    for await (const t of makeClient({ validation: 'strict' }).aggregationV2.listTransactions({ query })) {
      seen.push(t.transaction_id);
    }
    expect(seen).toEqual(['tx_1', 'tx_2']);
    expect(calls.map((c) => c.body)).toEqual([
      { query },
      { query, page_token: 't2' },
      { query, page_token: 't3' },
    ]);
  });

  it('.pages() exposes page boundaries', async () => {
    tokenRoute();
    route('post', TRANSACTIONS, page([TX, TX], 't2'), page([TX]));
    const sizes: number[] = [];
    for await (const p of makeClient().aggregationV2.listTransactions().pages()) sizes.push(p.items.length);
    expect(sizes).toEqual([2, 1]);
  });

  it.each([
    ['a date in another format', { date_from: '01/03/2026' }, 'params.query.date_from'],
    ['a numeric date', { date_to: 20260301 }, 'params.query.date_to'],
    ['a string id filter', { transaction_id_in: 'tx_1' }, 'params.query.transaction_id_in'],
  ])('%s rejects before any request', async (_what, query, path) => {
    const calls = route('post', TRANSACTIONS, page([]));
    const err = await makeClient()
      .aggregationV2.listTransactions({ query } as never)
      .toArray({ limit: 1 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksValidationError);
    expect((err as FlanksValidationError).path).toBe(path);
    expect(calls).toHaveLength(0);
  });
});

describe('aggregationV2 labels', () => {
  it.each([
    ['setProductLabels', PRODUCT_LABELS, 'product_id'],
    ['setTransactionLabels', TX_LABELS, 'transaction_id'],
  ] as const)('%s POSTs the id and the labels and returns the answer', async (method, path, field) => {
    tokenRoute();
    const answer = { success: true, [field]: 'id_1', labels: { client: 'acme' } };
    const calls = route('post', path, { body: answer });
    const result = await makeClient().aggregationV2[method]('id_1', { client: 'acme' });
    expect(result).toEqual(answer);
    expect(calls[0]!.body).toEqual({ [field]: 'id_1', labels: { client: 'acme' } });
    expect(calls[0]!.headers.get('content-type')).toContain('application/json');
  });

  it('an empty answer body gives undefined', async () => {
    tokenRoute();
    route('post', PRODUCT_LABELS, { text: '' });
    await expect(makeClient().aggregationV2.setProductLabels('id_1', {})).resolves.toBeUndefined();
  });

  it('is not retried once it may have reached Flanks', async () => {
    tokenRoute();
    const calls = route('post', TX_LABELS, { status: 503, body: { error: 'busy' } });
    await expect(makeClient().aggregationV2.setTransactionLabels('tx_1', { a: 'b' })).rejects.toBeInstanceOf(
      FlanksApiError,
    );
    expect(calls).toHaveLength(1);
  });

  it.each([
    ['an empty id', '', { a: 'b' }, 'productId'],
    ['labels as an array', 'id', ['a'], 'labels'],
    ['a numeric label value', 'id', { a: 1 }, 'labels.a'],
    ['no labels', 'id', undefined, 'labels'],
  ])('%s → FlanksValidationError, no request', async (_what, id, labels, path) => {
    const calls = route('post', PRODUCT_LABELS, { body: {} });
    const err = await makeClient()
      .aggregationV2.setProductLabels(id, labels as never)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksValidationError);
    expect((err as FlanksValidationError).path).toBe(path);
    expect(calls).toHaveLength(0);
  });
});
