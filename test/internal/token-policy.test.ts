import { inspect } from 'node:util';
import { delay, HttpResponse, http } from 'msw';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  FlanksAbortError,
  FlanksApiError,
  FlanksValidationError,
  type Logger,
  MemoryTokenCache,
  type TokenCache,
} from '../../src';
import { Emitter } from '../../src/internal/events';
import { TokenManager } from '../../src/internal/token-manager';
import type { Transport } from '../../src/internal/transport';
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

/*
 * The access-token policy (src/internal/token-manager.ts) at its edges, through msw and a fake
 * clock: the millisecond a token stops being used, what an odd `expires_in` means, how long the
 * client waits between looks at a busy shared cache, and which tokens it keeps out of errors.
 */

useMsw();

const PATH = '/v0/bank/credentials/status';
const T0 = 1_750_000_000_000;

afterEach(() => {
  vi.useRealTimers();
});

describe('token lifetime', () => {
  it('a 10 s token is used until 1 s (10 %) before it expires, and renewed from then on', async () => {
    vi.useFakeTimers({ now: T0 });
    const tokens = tokenRoute(10);
    const calls = route('post', PATH, { body: { pending: false } });
    const flanks = makeClient();
    await settle(flanks.credentials.getStatus('ct_1'));
    vi.setSystemTime(T0 + 8_999);
    await settle(flanks.credentials.getStatus('ct_1'));
    expect(tokens).toHaveLength(1);
    vi.setSystemTime(T0 + 9_000);
    await settle(flanks.credentials.getStatus('ct_1'));
    expect(tokens).toHaveLength(2);
    expect(calls.map((c) => c.headers.get('authorization'))).toEqual([
      'Bearer at_test_access_token_1',
      'Bearer at_test_access_token_1',
      'Bearer at_test_access_token_2',
    ]);
  });

  it('an expires_in that is missing, zero, negative or not a number means the documented hour', async () => {
    for (const expiresIn of [undefined, 0, -5, true]) {
      vi.useFakeTimers({ now: T0 });
      let issued = 0;
      server.use(
        http.post(`${BASE}/v0/token`, () => {
          issued++;
          return HttpResponse.json({ access_token: `at_odd_${issued}`, expires_in: expiresIn });
        }),
      );
      route('post', PATH, { body: { pending: false } });
      const flanks = makeClient();
      await settle(flanks.credentials.getStatus('ct_1'));
      vi.setSystemTime(T0 + 3_539_999); // an hour less the 60 s skew, less 1 ms
      await settle(flanks.credentials.getStatus('ct_1'));
      expect({ expiresIn, issued }).toEqual({ expiresIn, issued: 1 });
      vi.setSystemTime(T0 + 3_540_000);
      await settle(flanks.credentials.getStatus('ct_1'));
      expect({ expiresIn, issued }).toEqual({ expiresIn, issued: 2 });
      vi.useRealTimers();
    }
  });

  it('keeps the last eight tokens it was issued out of errors', async () => {
    vi.useFakeTimers({ now: T0 });
    tokenRoute(10);
    route('post', PATH, { body: { pending: false } });
    const flanks = makeClient();
    for (let i = 0; i < 9; i++) {
      vi.setSystemTime(T0 + i * 10_000);
      await settle(flanks.credentials.getStatus('ct_1'));
    }
    const issued = Array.from({ length: 9 }, (_, i) => `at_test_access_token_${i + 1}`);
    route('post', PATH, { status: 400, body: { error: `tokens seen: ${issued.join(' ')}` } });
    const err = (await settle(flanks.credentials.getStatus('ct_1')).catch(
      (e: unknown) => e,
    )) as FlanksApiError;
    expect(err).toBeInstanceOf(FlanksApiError);
    // The client remembers eight tokens (bounded memory); the ninth-newest is long dead at Flanks.
    expect(err.body).toEqual({ error: `tokens seen: ${issued[0]}${' [REDACTED]'.repeat(8)}` });
  });
});

