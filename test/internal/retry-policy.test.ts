import { HttpResponse, http } from 'msw';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FlanksAbortError, FlanksApiError, FlanksRateLimitError, FlanksTimeoutError } from '../../src';
import { BASE, makeClient, route, server, settle, spyLogger, tokenRoute, useMsw } from '../helpers';

/*
 * The retry policy (src/internal/retry-policy.ts) as a caller meets it: which answers are retried,
 * how long each wait is, and what a `Retry-After` header does to it. Waits are read off the fake
 * clock: every request records when it arrived, and the retry log line says what wait was chosen.
 */

useMsw();

const PATH = '/v0/bank/credentials/status';
const STATUS = { pending: false };

afterEach(() => {
  vi.useRealTimers();
});

/** Records the fake-clock time of each request to PATH and answers from `replies` (the last repeats). */
function timedRoute(...replies: Array<{ status?: number; headers?: Record<string, string> }>): number[] {
  const arrivals: number[] = [];
  server.use(
    http.post(`${BASE}${PATH}`, () => {
      arrivals.push(Date.now());
      const reply = replies[Math.min(arrivals.length - 1, replies.length - 1)]!;
      return reply.status === undefined
        ? HttpResponse.json(STATUS)
        : HttpResponse.json({ error: 'no' }, { status: reply.status, headers: reply.headers });
    }),
  );
  return arrivals;
}

const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]!);

/** The waits the client announced in its retry log lines, in ms. */
function announcedWaits(logger: ReturnType<typeof spyLogger>): number[] {
  return logger.info.mock.calls.flatMap((args) => {
    const match = /retrying .* in (\d+) ms/.exec(String(args[0]));
    return match ? [Number(match[1])] : [];
  });
}

describe('backoff', () => {
  it('waits 0.5 s doubling to an 8 s cap, each scaled by a random factor in [0.5, 1]', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    vi.spyOn(Math, 'random').mockReturnValue(0.5); // factor 0.75
    tokenRoute();
    const arrivals = timedRoute(...Array.from({ length: 7 }, () => ({ status: 503 })), {});
    const logger = spyLogger();
    await expect(
      settle(makeClient({ logger, maxRetries: 7 }).credentials.getStatus('ct_1')),
    ).resolves.toEqual(STATUS);
    const expected = [375, 750, 1_500, 3_000, 6_000, 6_000, 6_000];
    expect(announcedWaits(logger)).toEqual(expected);
    expect(gaps(arrivals)).toEqual(expected);
    expect(logger.info.mock.calls[0]![0]).toBe(
      `[flanks-sdk] retrying POST ${PATH} in 375 ms (attempt 2 of 8) after FlanksApiError`,
    );
    expect(logger.info.mock.calls[6]![0]).toBe(
      `[flanks-sdk] retrying POST ${PATH} in 6000 ms (attempt 8 of 8) after FlanksApiError`,
    );
  });

  it('the random factor spans [0.5, 1] of the step: none at the low end, all of it at the high end', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const random = vi.spyOn(Math, 'random');
    tokenRoute();
    const logger = spyLogger();
    const flanks = makeClient({ logger, maxRetries: 2 });

    random.mockReturnValue(0);
    timedRoute({ status: 500 }, { status: 500 }, {});
    await settle(flanks.credentials.getStatus('ct_1'));
    random.mockReturnValue(0.999_999);
    timedRoute({ status: 500 }, { status: 500 }, {});
    await settle(flanks.credentials.getStatus('ct_1'));

    expect(announcedWaits(logger)).toEqual([250, 500, 500, 1_000]);
  });

  it('a 429 without Retry-After (or with an empty or blank one) waits the same backoff, not zero', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    tokenRoute();
    const logger = spyLogger();
    const flanks = makeClient({ logger, maxRetries: 1 });
    for (const headers of [undefined, { 'retry-after': '' }, { 'retry-after': '  ' }]) {
      const arrivals = timedRoute({ status: 429, headers }, {});
      await settle(flanks.credentials.getStatus('ct_1'));
      expect(gaps(arrivals)).toEqual([375]);

      timedRoute({ status: 429, headers });
      const err = await settle(flanks.credentials.getStatus('ct_1', { maxRetries: 0 })).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(FlanksRateLimitError);
      expect((err as FlanksRateLimitError).retryAfterMs).toBeUndefined();
    }
  });
});

