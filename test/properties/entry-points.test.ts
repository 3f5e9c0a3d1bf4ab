import fc from 'fast-check';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { FlanksClient, FlanksError, FlanksValidationError, MemoryCredentialStore } from '../../src';
import { createFlanksHandlers, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET } from '../../src/testing';
import { settle } from '../helpers';
import {
  anyRequestOptions,
  anyValue,
  bounded,
  expectFlanksErrorIfFailed,
  hostileString,
  outcomeOf,
  runSync,
  silentLogger,
  stringOrAnything,
  watchUnhandledRejections,
} from './support';

// Hostile input on every public entry point: whatever the arguments, a call gives a correct result or
// a FlanksError subclass, never another kind of exception, a synchronous throw from an async method,
// a hang, or an unhandled rejection. The API is the sandbox (msw), so well-formed calls get real answers.

const API = 'https://api.flanks.test';
const LINK = 'https://link.flanks.test/link';
const handlers = await createFlanksHandlers({ apiBaseUrl: API, linkBaseUrl: LINK, pendingPolls: 1, seed: 3 });
const sandbox = handlers.sandbox;
const server = setupServer(...handlers);

watchUnhandledRejections();
beforeAll(async () => {
  server.listen({ onUnhandledRequest: 'error' });
  for (const name of ['FLANKS_CLIENT_ID', 'FLANKS_CLIENT_SECRET', 'FLANKS_BASE_URL', 'FLANKS_STATE_SECRET'])
    vi.stubEnv(name, '');
  // Loads the SDK's HTTP runtime (a dynamic import, real I/O) before any test fakes the clock.
  await sandboxClient().entities.list();
});
afterEach(() => vi.useRealTimers());
afterAll(() => {
  server.close();
  vi.unstubAllEnvs();
});
beforeEach(() => sandbox.reset());

function sandboxClient(extra: Record<string, unknown> = {}): FlanksClient {
  return new FlanksClient({
    clientId: SANDBOX_CLIENT_ID,
    clientSecret: SANDBOX_CLIENT_SECRET,
    baseUrl: API,
    linkBaseUrl: LINK,
    store: new MemoryCredentialStore(),
    logger: silentLogger,
    maxRetries: 0,
    ...extra,
  });
}

/** A real credentials token or link code, drawn at run time, or junk. */
const REAL_TOKEN = Symbol('a real credentials token');
const REAL_CODE = Symbol('a real link code');
const tokenArg = fc.oneof(
  fc.constant<unknown>(REAL_TOKEN),
  fc.constant<unknown>(REAL_CODE),
  stringOrAnything,
);
function resolveArg(value: unknown): unknown {
  if (value === REAL_TOKEN) return sandbox.createCredential({ pendingPolls: 0 });
  if (value === REAL_CODE) {
    const result = sandbox.connect({ params: { external_id: 'prop-user' } });
    return 'code' in result ? result.code : 'no-code';
  }
  return value;
}

const FETCHERS = [
  'portfolios',
  'investments',
  'investmentTransactions',
  'accounts',
  'accountTransactions',
  'liabilities',
  'liabilityTransactions',
  'cards',
  'cardTransactions',
  'holders',
  'identity',
] as const;

