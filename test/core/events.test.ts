import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  FlanksAbortError,
  FlanksApiError,
  type FlanksClient,
  FlanksConnectionError,
  type FlanksEventName,
  type FlanksEvents,
  FlanksRateLimitError,
  FlanksTimeoutError,
  FlanksValidationError,
} from '../../src';
import {
  ACCESS_TOKEN,
  CLIENT_SECRET,
  makeClient,
  route,
  settle,
  spyLogger,
  tokenRoute,
  useMsw,
} from '../helpers';

useMsw();

const TOKEN = 'ct_live_events_0123456789abcdef';
const STATUS_PATH = '/v0/bank/credentials/status';
const READY = { pending: false, blocked: false };
const NAMES: FlanksEventName[] = ['request', 'response', 'retry', 'end', 'token'];

type Seen = { [E in FlanksEventName]: { name: E; event: FlanksEvents[E] } }[FlanksEventName];

/** Every event of `flanks`, in order. */
function record(flanks: FlanksClient): Seen[] {
  const seen: Seen[] = [];
  for (const name of NAMES) flanks.on(name, (event) => seen.push({ name, event } as Seen));
  return seen;
}

/** The events of the calls to `path`, as `name status/attempt` lines, easy to compare. */
function script(seen: Seen[], path = STATUS_PATH): string[] {
  return seen.flatMap(({ name, event }) => {
    if (!('path' in event) || event.path !== path) return [];
    if (name === 'request') return [`request ${event.attempt}`];
    if (name === 'response')
      return [`response ${event.attempt} ${event.status ?? '-'} ${event.error?.name ?? 'ok'}`];
    if (name === 'retry') return [`retry ${event.attempt} ${event.reason} ${event.delayMs}`];
    if (name === 'end') return [`end ${event.attempts} ${event.status ?? '-'} ${event.error?.name ?? 'ok'}`];
    return [];
  });
}

afterEach(() => {
  vi.useRealTimers();
});