describe('waiting on a busy shared cache', () => {
  it('looks again after 20 ms, doubling to 500 ms, until it fetches its own token', async () => {
    vi.useFakeTimers({ now: T0 });
    const looks: number[] = [];
    const busy: TokenCache = {
      get: async () => {
        looks.push(Date.now() - T0);
        return undefined;
      },
      set: async () => undefined,
      lock: async () => undefined,
    };
    const tokens = tokenRoute();
    route('post', PATH, { body: { pending: false } });
    const logger = spyLogger();
    await settle(
      makeClient({ tokenCache: busy, logger, timeoutMs: 1_120, maxRetries: 0 }).credentials.getStatus('ct_1'),
    );
    const gaps = looks.slice(1).map((t, i) => t - looks[i]!);
    expect(gaps.slice(0, 8)).toEqual([20, 40, 80, 160, 320, 500, 500, 500]);
    // Patience: one 1.12 s token request (no retries) plus the 10 s lock lifetime, 11,120 ms, which
    // a look lands on exactly (1,120 + 20 × 500): that look still waits, the next one gives up.
    expect(looks.slice(-2)).toEqual([11_120, 11_620]);
    expect(tokens).toHaveLength(1);
    expect(logger.warn).toHaveBeenCalledWith(expect.stringMatching(/stayed taken for over 11120 ms/));
  });

  it('its patience counts every retry of the token request at its longest Retry-After wait', async () => {
    vi.useFakeTimers({ now: T0 });
    const busy: TokenCache = {
      get: async () => undefined,
      set: async () => undefined,
      lock: async () => undefined,
    };
    tokenRoute();
    route('post', PATH, { body: { pending: false } });
    const logger = spyLogger();
    await settle(
      makeClient({ tokenCache: busy, logger, timeoutMs: 1_000, maxRetries: 2 }).credentials.getStatus('ct_1'),
    );
    // Three 1 s attempts, two 60 s Retry-After waits, then the 10 s lock lifetime.
    expect(logger.warn).toHaveBeenCalledWith(expect.stringMatching(/stayed taken for over 133000 ms/));
  });
});

type Op = 'get' | 'set' | 'lock' | 'extend' | 'release';
type Replace = (n: number, real: () => Promise<unknown>) => Promise<unknown> | undefined;

/**
 * A MemoryTokenCache that logs each operation, lock operations included; `replace[op]` may answer the
 * op's nth call itself (return a promise) or leave it to the cache (return undefined).
 */
function loggedCache(replace: Partial<Record<Op, Replace>> = {}) {
  const inner = new MemoryTokenCache();
  const ops: Op[] = [];
  const run = <T>(op: Op, real: () => Promise<T>): Promise<T> => {
    ops.push(op);
    const n = ops.filter((o) => o === op).length;
    return (replace[op]?.(n, real) as Promise<T> | undefined) ?? real();
  };
  const cache: TokenCache = {
    get: (key) => run('get', () => inner.get(key)),
    set: (key, token) => run('set', () => inner.set(key, token)),
    lock: async (key, ttlMs) => {
      const lock = await run('lock', () => inner.lock(key, ttlMs));
      return (
        lock && {
          release: () => run('release', () => lock.release()),
          extend: (ms: number) => run('extend', () => lock.extend!(ms)),
        }
      );
    },
  };
  return { cache, ops, inner };
}

const down = () => Promise.reject(new Error('down'));
const failed = (op: string) =>
  `[flanks-sdk] token cache ${op} failed (Error: down); this process fetches its own access token until the cache answers again. API calls are not affected.`;
const BACK = '[flanks-sdk] token cache answers again; sharing the access token again.';

/** A logger that keeps warn and info lines in the order they came. */
function orderedLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger: Logger = {
    debug: () => undefined,
    info: (message) => lines.push(`info ${message}`),
    warn: (message) => lines.push(`warn ${message}`),
    error: (message) => lines.push(`error ${message}`),
  };
  return { logger, lines };
}

