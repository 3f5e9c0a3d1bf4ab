import { HttpResponse, http } from 'msw';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FlanksApiError, type TokenCache } from '../../src';
import { BASE, makeClient, route, server, settle, spyLogger, tokenRoute, useMsw } from '../helpers';

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
});