describe('events', () => {
  it('a call emits request, response and end, linked by one call id; the token call has its own', async () => {
    tokenRoute();
    route('post', STATUS_PATH, { body: READY, headers: { 'x-trace-id': 'tr-1' } });
    const flanks = makeClient();
    const seen = record(flanks);
    await flanks.credentials.getStatus(TOKEN);
    expect(seen.map((s) => s.name)).toEqual([
      'request', // POST /v0/token
      'response',
      'end',
      'token',
      'request', // POST /v0/bank/credentials/status
      'response',
      'end',
    ]);
    const [tokenRequest, , , tokenEvent, request, response, end] = seen.map((s) => s.event);
    expect(tokenRequest).toEqual({
      callId: expect.any(Number),
      method: 'POST',
      path: '/v0/token',
      attempt: 1,
    });
    expect(tokenEvent).toEqual({ action: 'fetched', durationMs: expect.any(Number) });
    expect(request).toEqual({ callId: expect.any(Number), method: 'POST', path: STATUS_PATH, attempt: 1 });
    expect(response).toEqual({
      callId: (request as { callId: number }).callId,
      method: 'POST',
      path: STATUS_PATH,
      attempt: 1,
      status: 200,
      durationMs: expect.any(Number),
      traceId: 'tr-1',
      error: undefined,
    });
    expect(end).toEqual({
      callId: (request as { callId: number }).callId,
      method: 'POST',
      path: STATUS_PATH,
      attempts: 1,
      status: 200,
      durationMs: expect.any(Number),
      traceId: 'tr-1',
      error: undefined,
    });
    expect((tokenRequest as { callId: number }).callId).not.toBe((request as { callId: number }).callId);
    for (const { event } of seen) expect(Object.isFrozen(event)).toBe(true);
  });

  it('times each attempt and the whole call, retry waits included', async () => {
    vi.useFakeTimers();
    tokenRoute();
    route('post', STATUS_PATH, { status: 503, body: {} }, { body: READY });
    const flanks = makeClient();
    const seen = record(flanks);
    await settle(flanks.credentials.getStatus(TOKEN));
    expect(script(seen)).toEqual([
      'request 1',
      'response 1 503 FlanksApiError',
      expect.stringMatching(/^retry 1 server_error (2[5-9]\d|[34]\d\d|500)$/),
      'request 2',
      'response 2 200 ok',
      'end 2 200 ok',
    ]);
    const retry = seen.find((s) => s.name === 'retry')!.event as FlanksEvents['retry'];
    const end = seen.find((s) => s.name === 'end' && s.event.path === STATUS_PATH)!
      .event as FlanksEvents['end'];
    // No time passes on the wire under a fake clock: the call took exactly its retry wait.
    expect(end.durationMs).toBe(retry.delayMs);
    expect(retry.status).toBe(503);
  });

  it('a 401 is answered by a fresh token and a replay: a retry with reason unauthorized', async () => {
    const tokens = tokenRoute();
    const calls = route('post', STATUS_PATH, { status: 401, body: { error: 'expired' } }, { body: READY });
    const flanks = makeClient();
    const seen = record(flanks);
    await flanks.credentials.getStatus(TOKEN);
    expect(calls).toHaveLength(2);
    expect(tokens).toHaveLength(2);
    expect(script(seen)).toEqual([
      'request 1',
      'response 1 401 ok',
      'retry 1 unauthorized 0',
      'request 2',
      'response 2 200 ok',
      'end 2 200 ok',
    ]);
    expect(
      seen.filter((s) => s.name === 'token').map((s) => (s.event as FlanksEvents['token']).action),
    ).toEqual(['fetched', 'refreshed']);
  });

  it('names the reason of each retry: rate limit, connection, timeout', async () => {
    vi.useFakeTimers();
    tokenRoute();
    route('post', STATUS_PATH, { status: 429, body: {}, headers: { 'retry-after': '2' } }, 'network-error', {
      body: READY,
    });
    const flanks = makeClient({ maxRetries: 3 });
    const seen = record(flanks);
    await settle(flanks.credentials.getStatus(TOKEN));
    expect(script(seen)).toEqual([
      'request 1',
      'response 1 429 FlanksRateLimitError',
      'retry 1 rate_limit 2000',
      'request 2',
      'response 2 - FlanksConnectionError',
      expect.stringMatching(/^retry 2 connection \d+$/),
      'request 3',
      'response 3 200 ok',
      'end 3 200 ok',
    ]);
    const errors = seen.flatMap((s) => (s.name === 'response' && s.event.error ? [s.event.error] : []));
    expect(errors[0]).toBeInstanceOf(FlanksRateLimitError);
    expect(errors[1]).toBeInstanceOf(FlanksConnectionError);
  });

  it('a call that fails carries its error in end: the very object it rejects with', async () => {
    vi.useFakeTimers();
    tokenRoute();
    const flanks = makeClient({
      // A fetch that never answers: each attempt ends by its timeout.
      fetch: ((url: string, init: RequestInit) =>
        url.endsWith('/v0/token')
          ? fetch(url, init)
          : new Promise((_, reject) =>
              init.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
            )) as typeof fetch,
    });
    const seen = record(flanks);
    const error = await settle(flanks.credentials.getStatus(TOKEN, { timeoutMs: 1000, maxRetries: 1 })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FlanksTimeoutError);
    expect(script(seen)).toEqual([
      'request 1',
      'response 1 - FlanksTimeoutError',
      expect.stringMatching(/^retry 1 timeout \d+$/),
      'request 2',
      'response 2 - FlanksTimeoutError',
      'end 2 - FlanksTimeoutError',
    ]);
    const end = seen.at(-1)!.event as FlanksEvents['end'];
    expect(end.error).toBe(error);
    expect(end.traceId).toBeUndefined();
  });

  it('a call aborted before it sends anything still ends, with no attempt', async () => {
    const flanks = makeClient();
    const seen = record(flanks);
    const error = await flanks.credentials.getStatus(TOKEN, { signal: AbortSignal.abort() }).catch((e) => e);
    expect(error).toBeInstanceOf(FlanksAbortError);
    expect(seen.map((s) => s.name)).toEqual(['end']);
    expect(seen[0]!.event).toMatchObject({ path: STATUS_PATH, attempts: 0, status: undefined, error });
  });

  it('an error answer has its status, trace id and typed error', async () => {
    tokenRoute();
    route('post', STATUS_PATH, {
      status: 400,
      body: { error: 'bad', code: 'ValidationError', trace_id: 'tr-bad' },
    });
    const flanks = makeClient();
    const seen = record(flanks);
    await expect(flanks.credentials.getStatus(TOKEN)).rejects.toBeInstanceOf(FlanksApiError);
    const response = seen.find((s) => s.name === 'response' && s.event.path === STATUS_PATH)!
      .event as FlanksEvents['response'];
    expect(response).toMatchObject({ status: 400, traceId: 'tr-bad' });
    expect(response.error).toMatchObject({ name: 'FlanksApiError', code: 'ValidationError', status: 400 });
  });

  it('payloads hold no token, code, body or secret', async () => {
    tokenRoute();
    route('post', STATUS_PATH, {
      status: 400,
      body: { error: `bad token ${TOKEN}`, trace_id: `tr-${TOKEN}` },
      headers: { 'x-echo': ACCESS_TOKEN },
    });
    const flanks = makeClient();
    const seen = record(flanks);
    await flanks.credentials.getStatus(TOKEN).catch(() => undefined);
    const text = JSON.stringify(
      seen.map((s) => ({
        ...s.event,
        error: s.event && 'error' in s.event ? String(s.event.error) : undefined,
      })),
    );
    for (const secret of [TOKEN, ACCESS_TOKEN, CLIENT_SECRET]) expect(text).not.toContain(secret);
    expect(text).toContain('tr-[REDACTED]');
  });
});