describe('the shared cache, operation by operation', () => {
  it('a usable shared token is taken as it is: no lock, no token request', async () => {
    const tokens = tokenRoute();
    route('post', PATH, { body: { pending: false } });
    const { cache, ops } = loggedCache();
    await makeClient({ tokenCache: cache }).credentials.getStatus('ct_1');
    expect(ops).toEqual(['get', 'lock', 'get', 'set', 'release']);
    ops.length = 0;
    const second = makeClient({ tokenCache: cache });
    const actions: string[] = [];
    second.on('token', (e) => actions.push(e.action));
    await second.credentials.getStatus('ct_1');
    expect(ops).toEqual(['get']);
    expect(actions).toEqual(['shared']);
    expect(tokens).toHaveLength(1);
  });

  it('the lock holder that finds a token shared since its first look uses it and says so', async () => {
    const tokens = tokenRoute();
    route('post', PATH, { body: { pending: false } });
    const { cache, ops, inner } = loggedCache({
      // Another process refreshes between this client's first look and its lock.
      lock: (n, real) =>
        n === 1 ? makeClient({ tokenCache: inner }).credentials.getStatus('ct_1').then(real) : undefined,
    });
    const flanks = makeClient({ tokenCache: cache });
    const actions: string[] = [];
    flanks.on('token', (e) => actions.push(e.action));
    await flanks.credentials.getStatus('ct_1');
    expect(ops).toEqual(['get', 'lock', 'get', 'release']);
    expect(actions).toEqual(['shared']);
    expect(tokens).toHaveLength(1);
  });

  it('a lock that fails: the client fetches its own token and writes nothing', async () => {
    const tokens = tokenRoute();
    route('post', PATH, { body: { pending: false } });
    const { cache, ops } = loggedCache({ lock: down });
    const { logger, lines } = orderedLogger();
    await makeClient({ tokenCache: cache, logger }).credentials.getStatus('ct_1');
    expect(ops).toEqual(['get', 'lock']);
    expect(lines).toEqual([`warn ${failed('lock')}`]);
    expect(tokens).toHaveLength(1);
  });

  it('a lock without extend() is held for the token request and released', async () => {
    tokenRoute();
    route('post', PATH, { body: { pending: false } });
    const inner = new MemoryTokenCache();
    let released = 0;
    const cache: TokenCache = {
      get: (key) => inner.get(key),
      set: (key, token) => inner.set(key, token),
      lock: async (key, ttlMs) => {
        const lock = await inner.lock(key, ttlMs);
        return (
          lock && {
            release: () => {
              released++;
              return lock.release();
            },
          }
        );
      },
    };
    const { logger, lines } = orderedLogger();
    await expect(makeClient({ tokenCache: cache, logger }).credentials.getStatus('ct_1')).resolves.toEqual({
      pending: false,
    });
    expect(released).toBe(1);
    expect(lines).toEqual([]);
  });

  it('renewing the lock during a slow token request fails: a warning naming extend', async () => {
    vi.useFakeTimers({ now: T0 });
    server.use(
      http.post(`${BASE}/v0/token`, async () => {
        await delay(4_000);
        return HttpResponse.json({ access_token: 'at_slow', expires_in: 3600 });
      }),
    );
    route('post', PATH, { body: { pending: false } });
    const { cache, ops } = loggedCache({ extend: down });
    const { logger, lines } = orderedLogger();
    await settle(makeClient({ tokenCache: cache, logger }).credentials.getStatus('ct_1'));
    expect(ops).toEqual(['get', 'lock', 'get', 'extend', 'set', 'release']);
    expect(lines).toEqual([`warn ${failed('extend')}`, `info ${BACK}`]);
  });

  it("the holder's second look fails: one warning, and the failure is not read as an entry", async () => {
    tokenRoute();
    route('post', PATH, { body: { pending: false } });
    const { cache, ops } = loggedCache({ get: (n) => (n === 2 ? down() : undefined) });
    const { logger, lines } = orderedLogger();
    await makeClient({ tokenCache: cache, logger }).credentials.getStatus('ct_1');
    expect(ops).toEqual(['get', 'lock', 'get', 'set', 'release']);
    expect(lines).toEqual([`warn ${failed('get')}`, `info ${BACK}`]);
  });

  it('a write or a release that fails is named in the warning', async () => {
    tokenRoute();
    route('post', PATH, { body: { pending: false } });
    for (const op of ['set', 'release'] as const) {
      const { cache } = loggedCache({ [op]: down });
      const { logger, lines } = orderedLogger();
      await makeClient({ tokenCache: cache, logger }).credentials.getStatus('ct_1');
      expect(lines[0]).toBe(`warn ${failed(op)}`);
    }
  });

  it('a token that cannot be sealed is not written to the cache', async () => {
    tokenRoute();
    route('post', PATH, { body: { pending: false } });
    vi.spyOn(crypto.subtle, 'encrypt').mockRejectedValue(new Error('no AES-GCM here'));
    const { cache, ops } = loggedCache();
    await expect(makeClient({ tokenCache: cache }).credentials.getStatus('ct_1')).resolves.toEqual({
      pending: false,
    });
    expect(ops).toEqual(['get', 'lock', 'get', 'release']);
  });

  it('a cache that answers null (as Redis does for a missing key) holds nothing, and is no malformed entry', async () => {
    tokenRoute();
    route('post', PATH, { body: { pending: false } });
    const { cache } = loggedCache({ get: () => Promise.resolve(null) });
    const { logger, lines } = orderedLogger();
    await makeClient({ tokenCache: cache, logger }).credentials.getStatus('ct_1');
    expect(lines).toEqual([]);
  });

  it('down, back, down again: each outage is warned about once, each recovery said once', async () => {
    // Only the clock's date is faked: a timer run early would renew the lock in between.
    vi.useFakeTimers({ toFake: ['Date'], now: T0 });
    tokenRoute(10);
    route('post', PATH, { body: { pending: false } });
    const { cache, ops } = loggedCache({ get: (n) => (n === 1 || n === 3 ? down() : undefined) });
    const { logger, lines } = orderedLogger();
    const flanks = makeClient({ tokenCache: cache, logger });
    await flanks.credentials.getStatus('ct_1');
    vi.setSystemTime(T0 + 9_500); // the 10 s token is due for renewal
    await flanks.credentials.getStatus('ct_1');
    expect(ops).toEqual(['get', 'get', 'lock', 'get', 'set', 'release']);
    expect(lines).toEqual([`warn ${failed('get')}`, `info ${BACK}`, `warn ${failed('get')}`, `info ${BACK}`]);
  });
});

