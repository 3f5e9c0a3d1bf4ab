import { afterEach, describe, expect, it, vi } from 'vitest';
import { FlanksAbortError, FlanksTimeoutError } from '../../src';
import { poll } from '../../src/core/polling';
import { settle } from '../helpers';

afterEach(() => {
  vi.useRealTimers();
});

describe('poll', () => {
  it('checks at once, then waits a fifth of the time elapsed, within [pollIntervalMs, maxPollIntervalMs]', async () => {
    vi.useFakeTimers();
    const times: number[] = [];
    const start = Date.now();
    const result = await settle(
      poll({
        what: 'x',
        pollIntervalMs: 1000,
        maxPollIntervalMs: 2000,
        check: async () => {
          times.push(Date.now() - start);
          return times.length;
        },
        isDone: (n) => n === 12,
      }),
    );
    expect(result).toBe(12);
    expect(times).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000, 7200, 8640, 10368, 12368, 14368]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('times out close to timeoutMs, never sleeping past the deadline', async () => {
    vi.useFakeTimers();
    const times: number[] = [];
    const start = Date.now();
    const err = await settle(
      poll({
        what: 'the thing',
        timeoutMs: 5000,
        pollIntervalMs: 4000,
        check: async () => {
          times.push(Date.now() - start);
          return false;
        },
        isDone: Boolean,
      }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksTimeoutError);
    expect((err as Error).message).toMatch(/the thing/);
    expect(Math.max(...times)).toBeLessThanOrEqual(5000);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('aborts an in-flight check at the deadline', async () => {
    vi.useFakeTimers();
    const err = await settle(
      poll({
        what: 'x',
        timeoutMs: 1000,
        check: (signal) =>
          new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
        isDone: () => true,
      }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksTimeoutError);
  });

  it("the caller's signal stops the wait and removes its listener", async () => {
    vi.useFakeTimers();
    const ctl = new AbortController();
    const add = vi.spyOn(ctl.signal, 'addEventListener');
    const remove = vi.spyOn(ctl.signal, 'removeEventListener');
    const promise = poll({ what: 'x', signal: ctl.signal, check: async () => 0, isDone: () => false }).catch(
      (e: unknown) => e,
    );
    await vi.advanceTimersByTimeAsync(2500);
    ctl.abort();
    const err = await promise;
    expect(err).toBeInstanceOf(FlanksAbortError);
    expect(remove.mock.calls.length).toBe(add.mock.calls.length);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('an error thrown by isDone ends the wait at once', async () => {
    vi.useFakeTimers();
    let checks = 0;
    const err = await settle(
      poll({
        what: 'x',
        check: async () => ++checks,
        isDone: (n) => {
          if (n === 2) throw new Error('blocked');
          return false;
        },
      }),
    ).catch((e: unknown) => e);
    expect((err as Error).message).toBe('blocked');
    expect(checks).toBe(2);
  });
});
