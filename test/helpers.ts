import { HttpResponse, http, type JsonBodyType } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, vi } from 'vitest';
import { FlanksClient, type FlanksClientOptions, type Logger } from '../src';

/** Fake base URL: msw intercepts it at the network layer; nothing leaves the machine. */
export const BASE = 'https://api.flanks.test';
export const CLIENT_ID = 'test-client-id';
export const CLIENT_SECRET = 'sk_test_super_secret_value';
export const ACCESS_TOKEN = 'at_test_access_token_1';

export const server = setupServer();

/**
 * Starts msw for the file; unknown requests fail the test. It also makes one call, so the SDK loads
 * its HTTP runtime (a dynamic import: real I/O) before any test fakes the clock: `settle` would
 * otherwise run a pending deadline timer while the first request still waits for that import.
 */
export function useMsw(): void {
  beforeAll(async () => {
    server.listen({ onUnhandledRequest: 'error' });
    tokenRoute();
    server.use(http.get(`${BASE}/v0/bank/available`, () => HttpResponse.json([])));
    await makeClient().entities.list();
    server.resetHandlers();
  });
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
}

export interface RecordedRequest {
  method: string;
  path: string;
  search: URLSearchParams;
  headers: Headers;
  body: unknown;
}

type Method = 'get' | 'post' | 'put' | 'delete';
type Reply =
  | { status?: number; body?: JsonBodyType; headers?: Record<string, string>; text?: string }
  | 'network-error';

/**
 * Registers a handler that records every request it sees and answers from `replies` in order (the
 * last reply repeats). Returns the list of recorded requests.
 */
export function route(method: Method, path: string, ...replies: Reply[]): RecordedRequest[] {
  const calls: RecordedRequest[] = [];
  server.use(
    http[method](`${BASE}${path}`, async ({ request }) => {
      const url = new URL(request.url);
      const raw = await request.text();
      calls.push({
        method: request.method,
        path: url.pathname,
        search: url.searchParams,
        headers: request.headers,
        body: raw ? JSON.parse(raw) : undefined,
      });
      const reply = replies[Math.min(calls.length - 1, replies.length - 1)] ?? {};
      if (reply === 'network-error') return HttpResponse.error();
      if (reply.text !== undefined) {
        return new HttpResponse(reply.text, { status: reply.status ?? 200, headers: reply.headers });
      }
      return HttpResponse.json((reply.body ?? {}) as JsonBodyType, {
        status: reply.status ?? 200,
        headers: reply.headers,
      });
    }),
  );
  return calls;
}

/** The token endpoint, answering fresh tokens `at_test_access_token_<n>`. */
export function tokenRoute(expiresIn = 3600): RecordedRequest[] {
  const calls: RecordedRequest[] = [];
  server.use(
    http.post(`${BASE}/v0/token`, async ({ request }) => {
      calls.push({
        method: request.method,
        path: new URL(request.url).pathname,
        search: new URL(request.url).searchParams,
        headers: request.headers,
        body: await request.json(),
      });
      return HttpResponse.json({
        access_token: `at_test_access_token_${calls.length}`,
        expires_in: expiresIn,
        token_type: 'Bearer',
        scope: 'aggregation',
      });
    }),
  );
  return calls;
}

type LogFn = Logger['warn'] & ReturnType<typeof vi.fn<Logger['warn']>>;

export function spyLogger(): { debug: LogFn; info: LogFn; warn: LogFn; error: LogFn; lines: () => string[] } {
  const logger = {
    debug: vi.fn<Logger['debug']>(),
    info: vi.fn<Logger['info']>(),
    warn: vi.fn<Logger['warn']>(),
    error: vi.fn<Logger['error']>(),
  };
  return {
    ...logger,
    lines: () =>
      Object.values(logger).flatMap((fn) =>
        fn.mock.calls.map((args) => args.map((a) => String(a)).join(' ')),
      ),
  };
}

export function makeClient(options: FlanksClientOptions = {}): FlanksClient {
  return new FlanksClient({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    baseUrl: BASE,
    linkBaseUrl: 'https://link.flanks.test/link',
    logger: spyLogger(),
    ...options,
  });
}

/** Captured before any test fakes timers: lets real I/O (module loads, sockets) progress. */
const realSetImmediate = setImmediate;

/**
 * Runs a promise to completion while advancing fake timers. Timers are run repeatedly, with real
 * event-loop turns in between, because a promise may schedule its next timer only after real I/O
 * (the SDK loads ky on its first request).
 */
export async function settle<T>(promise: Promise<T>): Promise<T> {
  let done = false;
  const guarded = promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  void guarded.finally(() => {
    done = true;
  });
  while (!done) {
    await vi.runAllTimersAsync();
    await new Promise((resolve) => realSetImmediate(resolve));
  }
  const result = await guarded;
  if (result.ok) return result.value;
  throw result.error;
}