describe('the token request', () => {
  it('is retried like any read, even for a call with effects: a 503 from /v0/token is asked again', async () => {
    vi.useFakeTimers();
    const tokenCalls = route(
      'post',
      '/v0/token',
      { status: 503, body: { error: 'busy' } },
      { body: { access_token: 'at_second_try', expires_in: 3600 } },
    );
    // A code exchange is not retried on a 503 itself: only the token request's own retry can save it.
    const calls = route('post', '/v0/platform/link', { body: { credentials_token: 'ct_new', extra: {} } });
    await settle(makeClient({ maxRetries: 1 }).links.exchangeCode('code_1'));
    expect(tokenCalls).toHaveLength(2);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.headers.get('authorization')).toBe('Bearer at_second_try');
  });

  it('its answer is checked against the Token schema', async () => {
    route('post', '/v0/token', { body: { access_token: 5 } });
    const err = await makeClient({ validation: 'strict' })
      .credentials.getStatus('ct_1')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksValidationError);
    expect((err as Error).message).toMatch(
      /^Flanks response to POST \/v0\/token did not match the Token schema /,
    );
  });

  it('an answer without a token is a FlanksApiError in every validation mode', async () => {
    for (const validation of ['off', 'warn'] as const) {
      for (const body of [{ access_token: '' }, { expires_in: 3600 }]) {
        route('post', '/v0/token', { body });
        const calls = route('post', PATH, { body: { pending: false } });
        const err = await makeClient({ validation, maxRetries: 0 })
          .credentials.getStatus('ct_1')
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(FlanksApiError);
        expect({
          validation,
          body,
          err: { ...(err as FlanksApiError), message: (err as Error).message },
        }).toMatchObject({
          validation,
          body,
          err: {
            status: 200,
            message: 'Flanks POST /v0/token answered without an access_token. Contact Flanks support.',
            method: 'POST',
            path: '/v0/token',
          },
        });
        expect(calls).toHaveLength(0);
      }
    }
  });

  it('a caller that aborts while the token is on its way gets a FlanksAbortError saying so', async () => {
    let asked = 0;
    server.use(
      http.post(`${BASE}/v0/token`, () => {
        asked++;
        return new Promise<never>(() => undefined);
      }),
    );
    const ctl = new AbortController();
    const pending = makeClient()
      .credentials.getStatus('ct_1', { signal: ctl.signal })
      .catch((e: unknown) => e);
    await vi.waitFor(() => expect(asked).toBe(1));
    ctl.abort();
    const err = await pending;
    expect(err).toBeInstanceOf(FlanksAbortError);
    expect((err as Error).message).toBe('Flanks request was aborted while waiting for an access token.');
  });

  it('the token event measures the request on the clock', async () => {
    vi.useFakeTimers({ now: T0 });
    server.use(
      http.post(`${BASE}/v0/token`, async () => {
        await delay(250);
        return HttpResponse.json({ access_token: 'at_timed', expires_in: 3600 });
      }),
    );
    route('post', PATH, { body: { pending: false } });
    const flanks = makeClient();
    const durations: number[] = [];
    flanks.on('token', (e) => durations.push(e.durationMs));
    await settle(flanks.credentials.getStatus('ct_1'));
    expect(durations).toEqual([250]);
  });
});

