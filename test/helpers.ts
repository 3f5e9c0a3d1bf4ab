import { HttpResponse, http, type JsonBodyType } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, vi } from 'vitest';
import { FlanksClient, type FlanksClientOptions, type Logger } from '../src';
import {
  createFlanksHandlers,
  FlanksSandbox,
  SANDBOX_CLIENT_ID,
  SANDBOX_CLIENT_SECRET,
  type SandboxOptions,
} from '../src/testing';

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

/**
 * A sandbox behind msw for the file (on its default API and Link hosts), reset before each test;
 * unknown requests fail the test. Returns the sandbox, the msw server (for overrides, reset after
 * each test) and a client factory with the sandbox's credentials.
 */
export async function useSandbox(options: SandboxOptions = {}) {
  const sandbox = new FlanksSandbox(options);
  const sandboxServer = setupServer(...(await createFlanksHandlers(sandbox)));
  beforeAll(() => sandboxServer.listen({ onUnhandledRequest: 'error' }));
  beforeEach(() => sandbox.reset());
  afterEach(() => {
    vi.useRealTimers();
    sandboxServer.resetHandlers();
  });
  afterAll(() => sandboxServer.close());
  const client = (clientOptions: FlanksClientOptions = {}) =>
    new FlanksClient({
      clientId: SANDBOX_CLIENT_ID,
      clientSecret: SANDBOX_CLIENT_SECRET,
      logger: spyLogger(),
      ...clientOptions,
    });
  return { sandbox, server: sandboxServer, client };
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

/** The signed `state` a Link URL built by `client` for `userId` carries (what Flanks echoes in `extra`). */
export function signedState(client: FlanksClient, userId: string): string {
  return new URL(client.links.buildUrl({ token: 'lt', userId })).searchParams.get('state') ?? '';
}

/** Captured before any test fakes timers: lets real I/O (module loads, sockets) progress. */
const realSetImmediate = setImmediate;
const realTurn = () => new Promise((resolve) => realSetImmediate(resolve));

/*
 * Web Crypto (the token cache's sealing) runs on Node's thread pool: a fake clock cannot move it on,
 * and fake timers that fire while it runs would race it (a waiter could run out of patience in fake
 * time while the lock holder's token is still being sealed in real time). Operations in flight are
 * counted, so settle() lets them finish before it advances the fake clock.
 */
let cryptoInFlight = 0;
const subtle = globalThis.crypto.subtle as unknown as Record<
  string,
  (...args: unknown[]) => Promise<unknown>
>;
for (const name of [
  'encrypt',
  'decrypt',
  'importKey',
  'deriveKey',
  'deriveBits',
  'sign',
  'verify',
  'digest',
]) {
  const original = subtle[name]!.bind(subtle);
  Object.defineProperty(subtle, name, {
    configurable: true,
    value: (...args: unknown[]) => {
      cryptoInFlight++;
      return original(...args).finally(() => {
        cryptoInFlight--;
      });
    },
  });
}

/**
 * Runs a promise to completion while advancing fake timers, one timer at a time, with real
 * event-loop turns in between, because a promise may schedule its next timer only after real I/O
 * (the SDK loads ky on its first request). Web Crypto work in flight finishes before the clock moves.
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
    while (cryptoInFlight > 0) await realTurn();
    await vi.advanceTimersToNextTimerAsync();
    await realTurn();
  }
  // What is still scheduled once the promise settled (a server's own delays) runs out, as before.
  while (cryptoInFlight > 0) await realTurn();
  await vi.runAllTimersAsync();
  const result = await guarded;
  if (result.ok) return result.value;
  throw result.error;
}
