import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  FlanksApiError,
  type FlanksClient,
  FlanksDataError,
  FlanksDataNotReadyError,
  FlanksError,
  FlanksValidationError,
} from '../../src';
import { ACCESS_TOKEN, makeClient, route, settle, spyLogger, tokenRoute, useMsw } from '../helpers';

useMsw();

const TOKEN = 'ct_live_9f8e7d6c5b4a3210_secret';

/** Portfolio as Flanks' Spanish banks send it, with fields the SDK does not know about. */
const PORTFOLIOS = [
  {
    _id: 'pf_8a1c',
    name: 'Cartera de Valores',
    type: 'MIX',
    tax_type: 'ordinaria',
    currency: 'EUR',
    refValores: '0049-1500-05-1234567890',
    refAccount: 'ES7600491500051234567892',
    refAccounts: ['ES7600491500051234567892', 'ES9121000418450200051332'],
    owners: ['José María Pérez Núñez', 'Begoña Iñiguez Ruíz'],
    balance: 152340.57,
    entity: 'santander',
    external_id: null,
    updated_at_timestamp: 1718000000,
    fechaValoracion: '2024-06-10',
    custodio: { nombre: 'Allfunds', pais: 'ES' },
  },
  {
    _id: 'pf_8a1d',
    name: 'Plan de Pensiones Jubilación',
    type: 'PP',
    currency: 'EUR',
    balance: 23000,
    entity: 'santander',
    comisiónGestión: 1.5,
  },
];

type Fetcher = (client: FlanksClient, token: string, options?: object) => Promise<unknown>;

const FETCHERS: Array<[string, string, Fetcher]> = [
  ['portfolios', 'portfolio', (c, t, o) => c.aggregation.portfolios(t, o)],
  ['investments', 'investment', (c, t, o) => c.aggregation.investments(t, o)],
  [
    'investmentTransactions',
    'investment/transaction',
    (c, t, o) => c.aggregation.investmentTransactions(t, o),
  ],
  ['accounts', 'account', (c, t, o) => c.aggregation.accounts(t, o)],
  ['accountTransactions', 'data', (c, t, o) => c.aggregation.accountTransactions(t, o)],
  ['liabilities', 'liability', (c, t, o) => c.aggregation.liabilities(t, o)],
  ['liabilityTransactions', 'liability/transaction', (c, t, o) => c.aggregation.liabilityTransactions(t, o)],
  ['cards', 'card', (c, t, o) => c.aggregation.cards(t, o)],
  ['cardTransactions', 'card/transaction', (c, t, o) => c.aggregation.cardTransactions(t, o)],
  ['holders', 'holder', (c, t, o) => c.aggregation.holders(t, o)],
  ['identity', 'auth', (c, t, o) => c.aggregation.identity(t, o)],
];

/** Everything a developer could see or log about an error. */
function dump(err: unknown): string {
  return `${String((err as Error).message)}\n${JSON.stringify(err)}\n${inspect(err, { depth: 10 })}`;
}