describe('a 401 drops the token it rejected, and only that one', () => {
  it('a late 401 for the old token keeps the new one: no third token request', async () => {
    const tokens = tokenRoute();
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let oldTokenCalls = 0;
    server.use(
      http.post(`${BASE}${PATH}`, async ({ request }) => {
        if (request.headers.get('authorization') !== 'Bearer at_test_access_token_1') {
          return HttpResponse.json({ pending: false });
        }
        if (++oldTokenCalls === 2) await held;
        return HttpResponse.json({ error: 'revoked' }, { status: 401 });
      }),
    );
    const flanks = makeClient();
    const calls = [flanks.credentials.getStatus('ct_1'), flanks.credentials.getStatus('ct_1')];
    // One call meets the 401 first, renews the token and succeeds; the other's 401 comes after that.
    await Promise.race(calls);
    release();
    await expect(Promise.all(calls)).resolves.toEqual([{ pending: false }, { pending: false }]);
    await flanks.credentials.getStatus('ct_1');
    expect(tokens).toHaveLength(2);
  });

  it('a token rejected while no new one could be had is not used again after a 401 for an older one', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: T0 });
    let issued = 0;
    server.use(
      http.post(`${BASE}/v0/token`, () => {
        issued++;
        // The third request fails: the second token's replacement cannot be had at first.
        return issued === 3
          ? HttpResponse.json({ error: 'busy' }, { status: 503 })
          : HttpResponse.json({ access_token: `at_${issued}`, expires_in: 10 });
      }),
    );
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const bearers: string[] = [];
    server.use(
      http.post(`${BASE}${PATH}`, async ({ request }) => {
        const bearer = request.headers.get('authorization') ?? '';
        bearers.push(bearer);
        if (bearer === 'Bearer at_1') await held;
        return bearer === 'Bearer at_4'
          ? HttpResponse.json({ pending: false })
          : HttpResponse.json({ error: 'revoked' }, { status: 401 });
      }),
    );
    const flanks = makeClient({ maxRetries: 0 });
    const first = flanks.credentials.getStatus('ct_1');
    await vi.waitFor(() => expect(bearers).toEqual(['Bearer at_1']));
    vi.setSystemTime(T0 + 9_500); // at_1 is due for renewal
    // at_2 is rejected, and its replacement cannot be had: this call fails.
    await expect(flanks.credentials.getStatus('ct_1')).rejects.toMatchObject({ status: 503 });
    // Now the held call's 401 for at_1: the replay must not fall back on the rejected at_2.
    release();
    await expect(first).resolves.toEqual({ pending: false });
    expect(bearers).toEqual(['Bearer at_1', 'Bearer at_2', 'Bearer at_4']);
  });
});

describe('printing', () => {
  it('the token manager shows nothing it holds', () => {
    const manager = new TokenManager({} as Transport, {
      baseUrl: BASE,
      clientId: 'client-id',
      clientSecret: CLIENT_SECRET,
      logger: spyLogger(),
      refreshBudgetMs: 1_000,
      events: new Emitter(spyLogger(), (text) => text),
    });
    expect(inspect(manager)).toBe('TokenManager {}');
    expect(JSON.stringify(manager)).toBe('{}');
  });
});
