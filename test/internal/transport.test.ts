import { inspect } from 'node:util';
import { HttpResponse, http } from 'msw';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  FlanksAbortError,
  FlanksApiError,
  FlanksConnectionError,
  type FlanksError,
  FlanksRateLimitError,
  FlanksTimeoutError,
} from '../../src';
import {
  BASE,
  CLIENT_SECRET,
  makeClient,
  route,
  server,
  settle,
  spyLogger,
  tokenRoute,
  useMsw,
} from '../helpers';

useMsw();

const STATUS = { pending: false };
const PATH = '/v0/bank/credentials/status';

afterEach(() => {
  vi.useRealTimers();
});

describe('retries (idempotent reads)', () => {
  it('retries 5xx with backoff, then succeeds', async () => {
    vi.useFakeTimers();
    tokenRoute();
    const calls = route(
      'post',
      PATH,
      { status: 503, body: { error: 'down' } },
      { status: 502 },
      { body: STATUS },
    );
    await expect(settle(makeClient().credentials.getStatus('ct_1'))).resolves.toEqual(STATUS);
    expect(calls).toHaveLength(3);
  });

  it('stops after maxRetries and reports the last error', async () => {
    vi.useFakeTimers();
    tokenRoute();
    const calls = route('post', PATH, { status: 500, body: { error: 'Internal Error', trace_id: 'tr_9' } });
    const err = await settle(makeClient({ maxRetries: 3 }).credentials.getStatus('ct_1')).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FlanksApiError);
    expect(err).toMatchObject({ status: 500, traceId: 'tr_9', retryable: true });
    expect(calls).toHaveLength(4);
  });

  it('per-call maxRetries overrides the client option', async () => {
    vi.useFakeTimers();
    tokenRoute();
    const calls = route('post', PATH, { status: 500 });
    await expect(
      settle(makeClient().credentials.getStatus('ct_1', { maxRetries: 0 })),
    ).rejects.toBeInstanceOf(FlanksApiError);
    expect(calls).toHaveLength(1);
  });

  it('honours Retry-After on 429 (seconds), and waits no less than asked', async () => {
    vi.useFakeTimers();
    tokenRoute();
    const calls = route(
      'post',
      PATH,
      { status: 429, body: { error: 'slow down' }, headers: { 'retry-after': '7' } },
      { body: STATUS },
    );
    const promise = makeClient().credentials.getStatus('ct_1');
    await vi.advanceTimersByTimeAsync(6_900);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(200);
    await expect(promise).resolves.toEqual(STATUS);
    expect(calls).toHaveLength(2);
  });

  it('caps an absurd Retry-After at 60 s', async () => {
    vi.useFakeTimers();
    tokenRoute();
    const calls = route('post', PATH, { status: 429, headers: { 'retry-after': '86400' } }, { body: STATUS });
    const promise = makeClient().credentials.getStatus('ct_1');
    await vi.advanceTimersByTimeAsync(60_001);
    await expect(promise).resolves.toEqual(STATUS);
    expect(calls).toHaveLength(2);
  });

  it('a 429 that outlasts the retries is a FlanksRateLimitError with retryAfterMs', async () => {
    vi.useFakeTimers();
    tokenRoute();
    route('post', PATH, { status: 429, headers: { 'retry-after': '2' } });
    const err = await settle(makeClient({ maxRetries: 1 }).credentials.getStatus('ct_1')).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FlanksRateLimitError);
    expect((err as FlanksRateLimitError).retryAfterMs).toBe(2000);
  });

  it('never retries other 4xx', async () => {
    tokenRoute();
    const calls = route('post', PATH, { status: 400, body: { error: 'Invalid credentials_token' } });
    const err = await makeClient()
      .credentials.getStatus('ct_1')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 400, retryable: false });
    expect((err as Error).message).toMatch(/Invalid credentials_token/);
    expect(calls).toHaveLength(1);
  });

  it('retries a dropped connection on reads', async () => {
    vi.useFakeTimers();
    tokenRoute();
    const calls = route('post', PATH, 'network-error', { body: STATUS });
    await expect(settle(makeClient().credentials.getStatus('ct_1'))).resolves.toEqual(STATUS);
    expect(calls).toHaveLength(2);
  });

  it('logs each retry at info level without secrets', async () => {
    vi.useFakeTimers();
    tokenRoute();
    route('post', PATH, { status: 503 }, { body: STATUS });
    const logger = spyLogger();
    await settle(makeClient({ logger }).credentials.getStatus('ct_secret_1'));
    expect(logger.info).toHaveBeenCalledWith(
      expect.stringMatching(/retrying POST \/v0\/bank\/credentials\/status/),
    );
    expect(logger.lines().join('\n')).not.toMatch(/ct_secret_1|at_test_access|sk_test/);
  });
});