describe('aggregation', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  describe.each(FETCHERS)('%s', (_name, kind, fetch) => {
    const path = `/v0/bank/credentials/${kind}`;
    const reply = kind === 'auth' ? { _id: 'id_1', contactInfo: { email: 'a@b.es' } } : [{ _id: 'x_1' }];

    it(`POSTs ${path} with only the credentials token, bearer auth and JSON`, async () => {
      tokenRoute();
      const calls = route('post', path, { body: reply });
      const result = await fetch(makeClient(), TOKEN);
      expect(result).toEqual(reply);
      expect(calls).toHaveLength(1);
      expect(calls[0]!.method).toBe('POST');
      expect(calls[0]!.path).toBe(path);
      expect([...calls[0]!.search.keys()]).toEqual([]);
      expect(calls[0]!.body).toEqual({ credentials_token: TOKEN });
      expect(calls[0]!.headers.get('authorization')).toBe(`Bearer ${ACCESS_TOKEN}`);
      expect(calls[0]!.headers.get('content-type')).toContain('application/json');
    });

    it('sends query and ignore_data_error when given', async () => {
      tokenRoute();
      const calls = route('post', path, { body: reply });
      const query = { account_id: ['acc_1', 'acc_2'], date_from: '2024-01-01', date_to: '2024-06-30' };
      await fetch(makeClient(), TOKEN, { query, ignoreDataError: true });
      expect(calls[0]!.body).toEqual({ credentials_token: TOKEN, query, ignore_data_error: true });
    });
  });

  it('sends ignore_data_error: false as given, and no query key when there is none', async () => {
    tokenRoute();
    const calls = route('post', '/v0/bank/credentials/account', { body: [] });
    await makeClient().aggregation.accounts(TOKEN, { ignoreDataError: false });
    expect(calls[0]!.body).toEqual({ credentials_token: TOKEN, ignore_data_error: false });
  });

  it('an empty array is a valid answer', async () => {
    tokenRoute();
    route('post', '/v0/bank/credentials/card', { body: [] });
    await expect(makeClient().aggregation.cards(TOKEN)).resolves.toEqual([]);
  });

  it('returns realistic Spanish data as received, unknown fields included', async () => {
    tokenRoute();
    route('post', '/v0/bank/credentials/portfolio', { body: PORTFOLIOS });
    const logger = spyLogger();
    const portfolios = await makeClient({ validation: 'strict', logger }).aggregation.portfolios(TOKEN);
    expect(portfolios).toEqual(PORTFOLIOS);
    expect(portfolios[0]!.refValores).toBe('0049-1500-05-1234567890');
    expect((portfolios[0] as Record<string, unknown>).custodio).toEqual({ nombre: 'Allfunds', pais: 'ES' });
    expect((portfolios[1] as Record<string, unknown>).comisiónGestión).toBe(1.5);
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('returns account transactions with nested unknown objects untouched', async () => {
    tokenRoute();
    const txs = [
      {
        _id: 'tx_1',
        account_id: 'acc_1',
        amount: -45.9,
        balance: 1020.11,
        currency: 'EUR',
        description: 'RECIBO IBERDROLA CLIENTES S.A.U.',
        category: 'suministros',
        operationDate: '2024-05-02',
        valueDate: '2024-05-03',
        entity: 'bbva',
        transfer: { beneficiary: 'Iberdrola', ibanBeneficiary: 'ES1000492352082414205416', payer: 'Pérez' },
      },
    ];
    route('post', '/v0/bank/credentials/data', { body: txs });
    await expect(
      makeClient({ validation: 'strict' }).aggregation.accountTransactions(TOKEN),
    ).resolves.toEqual(txs);
  });

  it.each(['strict', 'warn', 'off'] as const)(
    'an unknown enum value does not crash (%s)',
    async (validation) => {
      tokenRoute();
      const body = [{ _id: 'pf_1', type: 'ZZ', tax_type: 'XYZ-NEW', balance: 1 }];
      route('post', '/v0/bank/credentials/portfolio', { body });
      const logger = spyLogger();
      await expect(makeClient({ validation, logger }).aggregation.portfolios(TOKEN)).resolves.toEqual(body);
      expect(logger.warn).not.toHaveBeenCalled();
    },
  );

  it('identity returns the object (also an empty one)', async () => {
    tokenRoute();
    const identity = {
      _id: 'id_1',
      contactInfo: { email: 'maria@example.es', phone: '+34600000000' },
      address: null,
    };
    route('post', '/v0/bank/credentials/auth', { body: identity }, { body: {} });
    const client = makeClient({ validation: 'strict' });
    await expect(client.aggregation.identity(TOKEN)).resolves.toEqual(identity);
    await expect(client.aggregation.identity(TOKEN)).resolves.toEqual({});
  });

  describe('Flanks data codes', () => {
    it.each([
      ['code', { code: 20002, message: 'PROCESSING' }],
      ['error_code', { error_code: 20002, error: 'PROCESSING' }],
      ['error.code', { error: { code: 20002, message: 'PROCESSING' } }],
      ['code as a string', { code: '20002' }],
    ])('20002 in a 409 body (%s) → FlanksDataNotReadyError, not retried', async (_form, body) => {
      vi.useFakeTimers();
      tokenRoute();
      const calls = route('post', '/v0/bank/credentials/investment', { status: 409, body });
      const err = await settle(makeClient().aggregation.investments(TOKEN)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FlanksDataNotReadyError);
      expect((err as FlanksDataNotReadyError).status).toBe(409);
      expect((err as FlanksDataNotReadyError).code).toBe(20002);
      expect((err as FlanksDataNotReadyError).retryable).toBe(false);
      expect((err as Error).message).toMatch(/waitUntilReady/);
      expect(calls).toHaveLength(1);
    });

    it('20002 is not retried even with a retryable status (503)', async () => {
      vi.useFakeTimers();
      tokenRoute();
      const calls = route('post', '/v0/bank/credentials/investment', { status: 503, body: { code: 20002 } });
      const err = await settle(makeClient({ maxRetries: 3 }).aggregation.investments(TOKEN)).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(FlanksDataNotReadyError);
      expect(calls).toHaveLength(1);
    });

    it('20001 → FlanksDataError, not retried, hints at ignoreDataError', async () => {
      vi.useFakeTimers();
      tokenRoute();
      const calls = route('post', '/v0/bank/credentials/account', { status: 500, body: { code: 20001 } });
      const err = await settle(makeClient().aggregation.accounts(TOKEN)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FlanksDataError);
      expect(err).not.toBeInstanceOf(FlanksDataNotReadyError);
      expect((err as FlanksDataError).code).toBe(20001);
      expect((err as Error).message).toMatch(/ignoreDataError/);
      expect(calls).toHaveLength(1);
    });

    it('a 200 object carrying 20002 where an array is expected → FlanksDataNotReadyError', async () => {
      tokenRoute();
      const calls = route('post', '/v0/bank/credentials/portfolio', { body: { code: 20002 } });
      const err = await makeClient()
        .aggregation.portfolios(TOKEN)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FlanksDataNotReadyError);
      expect((err as FlanksDataNotReadyError).status).toBe(200);
      expect(calls).toHaveLength(1);
    });

    it('a 200 object carrying 20001 where an array is expected → FlanksDataError', async () => {
      tokenRoute();
      route('post', '/v0/bank/credentials/card/transaction', { body: { error_code: '20001' } });
      await expect(makeClient().aggregation.cardTransactions(TOKEN)).rejects.toBeInstanceOf(FlanksDataError);
    });
  });

  describe('retries', () => {
    it('retries a 500, then succeeds', async () => {
      vi.useFakeTimers();
      tokenRoute();
      const calls = route(
        'post',
        '/v0/bank/credentials/portfolio',
        { status: 500, body: { error: 'Internal Error' } },
        { body: PORTFOLIOS },
      );
      await expect(settle(makeClient().aggregation.portfolios(TOKEN))).resolves.toEqual(PORTFOLIOS);
      expect(calls).toHaveLength(2);
      expect(calls[1]!.body).toEqual({ credentials_token: TOKEN });
    });

    it('gives up after maxRetries with a FlanksApiError carrying the status', async () => {
      vi.useFakeTimers();
      tokenRoute();
      const calls = route('post', '/v0/bank/credentials/portfolio', {
        status: 502,
        body: { error: 'Bad gateway' },
      });
      const err = await settle(makeClient({ maxRetries: 2 }).aggregation.portfolios(TOKEN)).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(FlanksApiError);
      expect((err as FlanksApiError).status).toBe(502);
      expect(calls).toHaveLength(3);
    });

    it('a 400 is not retried', async () => {
      vi.useFakeTimers();
      tokenRoute();
      const calls = route('post', '/v0/bank/credentials/portfolio', {
        status: 400,
        body: { error: 'Invalid query' },
      });
      const err = await settle(makeClient().aggregation.portfolios(TOKEN)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FlanksApiError);
      expect((err as FlanksApiError).status).toBe(400);
      expect((err as Error).message).toContain('Invalid query');
      expect(calls).toHaveLength(1);
    });

    it('a truncated JSON body is a FlanksError (not SyntaxError) and is retried', async () => {
      vi.useFakeTimers();
      tokenRoute();
      const calls = route(
        'post',
        '/v0/bank/credentials/portfolio',
        { text: '[{"_id":' },
        { body: PORTFOLIOS },
      );
      await expect(settle(makeClient().aggregation.portfolios(TOKEN))).resolves.toEqual(PORTFOLIOS);
      expect(calls).toHaveLength(2);
    });

    it('a body that stays invalid ends in a FlanksApiError with code invalid_json', async () => {
      vi.useFakeTimers();
      tokenRoute();
      const calls = route('post', '/v0/bank/credentials/portfolio', { text: '[{"_id":' });
      const err = await settle(makeClient({ maxRetries: 1 }).aggregation.portfolios(TOKEN)).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(FlanksError);
      expect(err).toBeInstanceOf(FlanksApiError);
      expect(err).not.toBeInstanceOf(SyntaxError);
      expect((err as FlanksApiError).code).toBe('invalid_json');
      expect(calls).toHaveLength(2);
    });
  });

  describe('response validation', () => {
    const BAD = [
      { _id: 'pf_1', balance: 12 },
      { _id: 'pf_2', balance: 'abc' },
    ];

    it("strict: a wrong type → FlanksValidationError naming the field's path", async () => {
      tokenRoute();
      route('post', '/v0/bank/credentials/portfolio', { body: [{ _id: 'pf_1', balance: 'abc' }] });
      const err = await makeClient({ validation: 'strict' })
        .aggregation.portfolios(TOKEN)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FlanksValidationError);
      expect((err as FlanksValidationError).path).toBe('response[0].balance');
      expect((err as Error).message).toContain('Portfolio');
    });

    it('strict: the path names the bad item', async () => {
      tokenRoute();
      route('post', '/v0/bank/credentials/portfolio', { body: BAD });
      const err = await makeClient({ validation: 'strict' })
        .aggregation.portfolios(TOKEN)
        .catch((e: unknown) => e);
      expect((err as FlanksValidationError).path).toBe('response[1].balance');
    });

    it('strict: a non-array body for an array endpoint is rejected', async () => {
      tokenRoute();
      route('post', '/v0/bank/credentials/portfolio', { body: { items: [] } });
      await expect(makeClient({ validation: 'strict' }).aggregation.portfolios(TOKEN)).rejects.toBeInstanceOf(
        FlanksValidationError,
      );
    });

    it('warn (default): logs one warning and returns the data; a second call does not warn again', async () => {
      tokenRoute();
      route('post', '/v0/bank/credentials/portfolio', { body: BAD });
      const logger = spyLogger();
      const client = makeClient({ logger });
      await expect(client.aggregation.portfolios(TOKEN)).resolves.toEqual(BAD);
      await expect(client.aggregation.portfolios(TOKEN)).resolves.toEqual(BAD);
      expect(logger.warn).toHaveBeenCalledTimes(1);
      expect(String(logger.warn.mock.calls[0]![0])).toContain(
        'response[].balance: expected number, received string',
      );
      expect(logger.lines().join('\n')).not.toContain(TOKEN);
    });

    it('off: no warning, data returned', async () => {
      tokenRoute();
      route('post', '/v0/bank/credentials/portfolio', { body: BAD });
      const logger = spyLogger();
      await expect(makeClient({ validation: 'off', logger }).aggregation.portfolios(TOKEN)).resolves.toEqual(
        BAD,
      );
      expect(logger.warn).not.toHaveBeenCalled();
    });
  });

  describe('arguments', () => {
    it.each([
      ['empty', ''],
      ['blank', '   '],
      ['not a string', 42],
      ['undefined', undefined],
    ])('a %s credentials token → FlanksValidationError, no request', async (_what, token) => {
      // onUnhandledRequest: 'error' also fails the test if anything is sent.
      const err = await makeClient()
        .aggregation.portfolios(token as string)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FlanksValidationError);
      expect((err as FlanksValidationError).path).toBe('credentialsToken');
    });

    it('a non-object query or non-boolean ignoreDataError → FlanksValidationError, no request', async () => {
      const client = makeClient();
      await expect(client.aggregation.accounts(TOKEN, { query: 'x' as never })).rejects.toMatchObject({
        name: 'FlanksValidationError',
        path: 'options.query',
      });
      await expect(
        client.aggregation.accounts(TOKEN, { ignoreDataError: 'yes' as never }),
      ).rejects.toMatchObject({ name: 'FlanksValidationError', path: 'options.ignoreDataError' });
    });
  });

  describe('the credentials token never leaks', () => {
    it('not from an error body that echoes it', async () => {
      vi.useFakeTimers();
      tokenRoute();
      route('post', '/v0/bank/credentials/portfolio', {
        status: 400,
        body: {
          error: `Invalid credentials_token ${TOKEN}`,
          credentials_token: TOKEN,
          detail: { token: TOKEN },
        },
      });
      const logger = spyLogger();
      const err = await settle(makeClient({ logger }).aggregation.portfolios(TOKEN)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FlanksApiError);
      expect((err as Error).message).toContain('Invalid credentials_token');
      expect(dump(err)).not.toContain(TOKEN);
      expect(logger.lines().join('\n')).not.toContain(TOKEN);
    });

    it('not from a data-not-ready error', async () => {
      tokenRoute();
      route('post', '/v0/bank/credentials/portfolio', {
        status: 409,
        body: { code: 20002, message: `credentials ${TOKEN} still processing` },
      });
      const err = await makeClient()
        .aggregation.portfolios(TOKEN)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FlanksDataNotReadyError);
      expect(dump(err)).not.toContain(TOKEN);
    });

    it('not from a non-JSON error page', async () => {
      vi.useFakeTimers();
      tokenRoute();
      route('post', '/v0/bank/credentials/portfolio', {
        status: 502,
        text: `<html><body>Upstream error for ${TOKEN}</body></html>`,
      });
      const err = await settle(makeClient({ maxRetries: 0 }).aggregation.portfolios(TOKEN)).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(FlanksApiError);
      expect(dump(err)).not.toContain(TOKEN);
    });

    it('not from a network error', async () => {
      vi.useFakeTimers();
      tokenRoute();
      route('post', '/v0/bank/credentials/portfolio', 'network-error');
      const err = await settle(makeClient({ maxRetries: 0 }).aggregation.portfolios(TOKEN)).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(FlanksError);
      expect(dump(err)).not.toContain(TOKEN);
    });

    it('not from a strict validation error', async () => {
      tokenRoute();
      route('post', '/v0/bank/credentials/portfolio', { body: [{ _id: TOKEN, balance: TOKEN }] });
      const err = await makeClient({ validation: 'strict' })
        .aggregation.portfolios(TOKEN)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FlanksValidationError);
      expect(dump(err)).not.toContain(TOKEN);
    });

    // Regression: V8's JSON.parse error quotes the body, so the cause of an invalid-JSON error must be
    // redacted with the call's secrets too.
    it('not from the cause of an invalid-JSON 2xx body', async () => {
      vi.useFakeTimers();
      tokenRoute();
      const shortToken = 'ct_9f8e7d6c5b4a3210';
      route('post', '/v0/bank/credentials/portfolio', { text: shortToken });
      const err = await settle(makeClient({ maxRetries: 0 }).aggregation.portfolios(shortToken)).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(FlanksApiError);
      expect(dump(err)).not.toContain(shortToken);
    });

    // Regression: redaction must run before truncation, or a token cut by the limit leaks its start.
    it('not even partly, from a long non-JSON error page', async () => {
      vi.useFakeTimers();
      tokenRoute();
      const page = `${'x'.repeat(185)} ${TOKEN} trailing text`;
      route('post', '/v0/bank/credentials/portfolio', { status: 400, text: page });
      const err = await settle(makeClient({ maxRetries: 0 }).aggregation.portfolios(TOKEN)).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(FlanksApiError);
      expect((err as Error).message).not.toContain(TOKEN.slice(0, 12));
    });
  });
});

