import { inspect } from 'node:util';
import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import {
  APIPromise,
  type CredentialRecord,
  type CredentialStatus,
  FlanksApiError,
  type FlanksResponse,
  FlanksTimeoutError,
  MemoryCredentialStore,
  type Portfolio,
  type ReauthToken,
  type Session,
  type WithResponse,
} from '../../src';
import {
  ACCESS_TOKEN,
  CLIENT_SECRET,
  makeClient,
  route,
  settle,
  signedState,
  tokenRoute,
  useMsw,
} from '../helpers';

useMsw();

const TOKEN = 'ct_live_api_promise_0123456789';
const STATUS_PATH = '/v0/bank/credentials/status';
const READY = { pending: false, blocked: false };

afterEach(() => {
  vi.useRealTimers();
});

/**
 * Runs `fn` with Node's unhandled-rejection listeners replaced by a counter (the test runner's own
 * would fail the run), waits for Node to report what is still unhandled, and returns the reasons.
 */
async function unhandledDuring(fn: () => Promise<void>): Promise<unknown[]> {
  const saved = process.listeners('unhandledRejection');
  const seen: unknown[] = [];
  const count = (reason: unknown) => seen.push(reason);
  process.removeAllListeners('unhandledRejection');
  process.on('unhandledRejection', count);
  try {
    await fn();
    // Node reports unhandled rejections after the microtask queue drains: let a few turns pass.
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('unhandledRejection', count);
    for (const listener of saved) process.on('unhandledRejection', listener);
  }
  return seen;
}