type Call = (flanks: FlanksClient, arg: unknown, options: unknown, extra: unknown) => unknown;
const any = (v: unknown) => v as never;
const ENTRY_POINTS: Record<string, Call> = {
  'links.exchangeCode': (f, a, o) => f.links.exchangeCode(any(a), any(o)),
  'links.unusedCodes': (f, a, o) => f.links.unusedCodes(any(a), any(o)),
  'links.create': (f, a, o) => f.links.create(any(a), any(o)),
  'links.edit': (f, a, o) => f.links.edit(any(a), any(o)),
  'links.pause': (f, a, o) => f.links.pause(any(a), any(o)),
  'links.resume': (f, a, o) => f.links.resume(any(a), any(o)),
  'links.delete': (f, a, o) => f.links.delete(any(a), any(o)),
  'links.list': (f, _a, o) => f.links.list(any(o)),
  'credentials.getStatus': (f, a, o) => f.credentials.getStatus(any(a), any(o)),
  'credentials.force': (f, a, o, k) => f.credentials.force(any(a), any(k), any(o)),
  'credentials.delete': (f, a, o) => f.credentials.delete(any(a), any(o)),
  'credentials.listPage': (f, a, o) => f.credentials.listPage(any(a), any(o)),
  'entities.list': (f, _a, o) => f.entities.list(any(o)),
  completeLink: (f, a, o, extra) => f.completeLink(any({ code: a, userId: extra }), any(o)),
  'completeLink (any params)': (f, a, o) => f.completeLink(any(a), any(o)),
  ...Object.fromEntries(
    FETCHERS.map((name): [string, Call] => [
      `aggregation.${name}`,
      (f, a, o) => (f.aggregation[name] as (t: unknown, o: unknown) => Promise<unknown>)(a, o),
    ]),
  ),
};