describe('retries (calls with effects)', () => {
  it('never retries the code exchange after it may have reached Flanks', async () => {
    vi.useFakeTimers();
    tokenRoute();
    const calls = route('post', '/v0/platform/link', 'network-error');
    await expect(settle(makeClient().links.exchangeCode('code_1'))).rejects.toBeInstanceOf(
      FlanksConnectionError,
    );
    expect(calls).toHaveLength(1);
  });

  it('retries a refused connection even for calls with effects (it never reached the server)', async () => {
    vi.useFakeTimers();
    let attempts = 0;
    const refusingFetch: typeof fetch = async (input, init) => {
      attempts++;
      if (attempts === 2) {
        throw new TypeError('fetch failed', {
          cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
        });
      }
      return fetch(input, init);
    };
    tokenRoute();
    const calls = route('post', '/v0/platform/link', { body: { credentials_token: 'ct_new', extra: {} } });
    const result = await settle(makeClient({ fetch: refusingFetch }).links.exchangeCode('code_1'));
    expect(result).toMatchObject({ status: 'ready', body: { credentials_token: 'ct_new' } });
    expect(attempts).toBe(3); // token, refused exchange, exchange
    expect(calls).toHaveLength(1);
  });
});

describe('timeouts and aborts', () => {
  it('an attempt slower than timeoutMs is a FlanksTimeoutError, retried on reads', async () => {
    vi.useFakeTimers();
    tokenRoute();
    let n = 0;
    server.use(
      http.post(`${BASE}${PATH}`, async () => {
        n++;
        if (n === 1) await new Promise((resolve) => setTimeout(resolve, 10_000));
        return HttpResponse.json(STATUS);
      }),
    );
    await expect(settle(makeClient({ timeoutMs: 1_000 }).credentials.getStatus('ct_1'))).resolves.toEqual(
      STATUS,
    );
    expect(n).toBe(2);
  });

  it('reports FlanksTimeoutError when every attempt times out', async () => {
    vi.useFakeTimers();
    tokenRoute();
    server.use(
      http.post(`${BASE}${PATH}`, async () => {
        await new Promise((resolve) => setTimeout(resolve, 10_000));
        return HttpResponse.json(STATUS);
      }),
    );
    const err = await settle(
      makeClient({ maxRetries: 1 }).credentials.getStatus('ct_1', { timeoutMs: 500 }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksTimeoutError);
    expect((err as FlanksTimeoutError).timeoutMs).toBe(500);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("the caller's signal aborts an in-flight request with an Abort-named FlanksError", async () => {
    tokenRoute();
    server.use(http.post(`${BASE}${PATH}`, () => new Promise(() => {})));
    const ctl = new AbortController();
    const promise = makeClient().credentials.getStatus('ct_1', { signal: ctl.signal });
    setTimeout(() => ctl.abort(), 5);
    const err = await promise.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksAbortError);
    expect((err as Error).name).toContain('Abort');
  });

  it('the attempt signal stays live until the body is read: a stalled body times out or aborts', async () => {
    vi.useFakeTimers();
    tokenRoute();
    // Headers arrive at once; the body sends a few bytes and then only ever ends through the signal.
    const stalledBody: typeof fetch = async (input, init) => {
      if (String(input).endsWith('/v0/token')) return fetch(input, init);
      const signal = init?.signal as AbortSignal;
      const body = new ReadableStream<Uint8Array>({
        start(stream) {
          stream.enqueue(new TextEncoder().encode('{"pend'));
          signal.addEventListener('abort', () => stream.error(signal.reason), { once: true });
        },
      });
      return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const flanks = makeClient({ fetch: stalledBody, maxRetries: 0 });
    const timedOut = settle(flanks.credentials.getStatus('ct_1', { timeoutMs: 1_000 })).catch(
      (e: unknown) => e,
    );
    expect(await timedOut).toBeInstanceOf(FlanksTimeoutError);

    const ctl = new AbortController();
    const aborted = flanks.credentials
      .getStatus('ct_1', { signal: ctl.signal, timeoutMs: 60_000 })
      .catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    ctl.abort();
    expect(await aborted).toBeInstanceOf(FlanksAbortError);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('an already-aborted signal sends nothing', async () => {
    const tokens = tokenRoute();
    const ctl = new AbortController();
    ctl.abort();
    await expect(makeClient().credentials.getStatus('ct_1', { signal: ctl.signal })).rejects.toBeInstanceOf(
      FlanksAbortError,
    );
    expect(tokens).toHaveLength(0);
  });

  it('an abort during a retry wait stops at once', async () => {
    vi.useFakeTimers();
    tokenRoute();
    const calls = route('post', PATH, { status: 503 });
    const ctl = new AbortController();
    const promise = makeClient()
      .credentials.getStatus('ct_1', { signal: ctl.signal })
      .catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    ctl.abort();
    expect(await promise).toBeInstanceOf(FlanksAbortError);
    expect(calls).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('bodies', () => {
  it('malformed JSON on 2xx is a FlanksApiError (never a SyntaxError), retried on reads', async () => {
    vi.useFakeTimers();
    tokenRoute();
    const calls = route('post', PATH, { text: '{"pending": fal' });
    const err = await settle(makeClient().credentials.getStatus('ct_1')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksApiError);
    expect(err).not.toBeInstanceOf(SyntaxError);
    expect((err as FlanksApiError).code).toBe('invalid_json');
    expect(calls).toHaveLength(3);
  });

  it('a non-JSON error page keeps its text as the body', async () => {
    tokenRoute();
    route('post', PATH, { status: 404, text: '<html>Not Found</html>' });
    const err = (await makeClient()
      .credentials.getStatus('ct_1')
      .catch((e: unknown) => e)) as FlanksApiError;
    expect(err.status).toBe(404);
    expect(err.body).toBe('<html>Not Found</html>');
  });

  it('secrets echoed by Flanks in an error body are redacted everywhere', async () => {
    tokenRoute();
    route('post', PATH, {
      status: 400,
      body: {
        error: 'Invalid credentials_token ct_leaky_token_123',
        credentials_token: 'ct_leaky_token_123',
        client_secret: CLIENT_SECRET,
        nested: { access_token: 'at_test_access_token_1' },
      },
    });
    const err = (await makeClient()
      .credentials.getStatus('ct_leaky_token_123')
      .catch((e: unknown) => e)) as FlanksError;
    const dump = [err.message, JSON.stringify(err), inspect(err, { depth: 10 }), String(err.stack)].join(
      '\n',
    );
    for (const secret of ['ct_leaky_token_123', CLIENT_SECRET, 'at_test_access_token_1']) {
      expect(dump).not.toContain(secret);
    }
    expect(dump).toContain('[REDACTED]');
  });

  it('hands a custom fetch the URL, the headers, the JSON body as a string and the attempt signal', async () => {
    tokenRoute();
    route('post', PATH, { body: STATUS });
    route('get', '/v0/platform/link', { body: [] });
    const seen: Array<{ url: string; init: RequestInit }> = [];
    const recording: typeof fetch = (input, init) => {
      seen.push({ url: String(input), init: init ?? {} });
      return fetch(input, init);
    };
    const flanks = makeClient({ fetch: recording });
    await flanks.credentials.getStatus('ct_1');
    await flanks.links.unusedCodes({ linkToken: 'lt_1' });
    const [, status, unused] = seen;
    expect(status!.url).toBe(`${BASE}${PATH}`);
    expect(status!.init.method).toBe('POST');
    expect(status!.init.body).toBe(JSON.stringify({ credentials_token: 'ct_1' }));
    const headers = new Headers(status!.init.headers);
    expect(headers.get('content-type')).toBe('application/json');
    expect(headers.get('authorization')).toBe('Bearer at_test_access_token_1');
    expect(headers.get('accept')).toBe('application/json');
    expect(status!.init.signal).toBeInstanceOf(AbortSignal);
    expect(unused!.url).toBe(`${BASE}/v0/platform/link?link_token=lt_1`);
    expect(unused!.init).toMatchObject({ method: 'GET', body: undefined });
    expect(new Headers(unused!.init.headers).has('content-type')).toBe(false);
  });

  it('sends user-agent and accept headers', async () => {
    tokenRoute();
    const calls = route('post', PATH, { body: STATUS });
    await makeClient().credentials.getStatus('ct_1');
    expect(calls[0]!.headers.get('user-agent')).toMatch(/^flanks-sdk\/\d+\.\d+\.\d+/);
    expect(calls[0]!.headers.get('accept')).toBe('application/json');
  });
});

describe('request log', () => {
  it('logs one debug line per attempt with method, path, status and attempt, never the tokens', async () => {
    tokenRoute();
    route('post', PATH, { status: 200, body: STATUS });
    const logger = spyLogger();
    const flanks = makeClient({ logger });
    await flanks.credentials.getStatus('ct_secret_credentials_token');
    const lines = logger.debug.mock.calls.map((args) => String(args[0]));
    expect(lines).toContainEqual(
      expect.stringMatching(/^\[flanks-sdk\] POST \/v0\/token → 200 in \d+ ms \(attempt 1\)$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^\[flanks-sdk\] POST \/v0\/bank\/credentials\/status → 200 in \d+ ms \(attempt 1\)$/,
      ),
    );
    expect(logger.lines().join('\n')).not.toMatch(/ct_secret_credentials_token|at_test_access_token|sk_test/);
  });
});
