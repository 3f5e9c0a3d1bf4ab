import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type CredentialStatus,
  credentialState,
  FlanksApiError,
  FlanksCredentialsBlockedError,
  FlanksError,
  FlanksScaRequiredError,
  FlanksTimeoutError,
  FlanksValidationError,
} from '../../src';
import {
  ACCESS_TOKEN,
  makeClient,
  type RecordedRequest,
  route,
  settle,
  tokenRoute,
  useMsw,
} from '../helpers';

useMsw();

const TOKEN = 'ct_live_4c1d2e3f5a6b7c8d_secret';
const STATUS_PATH = '/v0/bank/credentials/status';

const PRODUCTS_OFF = {
  auth: false,
  account: false,
  card: false,
  portfolio: false,
  investment: false,
  liability: false,
  holders: false,
};
const TX_OFF = { account: false, card: false, investment: false, liability: false };

/** A realistic status; `over` replaces top-level fields. */
function status(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    pending: true,
    blocked: false,
    reset_token: null,
    sca_token: null,
    transaction_token: null,
    last_transaction_date: null,
    name: 'testbank',
    last_update: '2024-06-10',
    time: '08:15',
    last_update_timestamp: 1718007300,
    created_at_timestamp: 1718007000,
    created: { product: { ...PRODUCTS_OFF }, transactions: { ...TX_OFF } },
    errored: { product: { ...PRODUCTS_OFF }, transactions: { ...TX_OFF } },
    ...over,
  };
}

const READY = status({ pending: false });

function dump(err: unknown): string {
  return `${String((err as Error).message)}\n${JSON.stringify(err)}\n${inspect(err, { depth: 10 })}`;
}

/** Records the fake clock at each request so the waits between polls can be checked. */
function times(calls: RecordedRequest[], stamps: number[]): void {
  const push = calls.push.bind(calls);
  calls.push = (...items: RecordedRequest[]) => {
    stamps.push(Date.now());
    return push(...items);
  };
}