describe('new FlanksClient(anyOptions)', () => {
  const options = fc.record(
    {
      clientId: stringOrAnything,
      clientSecret: stringOrAnything,
      baseUrl: fc.oneof(fc.webUrl(), stringOrAnything),
      linkBaseUrl: fc.oneof(fc.webUrl(), stringOrAnything),
      timeoutMs: fc.oneof(fc.double(), fc.integer(), anyValue),
      maxRetries: fc.oneof(fc.integer({ min: -3, max: 20 }), fc.double(), anyValue),
      maxConcurrency: fc.oneof(
        fc.integer({ min: -3, max: 100 }),
        fc.double(),
        fc.constantFrom(Number.POSITIVE_INFINITY, Number.NaN),
        anyValue,
      ),
      fetch: fc.oneof(fc.constant(fetch), anyValue),
      store: fc.oneof(fc.constant(new MemoryCredentialStore()), anyValue),
      validation: fc.oneof(fc.constantFrom('strict', 'warn', 'off'), stringOrAnything),
      logger: fc.oneof(fc.constant(silentLogger), anyValue),
      stateSecret: fc.oneof(fc.string({ minLength: 30, maxLength: 40 }), anyValue),
      dangerouslyAllowBrowser: fc.oneof(fc.boolean(), anyValue),
    },
    { requiredKeys: [] },
  );

  it('constructs a client or throws a FlanksError', () => {
    fc.assert(
      fc.property(fc.oneof(anyValue, options), (o) => {
        const outcome = runSync(() => new FlanksClient(o as never));
        expectFlanksErrorIfFailed(outcome);
        if (outcome.ok) expect(outcome.value).toBeInstanceOf(FlanksClient);
      }),
      { numRuns: 300 },
    );
  });

  it('a complete, valid option set always constructs', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((s) => s.trim() !== ''),
        fc.string({ minLength: 1 }).filter((s) => s.trim() !== ''),
        // Valid base URLs are https (plain http only on loopback; see test/security/transport-hardening).
        fc.webUrl({ validSchemes: ['https'] }),
        fc.integer({ min: 1, max: 2_147_483_647 }),
        fc.nat(50),
        fc.integer({ min: 1, max: 1_000 }),
        fc.constantFrom('strict', 'warn', 'off'),
        (clientId, clientSecret, baseUrl, timeoutMs, maxRetries, maxConcurrency, validation) => {
          expect(
            new FlanksClient({
              clientId,
              clientSecret,
              baseUrl,
              timeoutMs,
              maxRetries,
              maxConcurrency,
              validation: validation as 'strict',
            }),
          ).toBeInstanceOf(FlanksClient);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('links.buildUrl / links.parseRedirect (no I/O)', () => {
  const flanks = sandboxClient();

  it('buildUrl(any) returns a URL string or throws a FlanksError', () => {
    const params = fc.record(
      {
        token: stringOrAnything,
        bank: stringOrAnything,
        externalId: stringOrAnything,
        rollback: fc.oneof(fc.boolean(), fc.array(stringOrAnything, { maxLength: 3 }), anyValue),
        params: fc.oneof(
          fc.dictionary(hostileString, fc.oneof(fc.string(), fc.double(), fc.boolean())),
          anyValue,
        ),
        userId: stringOrAnything,
        stateTtlMs: fc.oneof(fc.integer(), anyValue),
        dangerouslyOmitState: fc.oneof(fc.boolean(), anyValue),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(anyValue, params), (p) => {
        const outcome = runSync(() => flanks.links.buildUrl(p as never));
        expectFlanksErrorIfFailed(outcome);
        if (outcome.ok) expect(new URL(outcome.value as string).origin).toBe(new URL(LINK).origin);
      }),
      { numRuns: 300 },
    );
  });

  it('buildUrl round-trips every value it accepts, the user id through the signed state', () => {
    const text = fc.string({ unit: 'grapheme', minLength: 1 }).filter((s) => s.trim() !== '');
    fc.assert(
      fc.property(
        text,
        text,
        fc.option(text, { nil: undefined }),
        fc.option(text, { nil: undefined }),
        fc.dictionary(
          fc
            .string({ minLength: 1 })
            .filter(
              (k) => !['token', 'bank', 'external_id', 'rollback', 'code', 'error', 'state'].includes(k),
            ),
          fc.oneof(fc.string(), fc.integer(), fc.boolean()),
        ),
        (token, userId, bank, externalId, params) => {
          const url = new URL(flanks.links.buildUrl({ token, userId, bank, externalId, params }));
          expect(flanks.links.stateOwner({ extra: { state: url.searchParams.get('state') } })).toEqual({
            ok: true,
            userId,
          });
          expect(url.searchParams.get('token')).toBe(token);
          expect(url.searchParams.get('bank')).toBe(bank ?? null);
          expect(url.searchParams.get('external_id')).toBe(externalId ?? null);
          for (const [key, value] of Object.entries(params))
            expect(url.searchParams.get(key)).toBe(String(value));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('parseRedirect(any) returns a redirect or throws a FlanksError', () => {
    const input = fc.oneof(
      stringOrAnything,
      fc.record({ url: stringOrAnything }),
      fc.webUrl({ withQueryParameters: true }).map((u) => new URL(u)),
      fc.webUrl({ withQueryParameters: true }).map((u) => new Request(u)),
      fc
        .tuple(fc.webUrl(), fc.dictionary(hostileString, hostileString))
        .map(([u, q]) => `${u}?${new URLSearchParams(q)}`),
    );
    fc.assert(
      fc.property(input, (value) => {
        const outcome = runSync(() => flanks.links.parseRedirect(value as never));
        expectFlanksErrorIfFailed(outcome);
        if (outcome.ok) {
          const r = outcome.value as { ok: boolean; code?: string; error?: string };
          expect(r.ok ? typeof r.code : typeof r.error).toBe('string');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('parseRedirect reads back any code or error, from a string, URL, Request or { url }', () => {
    const value = fc.string({ unit: 'grapheme', minLength: 1 });
    fc.assert(
      fc.property(
        fc.constantFrom('code', 'error'),
        value,
        fc.dictionary(
          fc.string({ minLength: 1 }).filter((k) => k !== 'code' && k !== 'error'),
          fc.string(),
        ),
        fc.constantFrom('string', 'path', 'URL', 'Request', 'object'),
        (kind, v, extra, form) => {
          const href = `https://app.example.com/flanks/callback?${new URLSearchParams({ ...extra, [kind]: v })}`;
          const input = {
            string: href,
            path: href.slice('https://app.example.com'.length),
            URL: new URL(href),
            Request: new Request(href),
            object: { url: href },
          }[form];
          const r = flanks.links.parseRedirect(input as never);
          expect(r.ok).toBe(kind === 'code');
          expect(kind === 'code' ? r.code : r.error).toBe(v);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('async entry points with arbitrary arguments (sandbox over msw)', () => {
  it('each call resolves or rejects with a FlanksError, never hanging or throwing synchronously', async () => {
    const flanks = sandboxClient();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...Object.keys(ENTRY_POINTS)),
        tokenArg,
        anyRequestOptions,
        fc.oneof(fc.constantFrom('sca', 'reset', 'transaction'), stringOrAnything),
        async (name, arg, options, extra) => {
          const call = ENTRY_POINTS[name]!;
          const outcome = await outcomeOf(() => call(flanks, resolveArg(arg), bounded(options), extra));
          expectFlanksErrorIfFailed(outcome);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('waitUntilReady(any, anyOptions) resolves, or rejects with a FlanksError, within its time limit', async () => {
    const flanks = sandboxClient();
    const waitOptions = fc.oneof(
      anyValue,
      fc.record(
        {
          products: fc.oneof(fc.subarray(['auth', 'account', 'portfolio', 'investment']), anyValue),
          transactions: fc.oneof(fc.subarray(['account', 'card']), anyValue),
          pollIntervalMs: fc.oneof(fc.integer({ min: 0, max: 5 }), anyValue),
          maxPollIntervalMs: fc.oneof(fc.integer({ min: 0, max: 20 }), anyValue),
          requestTimeoutMs: fc.oneof(fc.integer({ min: 1, max: 100 }), anyValue),
          onStatus: fc.oneof(
            fc.constant(() => {}),
            anyValue,
          ),
          signal: fc.oneof(fc.constant(AbortSignal.abort()), anyValue),
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(tokenArg, waitOptions, async (arg, options) => {
        const bound =
          options !== null && typeof options === 'object' && !Array.isArray(options)
            ? { ...options, timeoutMs: 150 }
            : options;
        const outcome = await outcomeOf(() =>
          flanks.credentials.waitUntilReady(resolveArg(arg) as never, bound as never),
        );
        expectFlanksErrorIfFailed(outcome);
        if (outcome.ok) expect(outcome.value).toMatchObject({ pending: expect.any(Boolean) });
      }),
      { numRuns: 150 },
    );
  });

  it('well-formed calls on real credentials return the sandbox data in every validation mode', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('strict', 'warn', 'off'),
        fc.constantFrom(...FETCHERS),
        async (mode, name) => {
          const flanks = sandboxClient({ validation: mode });
          const token = sandbox.createCredential({ pendingPolls: 0 });
          const status = await flanks.credentials.waitUntilReady(token, { pollIntervalMs: 1 });
          expect(status.pending).toBe(false);
          const value = await (flanks.aggregation[name] as (t: string) => Promise<unknown>)(token);
          expect(name === 'identity' ? typeof value : Array.isArray(value)).toBe(
            name === 'identity' ? 'object' : true,
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  it('credentials.list(anyParams, anyOptions) gives a paginator or a FlanksError; iterating it settles likewise', async () => {
    const flanks = sandboxClient();
    const params = fc.oneof(
      fc.constant(undefined),
      anyValue,
      fc.record({ cursor: fc.oneof(fc.integer({ min: -1, max: 4 }), anyValue) }, { requiredKeys: [] }),
    );
    await fc.assert(
      fc.asyncProperty(params, anyRequestOptions, async (p, options) => {
        const outcome = runSync(() => flanks.credentials.list(p as never, bounded(options) as never));
        expectFlanksErrorIfFailed(outcome);
        if (!outcome.ok) {
          expect(outcome.error).toBeInstanceOf(FlanksValidationError);
          return;
        }
        const list = outcome.value as ReturnType<FlanksClient['credentials']['list']>;
        const iterated = await outcomeOf(() => list.toArray({ limit: 50 }));
        expectFlanksErrorIfFailed(iterated);
      }),
      { numRuns: 100 },
    );
  });
});

describe('cursor lists with arbitrary arguments', () => {
  const LISTS = {
    'connect.listSessions': (f: FlanksClient, p: unknown, o: unknown) =>
      f.connect.listSessions(p as never, o as never),
    'connect.listConnectors': (f: FlanksClient, p: unknown, o: unknown) =>
      f.connect.listConnectors(p as never, o as never),
    'aggregationV2.listProducts': (f: FlanksClient, p: unknown, o: unknown) =>
      f.aggregationV2.listProducts(p as never, o as never),
    'aggregationV2.listTransactions': (f: FlanksClient, p: unknown, o: unknown) =>
      f.aggregationV2.listTransactions(p as never, o as never),
  };
  const params = fc.oneof(
    fc.constant(undefined),
    anyValue,
    fc.record(
      {
        query: fc.oneof(fc.constant({}), anyValue),
        cursor: fc.oneof(fc.constant('bogus'), stringOrAnything),
        pageToken: stringOrAnything,
      },
      { requiredKeys: [] },
    ),
  );

  it('building and reading a list gives its items or a FlanksError', async () => {
    const flanks = sandboxClient();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...(Object.keys(LISTS) as Array<keyof typeof LISTS>)),
        params,
        anyRequestOptions,
        async (name, p, options) => {
          const outcome = await outcomeOf(() =>
            Promise.resolve().then(
              (): Promise<unknown> => LISTS[name](flanks, p, bounded(options)).toArray({ limit: 30 }),
            ),
          );
          expectFlanksErrorIfFailed(outcome);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('options that are valid but extreme', () => {
  // Regression: Node fires timers longer than 2^31-1 ms after 1 ms, so such a timeoutMs used to make
  // every request time out at once. Values past that limit are now refused at the edge, naming the
  // option; every accepted value must let through an answer that comes 20 ms later. The clock is
  // fake (it fires an overlong timer after 1 ms too), so "20 ms later" is exact at any machine speed.
  it('any accepted client timeoutMs lets an answer 20 ms later through', async () => {
    vi.useFakeTimers();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1_000, max: Number.MAX_SAFE_INTEGER }), async (timeoutMs) => {
        if (timeoutMs > 2_147_483_647) {
          expect(() => sandboxClient({ timeoutMs })).toThrow(/options\.timeoutMs/);
          return;
        }
        const flanks = sandboxClient({ timeoutMs });
        sandbox.failNext('*', 2, { delayMs: 20 });
        await expect(settle(flanks.entities.list())).resolves.toEqual(expect.any(Array));
      }),
      { numRuns: 30, examples: [[1e10]], endOnFailure: true },
    );
  });

  it('any accepted waitUntilReady timeoutMs waits for a credential that is ready after 1 poll', async () => {
    vi.useFakeTimers();
    const flanks = sandboxClient();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1_000, max: Number.MAX_SAFE_INTEGER }), async (timeoutMs) => {
        const token = sandbox.createCredential({ pendingPolls: 1 });
        const wait = flanks.credentials.waitUntilReady(token, { timeoutMs, pollIntervalMs: 5 });
        if (timeoutMs > 2_147_483_647) {
          await expect(wait).rejects.toMatchObject({ path: 'options.timeoutMs' });
          return;
        }
        sandbox.failNext('*', 2, { delayMs: 20 });
        await expect(settle(wait)).resolves.toMatchObject({ pending: false });
      }),
      { numRuns: 30, examples: [[3e9]], endOnFailure: true },
    );
  });

  it('a FlanksError is what an aborted signal gives, whatever the call', async () => {
    const flanks = sandboxClient();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...Object.keys(ENTRY_POINTS)), tokenArg, async (name, arg) => {
        const outcome = await outcomeOf(() =>
          ENTRY_POINTS[name]!(flanks, resolveArg(arg), { signal: AbortSignal.abort() }, 'sca'),
        );
        expect(outcome.ok).toBe(false);
        expect((outcome as { error: unknown }).error).toBeInstanceOf(FlanksError);
      }),
      { numRuns: 100 },
    );
  });
});