describe('what Flanks really sends', () => {
  it.each(['warn', 'strict'] as const)(
    '%s: balances sent as decimal strings are numbers, so the README total is a sum',
    async (validation) => {
      tokenRoute();
      route('post', '/v0/bank/credentials/portfolio', {
        body: [
          { _id: 'pf_1', balance: '-50.00' },
          { _id: 'pf_2', balance: '1500.50' },
        ],
      });
      const portfolios = await makeClient({ validation }).aggregation.portfolios('ct_real');
      expect(portfolios.reduce((s, p) => s + (p.balance ?? 0), 0)).toBe(1450.5);
    },
  );

  it('strict: an item whose id comes under another name than _id is accepted as sent', async () => {
    tokenRoute();
    const body = [{ id: 'pf_1', name: 'Cartera', balance: 10 }];
    route('post', '/v0/bank/credentials/portfolio', { body });
    const logger = spyLogger();
    await expect(
      makeClient({ validation: 'strict', logger }).aggregation.portfolios('ct_real'),
    ).resolves.toEqual(body);
    expect(logger.warn).not.toHaveBeenCalled();
  });
});

describe('list shape', () => {
  it.each(['strict', 'warn', 'off'] as const)(
    'a 200 object without a Flanks code where a list is expected is an error in %s mode',
    async (validation) => {
      tokenRoute();
      route('post', '/v0/bank/credentials/portfolio', { body: { unexpected: true } });
      await expect(makeClient({ validation }).aggregation.portfolios('ct_shape')).rejects.toBeInstanceOf(
        FlanksValidationError,
      );
    },
  );
});