describe('listeners', () => {
  it('one that throws breaks nothing, and is logged once', async () => {
    tokenRoute();
    route('post', STATUS_PATH, { body: READY });
    const logger = spyLogger();
    const flanks = makeClient({ logger });
    const after = vi.fn();
    const thrower = () => {
      throw new Error(`listener bug near ${CLIENT_SECRET}`);
    };
    flanks.on('response', thrower).on('response', after);
    expect(await flanks.credentials.getStatus(TOKEN)).toEqual(READY);
    expect(await flanks.credentials.getStatus(TOKEN)).toEqual(READY);
    // The token call and two status calls: three responses, each seen by the next listener.
    expect(after).toHaveBeenCalledTimes(3);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.lines().join('\n')).toContain(
      "a 'response' listener failed (Error: listener bug near [REDACTED])",
    );
    expect(logger.lines().join('\n')).not.toContain(CLIENT_SECRET);
  });

  it('one that returns a promise is never awaited; its rejection is caught and logged once', async () => {
    tokenRoute();
    route('post', STATUS_PATH, { body: READY });
    const logger = spyLogger();
    const flanks = makeClient({ logger });
    let rejectLater!: (error: Error) => void;
    flanks.on('end', () => new Promise<void>(() => undefined)); // never settles
    flanks.on('end', () => new Promise<void>((_, reject) => (rejectLater = reject)));
    expect(await flanks.credentials.getStatus(TOKEN)).toEqual(READY);
    rejectLater(new Error('late failure'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn.mock.calls[0]![0]).toContain("a 'end' listener failed (Error: late failure)");
  });

  it('off removes one registration; a listener added while an event is emitted waits for the next', async () => {
    tokenRoute();
    route('post', STATUS_PATH, { body: READY });
    const flanks = makeClient();
    await flanks.credentials.getStatus(TOKEN); // the token, before anyone listens
    const late = vi.fn();
    const first = vi.fn(() => {
      flanks.on('end', late);
    });
    flanks.on('end', first);
    await flanks.credentials.getStatus(TOKEN);
    expect(first).toHaveBeenCalledTimes(1);
    expect(late).not.toHaveBeenCalled();
    flanks.off('end', first);
    await flanks.credentials.getStatus(TOKEN);
    expect(first).toHaveBeenCalledTimes(1);
    expect(late).toHaveBeenCalledTimes(1);
  });

  it('call ids are spent only on calls someone listens to', async () => {
    tokenRoute();
    route('post', STATUS_PATH, { body: READY });
    const flanks = makeClient();
    const ids: number[] = [];
    const listener = (e: FlanksEvents['end']) => ids.push(e.callId);
    flanks.on('end', listener);
    await flanks.credentials.getStatus(TOKEN);
    flanks.off('end', listener);
    for (let i = 0; i < 3; i++) await flanks.credentials.getStatus(TOKEN);
    flanks.on('end', listener);
    await flanks.credentials.getStatus(TOKEN);
    expect(ids).toHaveLength(3); // the token call, then two status calls
    expect(ids[2]).toBe(ids[1]! + 1);
  });

  it('on and off refuse an unknown event or a listener that is not a function', () => {
    const flanks = makeClient();
    expect(() => flanks.on('reqest' as FlanksEventName, () => undefined)).toThrow(FlanksValidationError);
    expect(() => flanks.on('request', 'nope' as never)).toThrow(FlanksValidationError);
    expect(() => flanks.off('nope' as FlanksEventName, () => undefined)).toThrow(FlanksValidationError);
  });
});