describe('APIPromise', () => {
  it('awaits to the data alone, as before, and is a real Promise whose derived promises are plain', async () => {
    tokenRoute();
    route('post', STATUS_PATH, { body: READY });
    const promise = makeClient().credentials.getStatus(TOKEN);
    expect(promise).toBeInstanceOf(Promise);
    expect(promise).toBeInstanceOf(APIPromise);
    const derived = promise.then((status) => status.pending);
    expect(derived).not.toBeInstanceOf(APIPromise);
    expect(await derived).toBe(false);
    expect(await promise).toEqual(READY);
    expect(await Promise.all([promise])).toEqual([READY]);
  });

  it('keeps the type of the data: await gives what the method returned before', () => {
    const flanks = makeClient();
    // Type-checked, never run (a run would make requests).
    const types = () => {
      expectTypeOf(flanks.aggregation.portfolios(TOKEN)).resolves.toEqualTypeOf<Portfolio[]>();
      expectTypeOf(flanks.credentials.getStatus(TOKEN).withResponse()).resolves.toEqualTypeOf<
        WithResponse<CredentialStatus>
      >();
      expectTypeOf(flanks.credentials.reauthToken(TOKEN, 'reset')).resolves.toEqualTypeOf<ReauthToken>();
      expectTypeOf(flanks.credentials.reauthToken(TOKEN)).resolves.toEqualTypeOf<ReauthToken | undefined>();
      expectTypeOf(
        flanks.completeLink({ code: 'c', userId: 'u' }),
      ).resolves.toEqualTypeOf<CredentialRecord>();
      expectTypeOf(flanks.connect.getSession('s')).resolves.toEqualTypeOf<Session>();
    };
    expect(typeof types).toBe('function');
  });

  it('withResponse() gives the status, headers, trace id, attempts and duration of the answer', async () => {
    vi.useFakeTimers();
    tokenRoute();
    const calls = route('post', '/v0/bank/credentials/portfolio', {
      body: [{ _id: 'p1', name: 'Cartera' }],
      headers: { 'x-trace-id': 'tr-123', 'X-RateLimit-Remaining': '42' },
    });
    const { data, response } = await settle(makeClient().aggregation.portfolios(TOKEN).withResponse());
    expect(calls).toHaveLength(1);
    expect(calls[0]!.body).toEqual({ credentials_token: TOKEN });
    expect(data).toEqual([{ _id: 'p1', name: 'Cartera' }]);
    expect(response).toMatchObject({ status: 200, traceId: 'tr-123', attempts: 1, calls: 1, durationMs: 0 });
    expect(response.headers).toMatchObject({
      'content-type': 'application/json',
      'x-trace-id': 'tr-123',
      'x-ratelimit-remaining': '42',
    });
    expect(Object.isFrozen(response)).toBe(true);
  });

  it("reads the trace id from the body's trace_id first", async () => {
    tokenRoute();
    route('post', '/v0/links/create-link', {
      body: { success: true, data: { token: 'lt_1', name: 'web' }, trace_id: 'tr-body' },
      headers: { 'x-request-id': 'rq-header' },
    });
    const { response } = await makeClient()
      .links.create({ redirect_uri: 'https://app.example.com/cb', name: 'web' })
      .withResponse();
    expect(response.traceId).toBe('tr-body');
    expect(response.headers['x-request-id']).toBe('rq-header');
  });

  it('counts every attempt, retries and the replay after a 401 included, and times the whole call', async () => {
    vi.useFakeTimers();
    tokenRoute();
    const calls = route(
      'post',
      STATUS_PATH,
      { status: 503, body: { error: 'busy' } },
      { status: 401, body: { error: 'expired' } },
      { body: READY, headers: { 'x-trace-id': 'tr-last' } },
    );
    const { data, response } = await settle(makeClient().credentials.getStatus(TOKEN).withResponse());
    expect(data).toEqual(READY);
    expect(calls).toHaveLength(3);
    expect(response).toMatchObject({ status: 200, attempts: 3, calls: 1, traceId: 'tr-last' });
    // The retry after the 503 waited 250–500 ms (the first back-off step, with jitter).
    expect(response.durationMs).toBeGreaterThanOrEqual(250);
    expect(response.durationMs).toBeLessThanOrEqual(500);
  });

  it('shows no cookie and no secret the client knows, in any view', async () => {
    tokenRoute();
    route('post', STATUS_PATH, {
      body: READY,
      headers: {
        'set-cookie': 'session=abc123; HttpOnly',
        'x-echo': `token ${TOKEN} bearer ${ACCESS_TOKEN} secret ${CLIENT_SECRET}`,
        'x-trace-id': `trace-${TOKEN}`,
      },
    });
    const { response } = await makeClient().credentials.getStatus(TOKEN).withResponse();
    expect(response.headers['set-cookie']).toBeUndefined();
    expect(response.headers['x-echo']).toBe('token [REDACTED] bearer [REDACTED] secret [REDACTED]');
    expect(response.traceId).toBe('trace-[REDACTED]');
    const promise = makeClient().credentials.getStatus(TOKEN);
    await promise;
    for (const text of [
      JSON.stringify(response),
      inspect(response, { depth: 10, showHidden: true }),
      inspect(promise, { depth: 10, showHidden: true }),
      JSON.stringify(promise),
    ]) {
      for (const secret of [TOKEN, ACCESS_TOKEN, CLIENT_SECRET, 'abc123']) expect(text).not.toContain(secret);
    }
  });

  it('rejects withResponse() with the error of the call', async () => {
    tokenRoute();
    route('post', STATUS_PATH, { status: 404, body: { error: 'unknown credential' } });
    const promise = makeClient().credentials.getStatus(TOKEN, { maxRetries: 0 });
    const [direct, withResponse] = await Promise.allSettled([promise, promise.withResponse()]);
    expect(direct).toMatchObject({ status: 'rejected', reason: expect.any(FlanksApiError) });
    expect(withResponse).toMatchObject({ status: 'rejected' });
    expect((withResponse as PromiseRejectedResult).reason).toBe((direct as PromiseRejectedResult).reason);
  });

  it('describes the last status read of a wait, with the number of polls', async () => {
    vi.useFakeTimers();
    tokenRoute();
    const pending = { body: { pending: true }, headers: { 'x-trace-id': 'tr-pending' } };
    const calls = route('post', STATUS_PATH, pending, pending, {
      body: READY,
      headers: { 'x-trace-id': 'tr-ready' },
    });
    const { data, response } = await settle(makeClient().credentials.waitUntilReady(TOKEN).withResponse());
    expect(data).toEqual(READY);
    expect(calls).toHaveLength(3);
    // Polls 1 s apart (the default interval): the duration covers the whole wait.
    expect(response).toMatchObject({
      status: 200,
      traceId: 'tr-ready',
      attempts: 1,
      calls: 3,
      durationMs: 2000,
    });
  });

  it('completeLink describes the code exchange', async () => {
    tokenRoute();
    const flanks = makeClient({ store: new MemoryCredentialStore() });
    route('post', '/v0/platform/link', {
      body: { credentials_token: TOKEN, extra: { state: signedState(flanks, 'u-1') } },
      headers: { 'x-trace-id': 'tr-exchange' },
    });
    const { data, response } = await flanks
      .completeLink({ code: 'lc_0123456789', userId: 'u-1' })
      .withResponse();
    expect(data).toMatchObject({ userId: 'u-1', credentialsToken: TOKEN });
    expect(response).toMatchObject({ status: 200, traceId: 'tr-exchange', attempts: 1, calls: 1 });
  });

  it('connect.getSession describes the page that held the session', async () => {
    tokenRoute();
    const session = { session_id: 's-1', status: 'Finished:OK', connection_id: TOKEN };
    const calls = route('post', '/connect/v2/sessions/list-sessions', {
      body: { items: [session], next_page_token: null },
      headers: { 'x-trace-id': 'tr-page' },
    });
    const { data, response } = await makeClient().connect.getSession('s-1').withResponse();
    expect(calls[0]!.body).toEqual({ query: { session_id_in: ['s-1'] } });
    expect(data).toMatchObject(session);
    expect(response).toMatchObject({ status: 200, traceId: 'tr-page', calls: 1 });
  });

  it('reauthToken describes its last request and counts both when it had to force', async () => {
    tokenRoute();
    route('post', STATUS_PATH, { body: { pending: false, blocked: true } });
    route('put', STATUS_PATH, {
      body: { reset_token: 'rt_0123456789' },
      headers: { 'x-trace-id': 'tr-force' },
    });
    const { data, response } = await makeClient().credentials.reauthToken(TOKEN).withResponse();
    expect(data).toEqual({ resetToken: 'rt_0123456789' });
    expect(response).toMatchObject({ status: 200, traceId: 'tr-force', calls: 2 });
  });

  describe('rejections are reported like those of a plain promise', () => {
    /** A call that fails, and a promise of its `end` event: waiting on it observes nothing of the call. */
    const failing = () => {
      tokenRoute();
      route('post', STATUS_PATH, { status: 400, body: { error: 'bad' } });
      const flanks = makeClient();
      const ended = new Promise((resolve) => flanks.on('end', (e) => e.path === STATUS_PATH && resolve(e)));
      return Object.assign(flanks.credentials.getStatus(TOKEN, { maxRetries: 0 }), { ended });
    };

    it('once when nobody observes it', async () => {
      const seen = await unhandledDuring(async () => {
        await failing().ended;
      });
      expect(seen).toHaveLength(1);
      expect(seen[0]).toBeInstanceOf(FlanksApiError);
    });

    it('never when the caller awaits withResponse() only, or the promise only', async () => {
      const seen = await unhandledDuring(async () => {
        await expect(failing().withResponse()).rejects.toBeInstanceOf(FlanksApiError);
        await expect(failing()).rejects.toBeInstanceOf(FlanksApiError);
      });
      expect(seen).toEqual([]);
    });

    it('once when withResponse() is called and its promise left alone', async () => {
      const seen = await unhandledDuring(async () => {
        const promise = failing();
        void promise.withResponse();
        await promise.ended;
      });
      expect(seen).toHaveLength(1);
    });

    it('the inner calls of a composite method are not reported on their own', async () => {
      const seen = await unhandledDuring(async () => {
        vi.useFakeTimers();
        tokenRoute();
        route('post', STATUS_PATH, { status: 504, body: {} });
        const wait = makeClient().credentials.waitUntilReady(TOKEN, { timeoutMs: 50, requestTimeoutMs: 10 });
        await expect(settle(wait)).rejects.toBeInstanceOf(FlanksTimeoutError);
        vi.useRealTimers();
      });
      expect(seen).toEqual([]);
    });
  });
});

describe('FlanksResponse', () => {
  it('is typed for callers', () => {
    expectTypeOf<FlanksResponse['headers']>().toEqualTypeOf<Readonly<Record<string, string>>>();
    expectTypeOf<FlanksResponse['traceId']>().toEqualTypeOf<string | undefined>();
  });
});