describe('Retry-After', () => {
  it('"0" retries at once', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    tokenRoute();
    const arrivals = timedRoute({ status: 429, headers: { 'retry-after': '0' } }, {});
    const logger = spyLogger();
    await settle(makeClient({ logger }).credentials.getStatus('ct_1'));
    expect(gaps(arrivals)).toEqual([0]);
    expect(announcedWaits(logger)).toEqual([0]);
  });

  it('an HTTP date waits until that date; a date already past retries at once', async () => {
    const now = Date.UTC(2026, 0, 5, 12, 0, 0);
    vi.useFakeTimers({ now });
    tokenRoute();
    const flanks = makeClient({ maxRetries: 1 });
    const later = timedRoute(
      { status: 429, headers: { 'retry-after': new Date(now + 7_000).toUTCString() } },
      {},
    );
    await settle(flanks.credentials.getStatus('ct_1'));
    expect(gaps(later)).toEqual([7_000]);

    const past = timedRoute(
      { status: 429, headers: { 'retry-after': new Date(now - 60_000).toUTCString() } },
      {},
    );
    await settle(flanks.credentials.getStatus('ct_1'));
    expect(gaps(past)).toEqual([0]);
  });

  it('a date in seconds is read as seconds (fractions rounded to ms)', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    tokenRoute();
    timedRoute({ status: 429, headers: { 'retry-after': '1.5' } });
    const err = await settle(makeClient({ maxRetries: 0 }).credentials.getStatus('ct_1')).catch(
      (e: unknown) => e,
    );
    expect((err as FlanksRateLimitError).retryAfterMs).toBe(1_500);
  });
});

describe('what is retried', () => {
  it('every 5xx is retried on reads, not only the well-known ones', async () => {
    vi.useFakeTimers();
    tokenRoute();
    const flanks = makeClient({ maxRetries: 1 });
    for (const status of [501, 505, 507, 599]) {
      const calls = route('post', PATH, { status });
      const err = await settle(flanks.credentials.getStatus('ct_1')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FlanksApiError);
      expect(err).toMatchObject({ status, retryable: true });
      expect(calls).toHaveLength(2);
    }
  });

  it('an abort is never retried: no retry is announced and nothing is sent again', async () => {
    tokenRoute();
    let sent = 0;
    server.use(
      http.post(`${BASE}${PATH}`, () => {
        sent++;
        return new Promise(() => {});
      }),
    );
    const logger = spyLogger();
    const ctl = new AbortController();
    const pending = makeClient({ logger })
      .credentials.getStatus('ct_1', { signal: ctl.signal })
      .catch((e: unknown) => e);
    await vi.waitFor(() => expect(sent).toBe(1));
    ctl.abort();
    expect(await pending).toBeInstanceOf(FlanksAbortError);
    expect(announcedWaits(logger)).toEqual([]);
    expect(sent).toBe(1);
  });

  it('a call with effects that timed out is not sent again: Flanks may have acted on it', async () => {
    vi.useFakeTimers();
    tokenRoute();
    let sent = 0;
    server.use(
      http.post(`${BASE}/v0/platform/link`, async () => {
        sent++;
        await new Promise((resolve) => setTimeout(resolve, 600_000));
        return HttpResponse.json({ credentials_token: 'ct_new', extra: {} });
      }),
    );
    const logger = spyLogger();
    const err = await settle(
      makeClient({ logger, timeoutMs: 1_000, maxRetries: 3 }).links.exchangeCode('code_1'),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksTimeoutError);
    expect(sent).toBe(1);
    expect(announcedWaits(logger)).toEqual([]);
  });
});

describe('the reason a retry event gives', () => {
  it('a body that is not JSON is invalid_json; a 408 is a timeout; another 5xx a server error', async () => {
    vi.useFakeTimers();
    tokenRoute();
    route('post', PATH, { text: '{"pending": fal' }, { status: 408 }, { status: 502 }, { body: STATUS });
    const flanks = makeClient({ maxRetries: 3 });
    const reasons: Array<[string, number | undefined]> = [];
    flanks.on('retry', (e) => reasons.push([e.reason, e.status]));
    await expect(settle(flanks.credentials.getStatus('ct_1'))).resolves.toEqual(STATUS);
    expect(reasons).toEqual([
      ['invalid_json', 200],
      ['timeout', 408],
      ['server_error', 502],
    ]);
  });
});