describe('credentials', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('getStatus', () => {
    it('POSTs the credentials token and returns the status', async () => {
      tokenRoute();
      const calls = route('post', STATUS_PATH, { body: READY });
      const result = await makeClient({ validation: 'strict' }).credentials.getStatus(TOKEN);
      expect(result).toEqual(READY);
      expect(calls).toHaveLength(1);
      expect(calls[0]!.method).toBe('POST');
      expect(calls[0]!.body).toEqual({ credentials_token: TOKEN });
      expect(calls[0]!.headers.get('authorization')).toBe(`Bearer ${ACCESS_TOKEN}`);
      expect(calls[0]!.headers.get('content-type')).toContain('application/json');
    });

    it.each(['transaction', 'transactions'])('accepts the `%s` sub-key in strict mode', async (key) => {
      tokenRoute();
      const body = {
        pending: false,
        created: { product: { portfolio: true }, [key]: { account: true } },
        errored: { product: { portfolio: false }, [key]: { account: false } },
      };
      route('post', STATUS_PATH, { body });
      const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
      await expect(
        makeClient({ validation: 'strict', logger }).credentials.getStatus(TOKEN),
      ).resolves.toEqual(body);
      expect(logger.warn).not.toHaveBeenCalled();
    });

    it('keeps unknown status fields', async () => {
      tokenRoute();
      const body = { ...READY, new_flag: 'x', created: { product: { portfolio: true, crypto: true } } };
      route('post', STATUS_PATH, { body });
      await expect(makeClient({ validation: 'strict' }).credentials.getStatus(TOKEN)).resolves.toEqual(body);
    });

    it.each([
      ['empty', ''],
      ['blank', ' '],
      ['null', null],
    ])('a %s token → FlanksValidationError, no request', async (_what, token) => {
      const err = await makeClient()
        .credentials.getStatus(token as string)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FlanksValidationError);
      expect((err as FlanksValidationError).path).toBe('credentialsToken');
    });

    it('an error echoing the token does not leak it', async () => {
      tokenRoute();
      route('post', STATUS_PATH, { status: 400, body: { error: `Invalid credentials_token ${TOKEN}` } });
      const err = await makeClient()
        .credentials.getStatus(TOKEN)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FlanksApiError);
      expect((err as FlanksApiError).status).toBe(400);
      expect(dump(err)).not.toContain(TOKEN);
    });
  });

  describe('waitUntilReady', () => {
    it('polls until pending is false, 1 s apart at first, and leaves no timer behind', async () => {
      vi.useFakeTimers();
      tokenRoute();
      const calls = route(
        'post',
        STATUS_PATH,
        { body: status() },
        { body: status() },
        { body: status() },
        { body: status() },
        { body: READY },
      );
      const stamps: number[] = [];
      times(calls, stamps);
      const result = await settle(makeClient().credentials.waitUntilReady(TOKEN));
      expect(result).toEqual(READY);
      expect(calls).toHaveLength(5);
      expect(calls.every((c) => (c.body as { credentials_token: string }).credentials_token === TOKEN)).toBe(
        true,
      );
      const gaps = stamps.slice(1).map((t, i) => t - stamps[i]!);
      expect(gaps).toHaveLength(4);
      // The documented defaults: a fifth of the time elapsed, at least 1 s.
      expect(gaps).toEqual([1000, 1000, 1000, 1000]);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('the wait between polls is capped by maxPollIntervalMs', async () => {
      vi.useFakeTimers();
      tokenRoute();
      const calls = route('post', STATUS_PATH, ...Array.from({ length: 14 }, () => ({ body: status() })), {
        body: READY,
      });
      const stamps: number[] = [];
      times(calls, stamps);
      await settle(
        makeClient().credentials.waitUntilReady(TOKEN, { pollIntervalMs: 1000, maxPollIntervalMs: 3000 }),
      );
      const gaps = stamps.slice(1).map((t, i) => t - stamps[i]!);
      expect(calls).toHaveLength(15);
      // Waits grow with the time elapsed (0.2 ×) once that passes 1 s, then stop at the cap.
      for (let i = 1; i < gaps.length; i++) expect(gaps[i]!).toBeGreaterThanOrEqual(gaps[i - 1]!);
      expect(gaps[0]).toBe(1000);
      expect(gaps.at(-1)).toBe(3000);
      expect(Math.max(...gaps)).toBe(3000);
    });

    it('resolves at once when the first status is already done', async () => {
      vi.useFakeTimers();
      tokenRoute();
      const calls = route('post', STATUS_PATH, { body: READY });
      await expect(settle(makeClient().credentials.waitUntilReady(TOKEN))).resolves.toEqual(READY);
      expect(calls).toHaveLength(1);
      expect(vi.getTimerCount()).toBe(0);
    });

    it("products: ['portfolio'] resolves as soon as created.product.portfolio is true, even while pending", async () => {
      vi.useFakeTimers();
      tokenRoute();
      const partial = status({
        pending: true,
        created: { product: { ...PRODUCTS_OFF, portfolio: true }, transactions: { ...TX_OFF } },
      });
      const calls = route('post', STATUS_PATH, { body: status() }, { body: partial }, { body: READY });
      const result = await settle(
        makeClient().credentials.waitUntilReady(TOKEN, { products: ['portfolio'] }),
      );
      expect(result.pending).toBe(true);
      expect(result.created?.product?.portfolio).toBe(true);
      expect(calls).toHaveLength(2);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('products: waits for every kind listed', async () => {
      vi.useFakeTimers();
      tokenRoute();
      const one = status({ created: { product: { ...PRODUCTS_OFF, portfolio: true } } });
      const both = status({ created: { product: { ...PRODUCTS_OFF, portfolio: true, investment: true } } });
      const calls = route('post', STATUS_PATH, { body: one }, { body: both });
      await settle(makeClient().credentials.waitUntilReady(TOKEN, { products: ['portfolio', 'investment'] }));
      expect(calls).toHaveLength(2);
    });

    it.each(['transaction', 'transactions'])(
      "transactions: ['account'] works with the `%s` sub-key",
      async (key) => {
        vi.useFakeTimers();
        tokenRoute();
        const notYet = status({ created: { product: { ...PRODUCTS_OFF }, [key]: { ...TX_OFF } } });
        const done = status({
          created: { product: { ...PRODUCTS_OFF }, [key]: { ...TX_OFF, account: true } },
        });
        const calls = route('post', STATUS_PATH, { body: notYet }, { body: done });
        const result = await settle(
          makeClient().credentials.waitUntilReady(TOKEN, { transactions: ['account'] }),
        );
        expect(result).toEqual(done);
        expect(calls).toHaveLength(2);
      },
    );

    it('a data type that finished with an error counts as done', async () => {
      vi.useFakeTimers();
      tokenRoute();
      const body = status({
        created: { product: { ...PRODUCTS_OFF, account: true } },
        errored: { product: { ...PRODUCTS_OFF, account: true } },
      });
      route('post', STATUS_PATH, { body });
      const result = await settle(makeClient().credentials.waitUntilReady(TOKEN, { products: ['account'] }));
      expect(credentialState(result).errored).toEqual(['account']);
    });

    it('blocked → FlanksCredentialsBlockedError with a redacted status', async () => {
      vi.useFakeTimers();
      tokenRoute();
      const resetToken = 'rt_live_reset_7788990011';
      const blocked = status({
        pending: false,
        blocked: true,
        reset_token: resetToken,
        name: `bank for ${TOKEN}`,
      });
      const calls = route('post', STATUS_PATH, { body: status() }, { body: blocked });
      const err = await settle(makeClient().credentials.waitUntilReady(TOKEN)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FlanksCredentialsBlockedError);
      expect(err).toBeInstanceOf(FlanksError);
      expect((err as Error).message).toMatch(/links\.buildUrl\(\{ token, userId, reauth: err\.reauth \}\)/);
      expect((err as Error).message).toMatch(/credentials\.reauthToken\(credentialsToken\)/);
      expect((err as Error).message).toMatch(/docs\/reauthentication\.md/);
      expect((err as FlanksCredentialsBlockedError).reauth).toEqual({ resetToken });
      const seen = (err as FlanksCredentialsBlockedError).status as Record<string, unknown>;
      expect(seen.blocked).toBe(true);
      expect(seen.reset_token).toBe('[REDACTED]');
      expect(dump(err)).not.toContain(resetToken);
      expect(dump(err)).not.toContain(TOKEN);
      expect(calls).toHaveLength(2);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('a reset_token alone (not blocked) also → FlanksCredentialsBlockedError', async () => {
      vi.useFakeTimers();
      tokenRoute();
      route('post', STATUS_PATH, { body: status({ reset_token: 'rt_123456' }) });
      await expect(settle(makeClient().credentials.waitUntilReady(TOKEN))).rejects.toBeInstanceOf(
        FlanksCredentialsBlockedError,
      );
    });

    it('sca_token set → FlanksScaRequiredError, the token redacted', async () => {
      vi.useFakeTimers();
      tokenRoute();
      const scaToken = 'sca_live_5544332211';
      const calls = route('post', STATUS_PATH, { body: status({ sca_token: scaToken }) });
      const err = await settle(
        makeClient().credentials.waitUntilReady(TOKEN, { products: ['portfolio'] }),
      ).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FlanksScaRequiredError);
      expect(((err as FlanksScaRequiredError).status as Record<string, unknown>).sca_token).toBe(
        '[REDACTED]',
      );
      expect((err as FlanksScaRequiredError).reauth).toEqual({ scaToken });
      expect((err as Error).message).toMatch(
        /connect\.createSession\(\{ configuration, reauth: err\.reauth \}\)/,
      );
      expect(dump(err)).not.toContain(scaToken);
      expect(dump(err)).not.toContain(TOKEN);
      expect(calls).toHaveLength(1);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('timeoutMs → FlanksTimeoutError, no timer left', async () => {
      vi.useFakeTimers();
      tokenRoute();
      const calls = route('post', STATUS_PATH, { body: status() });
      const started = Date.now();
      const err = await settle(makeClient().credentials.waitUntilReady(TOKEN, { timeoutMs: 5000 })).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(FlanksTimeoutError);
      expect((err as FlanksTimeoutError).timeoutMs).toBe(5000);
      expect(Date.now() - started).toBeGreaterThanOrEqual(5000);
      expect(Date.now() - started).toBeLessThan(6000);
      // 0, 1000, 2500, 4750 (then the last wait is cut at the 5000 ms deadline)
      expect(calls.length).toBeGreaterThanOrEqual(3);
      expect(calls.length).toBeLessThanOrEqual(5);
      expect(dump(err)).not.toContain(TOKEN);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('a signal aborted before the call → abort error, no request', async () => {
      vi.useFakeTimers();
      const ctl = new AbortController();
      ctl.abort();
      const err = await settle(makeClient().credentials.waitUntilReady(TOKEN, { signal: ctl.signal })).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(FlanksError);
      expect((err as Error).name).toContain('Abort');
      expect(vi.getTimerCount()).toBe(0);
    });

    it('a signal aborted while waiting → abort error, polling stops, no timer left', async () => {
      vi.useFakeTimers();
      tokenRoute();
      const ctl = new AbortController();
      const calls = route('post', STATUS_PATH, { body: status() });
      const onStatus = vi.fn((_s: CredentialStatus, attempt: number) => {
        if (attempt === 2) ctl.abort();
      });
      const err = await settle(
        makeClient().credentials.waitUntilReady(TOKEN, { signal: ctl.signal, onStatus }),
      ).catch((e: unknown) => e);
      expect((err as Error).name).toContain('Abort');
      expect(calls).toHaveLength(2);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('onStatus is called once per poll with the status and the attempt number', async () => {
      vi.useFakeTimers();
      tokenRoute();
      const first = status();
      const calls = route('post', STATUS_PATH, { body: first }, { body: first }, { body: READY });
      const onStatus = vi.fn();
      await settle(makeClient().credentials.waitUntilReady(TOKEN, { onStatus }));
      expect(calls).toHaveLength(3);
      expect(onStatus).toHaveBeenCalledTimes(3);
      expect(onStatus.mock.calls.map((c) => c[1])).toEqual([1, 2, 3]);
      expect(onStatus.mock.calls[0]![0]).toEqual(first);
      expect(onStatus.mock.calls[2]![0]).toEqual(READY);
    });

    it('a transient 503 while polling is retried by the transport', async () => {
      vi.useFakeTimers();
      tokenRoute();
      const calls = route(
        'post',
        STATUS_PATH,
        { body: status() },
        { status: 503, body: { error: 'Service Unavailable' } },
        { body: READY },
      );
      const onStatus = vi.fn();
      await expect(settle(makeClient().credentials.waitUntilReady(TOKEN, { onStatus }))).resolves.toEqual(
        READY,
      );
      expect(calls).toHaveLength(3);
      expect(onStatus).toHaveBeenCalledTimes(2);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('a non-retryable error ends the wait at once', async () => {
      vi.useFakeTimers();
      tokenRoute();
      const calls = route(
        'post',
        STATUS_PATH,
        { body: status() },
        { status: 400, body: { error: 'Invalid token' } },
      );
      const err = await settle(makeClient().credentials.waitUntilReady(TOKEN)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FlanksApiError);
      expect((err as FlanksApiError).status).toBe(400);
      expect(calls).toHaveLength(2);
      expect(vi.getTimerCount()).toBe(0);
    });

    // Regression: argument errors must reject, not throw synchronously, so `.catch(handle)` sees them.
    it('argument errors are returned as a rejected promise (like every other async method)', async () => {
      let promise: Promise<unknown> | undefined;
      expect(() => {
        promise = makeClient().credentials.waitUntilReady(TOKEN, { products: ['nope' as never] });
      }).not.toThrow();
      await expect(promise).rejects.toBeInstanceOf(FlanksValidationError);
    });

    it.each([
      ['products', { products: ['nope'] }, 'options.products'],
      ['products (not an array)', { products: 'portfolio' }, 'options.products'],
      ['transactions', { transactions: ['holders'] }, 'options.transactions'],
      ['timeoutMs', { timeoutMs: -1 }, 'options.timeoutMs'],
      ['pollIntervalMs', { pollIntervalMs: Number.NaN }, 'options.pollIntervalMs'],
      ['onStatus', { onStatus: 'log' }, 'options.onStatus'],
      ['signal', { signal: {} }, 'options.signal'],
    ])('invalid %s → FlanksValidationError, no request', async (_what, options, path) => {
      const client = makeClient();
      const err = await (async () => client.credentials.waitUntilReady(TOKEN, options as never))().catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(FlanksValidationError);
      expect((err as FlanksValidationError).path).toBe(path);
    });

    it('an empty token → FlanksValidationError, no request', async () => {
      const client = makeClient();
      const err = await (async () => client.credentials.waitUntilReady(''))().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FlanksValidationError);
    });
  });

  describe('list', () => {
    type Item = {
      credentials_token: string;
      bank?: string;
      external_id?: string | null;
      status?: string;
      extra_field?: number;
    };
    const PAGES: Array<{ items: Item[]; page: number; pages: number }> = [
      {
        items: [
          { credentials_token: 'ct_a', bank: 'testbank', external_id: 'u1', status: 'OK' },
          { credentials_token: 'ct_b' },
        ],
        page: 1,
        pages: 3,
      },
      {
        items: [{ credentials_token: 'ct_c', external_id: null }, { credentials_token: 'ct_d' }],
        page: 2,
        pages: 3,
      },
      { items: [{ credentials_token: 'ct_e', extra_field: 1 }], page: 3, pages: 3 },
    ];
    const ALL = PAGES.flatMap((p) => p.items);

    function pagesRoute(): RecordedRequest[] {
      return route('post', '/v0/bank/credentials/list', ...PAGES.map((body) => ({ body })));
    }

    it('iterates over every item of every page, asking for pages 1, 2, 3', async () => {
      tokenRoute();
      const calls = pagesRoute();
      const seen: unknown[] = [];
      for await (const item of makeClient({ validation: 'strict' }).credentials.list()) seen.push(item);
      expect(seen).toEqual(ALL);
      expect(calls.map((c) => c.body)).toEqual([{ page: 1 }, { page: 2 }, { page: 3 }]);
      expect(calls[0]!.headers.get('authorization')).toBe(`Bearer ${ACCESS_TOKEN}`);
      expect(calls[0]!.headers.get('content-type')).toContain('application/json');
    });

    it('.pages() yields each page with the number of the next one', async () => {
      tokenRoute();
      pagesRoute();
      const pages: unknown[] = [];
      for await (const page of makeClient().credentials.list().pages()) pages.push(page);
      expect(pages).toEqual(PAGES.map((p, i) => ({ items: p.items, nextCursor: i < 2 ? i + 2 : null })));
    });

    it('resumes from a saved cursor with a new client: the pages after it', async () => {
      tokenRoute();
      const calls = pagesRoute();
      const first = makeClient().credentials.list().pages();
      const { value } = await first.next();
      await first.return(undefined);
      const rest = await makeClient()
        .credentials.list({ cursor: value!.nextCursor! })
        .toArray({ limit: 100 });
      expect([...value!.items, ...rest]).toEqual(ALL);
      expect(calls.map((c) => c.body)).toEqual([{ page: 1 }, { page: 2 }, { page: 3 }]);
    });

    it.each([
      ['a cursor below 1', { cursor: 0 }, 'params.cursor'],
      ['a string cursor', { cursor: '2' }, 'params.cursor'],
      ['request options in the params place', { timeoutMs: 5 }, 'params.timeoutMs'],
    ])('%s is a FlanksValidationError naming it', (_what, params, path) => {
      expect(() => makeClient().credentials.list(params as never)).toThrow(
        expect.objectContaining({ name: 'FlanksValidationError', path }),
      );
    });

    it('toArray({ limit: 3 }) stops early', async () => {
      tokenRoute();
      const calls = pagesRoute();
      const items = await makeClient().credentials.list().toArray({ limit: 3 });
      expect(items).toEqual(ALL.slice(0, 3));
      expect(calls).toHaveLength(2);
    });

    it('toArray({ limit: 0 }) sends nothing', async () => {
      await expect(makeClient().credentials.list().toArray({ limit: 0 })).resolves.toEqual([]);
    });

    it('toArray with a limit above the total returns everything', async () => {
      tokenRoute();
      const calls = pagesRoute();
      await expect(makeClient().credentials.list().toArray({ limit: 100 })).resolves.toEqual(ALL);
      expect(calls).toHaveLength(3);
    });

    it.each([
      ['{}', {}],
      ['{ limit: -1 }', { limit: -1 }],
      ['{ limit: 1.5 }', { limit: 1.5 }],
      ["{ limit: '3' }", { limit: '3' }],
    ])('toArray(%s) → FlanksValidationError, no request', async (_what, arg) => {
      const err = await makeClient()
        .credentials.list()
        .toArray(arg as never)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FlanksValidationError);
      expect((err as FlanksValidationError).path).toBe('options.limit');
    });

    // Regression: a missing argument must give the explanatory FlanksValidationError, not a TypeError.
    it('toArray() without any argument → FlanksValidationError', async () => {
      const paginator = makeClient().credentials.list() as unknown as { toArray: () => Promise<unknown> };
      await expect(paginator.toArray()).rejects.toBeInstanceOf(FlanksValidationError);
    });

    it('a bare array page is accepted', async () => {
      tokenRoute();
      const calls = route(
        'post',
        '/v0/bank/credentials/list',
        { body: [{ credentials_token: 'ct_a' }] },
        { body: [] },
      );
      const items = await makeClient().credentials.list().toArray({ limit: 10 });
      expect(items).toEqual([{ credentials_token: 'ct_a' }]);
      expect(calls.map((c) => c.body)).toEqual([{ page: 1 }, { page: 2 }]);
    });

    it('a page cursor seen twice stops with an error instead of looping', async () => {
      tokenRoute();
      const calls = route(
        'post',
        '/v0/bank/credentials/list',
        { body: { items: [{ credentials_token: 'ct_a' }], page: 1, pages: 3 } },
        { body: { items: [{ credentials_token: 'ct_b' }], page: 1, pages: 3 } },
      );
      await expect(makeClient().credentials.list().toArray({ limit: 100 })).rejects.toBeInstanceOf(
        FlanksError,
      );
      expect(calls.length).toBeLessThanOrEqual(3);
    });

    it('listPage(n) sends the page number and returns the page', async () => {
      tokenRoute();
      const calls = route('post', '/v0/bank/credentials/list', { body: PAGES[1] });
      await expect(makeClient().credentials.listPage(2)).resolves.toEqual(PAGES[1]);
      expect(calls[0]!.body).toEqual({ page: 2 });
    });

    it.each([0, -1, 1.5])('listPage(%s) → FlanksValidationError, no request', async (page) => {
      const err = await makeClient()
        .credentials.listPage(page)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FlanksValidationError);
      expect((err as FlanksValidationError).path).toBe('page');
    });
  });

  describe('reauthToken', () => {
    const FORCE_PATH = STATUS_PATH;

    it.each([
      [
        'blocked with a reset_token',
        { pending: false, blocked: true, reset_token: 'rt_live_1' },
        { resetToken: 'rt_live_1' },
      ],
      ['a reset_token alone', { pending: false, reset_token: 'rt_live_2' }, { resetToken: 'rt_live_2' }],
      ['an sca_token', { pending: false, sca_token: 'st_live_3' }, { scaToken: 'st_live_3' }],
      [
        'blocked and an sca_token (the reset wins)',
        { pending: false, blocked: true, reset_token: 'rt_live_4', sca_token: 'st_live_4' },
        { resetToken: 'rt_live_4' },
      ],
    ])('%s: the token the status asks for, one read, nothing forced', async (_what, over, expected) => {
      tokenRoute();
      const reads = route('post', STATUS_PATH, { body: status(over) });
      const forces = route('put', FORCE_PATH, { body: {} });
      expect(await makeClient().credentials.reauthToken(TOKEN)).toEqual(expected);
      expect(reads).toHaveLength(1);
      expect(reads[0]!.body).toEqual({ credentials_token: TOKEN });
      expect(forces).toEqual([]);
    });

    it('a healthy credential needs none: undefined, nothing forced', async () => {
      tokenRoute();
      route('post', STATUS_PATH, { body: READY });
      const forces = route('put', FORCE_PATH, { body: {} });
      expect(await makeClient().credentials.reauthToken(TOKEN)).toBeUndefined();
      expect(forces).toEqual([]);
    });

    it('blocked without a reset_token: forces one', async () => {
      tokenRoute();
      route('post', STATUS_PATH, { body: status({ pending: false, blocked: true }) });
      const forces = route('put', FORCE_PATH, { body: { reset_token: 'rt_forced_5' } });
      expect(await makeClient().credentials.reauthToken(TOKEN)).toEqual({ resetToken: 'rt_forced_5' });
      expect(forces).toHaveLength(1);
      expect(forces[0]!.method).toBe('PUT');
      expect(forces[0]!.body).toEqual({ credentials_token: TOKEN, force: 'reset' });
    });

    it.each([
      ['reset', { reset_token: 'rt_forced_6' }, { resetToken: 'rt_forced_6' }],
      ['sca', { sca_token: 'st_forced_6' }, { scaToken: 'st_forced_6' }],
    ] as const)('kind %s on a healthy credential forces that token', async (kind, answer, expected) => {
      tokenRoute();
      route('post', STATUS_PATH, { body: READY });
      const forces = route('put', FORCE_PATH, { body: answer });
      expect(await makeClient().credentials.reauthToken(TOKEN, kind)).toEqual(expected);
      expect(forces[0]!.body).toEqual({ credentials_token: TOKEN, force: kind });
    });

    it('kind sca reuses the status token when there is one', async () => {
      tokenRoute();
      route('post', STATUS_PATH, { body: status({ pending: false, sca_token: 'st_live_7' }) });
      const forces = route('put', FORCE_PATH, { body: {} });
      expect(await makeClient().credentials.reauthToken(TOKEN, 'sca')).toEqual({ scaToken: 'st_live_7' });
      expect(forces).toEqual([]);
    });

    it('a force answer without the token is a FlanksValidationError, not undefined', async () => {
      tokenRoute();
      route('post', STATUS_PATH, { body: READY });
      route('put', FORCE_PATH, { body: { message: 'ok' } });
      const err = await makeClient()
        .credentials.reauthToken(TOKEN, 'reset')
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FlanksValidationError);
      expect((err as FlanksValidationError).path).toBe('response.reset_token');
    });

    it.each([
      ['an empty token', ['', undefined], 'credentialsToken'],
      ['an unknown kind', [TOKEN, 'transaction'], 'kind'],
    ])('%s → FlanksValidationError before any request', async (_what, args, path) => {
      const err = await makeClient()
        .credentials.reauthToken(...(args as [string, undefined]))
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FlanksValidationError);
      expect((err as FlanksValidationError).path).toBe(path);
    });
  });

  describe('force', () => {
    it.each([
      ['sca', { sca_token: 'sca_123456' }],
      ['reset', { reset_token: 'rt_123456' }],
      ['transaction', { transaction_token: 'tt_123456' }],
    ] as const)("force(token, '%s') → PUT the status endpoint and return the token", async (kind, reply) => {
      tokenRoute();
      const calls = route('put', STATUS_PATH, { body: reply });
      await expect(makeClient({ validation: 'strict' }).credentials.force(TOKEN, kind)).resolves.toEqual(
        reply,
      );
      expect(calls).toHaveLength(1);
      expect(calls[0]!.method).toBe('PUT');
      expect(calls[0]!.path).toBe(STATUS_PATH);
      expect(calls[0]!.body).toEqual({ credentials_token: TOKEN, force: kind });
      expect(calls[0]!.headers.get('authorization')).toBe(`Bearer ${ACCESS_TOKEN}`);
      expect(calls[0]!.headers.get('content-type')).toContain('application/json');
    });

    it.each(['SCA', 'unblock', ''])(
      "an invalid kind ('%s') → FlanksValidationError, no request",
      async (kind) => {
        const err = await makeClient()
          .credentials.force(TOKEN, kind as never)
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(FlanksValidationError);
        expect((err as FlanksValidationError).path).toBe('kind');
      },
    );

    it('an empty token → FlanksValidationError, no request', async () => {
      await expect(makeClient().credentials.force('', 'sca')).rejects.toBeInstanceOf(FlanksValidationError);
    });

    it('is not retried on a 500', async () => {
      vi.useFakeTimers();
      tokenRoute();
      const calls = route(
        'put',
        STATUS_PATH,
        { status: 500, body: { error: 'Internal Error' } },
        { body: {} },
      );
      const err = await settle(makeClient({ maxRetries: 2 }).credentials.force(TOKEN, 'sca')).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(FlanksApiError);
      expect((err as FlanksApiError).status).toBe(500);
      expect(calls).toHaveLength(1);
    });

    it('is not retried after a network error', async () => {
      vi.useFakeTimers();
      tokenRoute();
      const calls = route('put', STATUS_PATH, 'network-error', { body: {} });
      const err = await settle(makeClient({ maxRetries: 2 }).credentials.force(TOKEN, 'reset')).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(FlanksError);
      expect(calls).toHaveLength(1);
      expect(dump(err)).not.toContain(TOKEN);
    });
  });

  describe('delete', () => {
    it('sends DELETE with a JSON body', async () => {
      tokenRoute();
      const calls = route('delete', '/v0/bank/credentials', { body: { message: 'Credentials deleted' } });
      await expect(makeClient().credentials.delete(TOKEN)).resolves.toEqual({
        message: 'Credentials deleted',
      });
      expect(calls).toHaveLength(1);
      expect(calls[0]!.method).toBe('DELETE');
      expect(calls[0]!.path).toBe('/v0/bank/credentials');
      expect(calls[0]!.body).toEqual({ credentials_token: TOKEN });
      expect(calls[0]!.headers.get('authorization')).toBe(`Bearer ${ACCESS_TOKEN}`);
      expect(calls[0]!.headers.get('content-type')).toContain('application/json');
    });

    it('an empty response body gives undefined, a body is returned as sent', async () => {
      tokenRoute();
      route('delete', '/v0/bank/credentials', { text: '' }, { body: { message: 'Deleted' } });
      await expect(makeClient().credentials.delete(TOKEN)).resolves.toBeUndefined();
      await expect(makeClient().credentials.delete(TOKEN)).resolves.toEqual({ message: 'Deleted' });
    });

    it('is not retried on a 503', async () => {
      vi.useFakeTimers();
      tokenRoute();
      const calls = route(
        'delete',
        '/v0/bank/credentials',
        { status: 503, body: { error: 'Unavailable' } },
        {
          body: {},
        },
      );
      const err = await settle(makeClient({ maxRetries: 2 }).credentials.delete(TOKEN)).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(FlanksApiError);
      expect((err as FlanksApiError).status).toBe(503);
      expect(calls).toHaveLength(1);
    });

    it('an empty token → FlanksValidationError, no request', async () => {
      await expect(makeClient().credentials.delete('')).rejects.toBeInstanceOf(FlanksValidationError);
    });
  });

  describe('credentialState', () => {
    const s = (over: Record<string, unknown>) => status(over) as CredentialStatus;

    it('pending while the first extraction runs', () => {
      expect(credentialState(s({ pending: true }))).toEqual({ state: 'pending', created: [], errored: [] });
    });

    it('ready when done without errors, listing what was created (either sub-key)', () => {
      const created = {
        product: { ...PRODUCTS_OFF, portfolio: true, account: true },
        transaction: { account: true },
      };
      expect(credentialState(s({ pending: false, created }))).toEqual({
        state: 'ready',
        created: ['account', 'portfolio', 'transactions.account'],
        errored: [],
      });
    });

    it('partial_error when done and some data type failed', () => {
      const errored = {
        product: { ...PRODUCTS_OFF, card: true },
        transactions: { ...TX_OFF, investment: true },
      };
      expect(credentialState(s({ pending: false, errored }))).toEqual({
        state: 'partial_error',
        created: [],
        errored: ['card', 'transactions.investment'],
      });
    });

    it('needs_sca when an sca_token is set (even while pending)', () => {
      expect(credentialState(s({ pending: true, sca_token: 'sca_1' })).state).toBe('needs_sca');
      expect(credentialState(s({ pending: false, sca_token: 'sca_1' })).state).toBe('needs_sca');
    });

    it('needs_reset when blocked or a reset_token is set; it wins over needs_sca', () => {
      expect(credentialState(s({ pending: false, blocked: true })).state).toBe('needs_reset');
      expect(credentialState(s({ pending: false, reset_token: 'rt_1' })).state).toBe('needs_reset');
      expect(credentialState(s({ pending: true, blocked: true, sca_token: 'sca_1' })).state).toBe(
        'needs_reset',
      );
    });

    it('a minimal status (flags missing) is ready', () => {
      expect(credentialState({ pending: false })).toEqual({ state: 'ready', created: [], errored: [] });
    });
  });
});
