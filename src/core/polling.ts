import { abortableSleep } from '../internal/sleep';
import { FlanksAbortError, FlanksTimeoutError } from './errors';

/*
 * Polling policy, shared by every "wait until …" helper:
 * - The first check runs at once. Each wait is a fifth of the time waited so far, at least
 *   `pollIntervalMs` (1 s) and at most `maxPollIntervalMs` (30 s). Flanks documents no interval; this
 *   bounds the detection lag by max(1 s, 0.2 × T) for data ready after any T, while a long first
 *   extraction (minutes) costs a poll every 30 s. The price is poll count: about 24 checks for
 *   T = 120 s. Fewer checks (a faster-growing wait) would break the lag bound for some T; see
 *   docs/benchmarks.md.
 * - `timeoutMs` bounds the whole wait, requests included: no sleep runs past the deadline, and a
 *   request still in flight at the deadline is aborted, so the call rejects with
 *   `FlanksTimeoutError` close to `timeoutMs`.
 * - The caller's `signal` rejects with `FlanksAbortError` at any point.
 * - Errors thrown by `check` or `isDone` (e.g. "credentials blocked") end the wait at once.
 * - Nothing is left behind: timers and abort listeners are removed however the wait ends.
 */

/**
 * Timing options shared by every `waitUntil…` helper.
 *
 * @example
 * ```ts
 * await flanks.credentials.waitUntilReady(token, { timeoutMs: 120_000, pollIntervalMs: 2_000, maxPollIntervalMs: 15_000 });
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/credentials-api
 */
export interface PollOptions {
  /** Give up after this many ms with `FlanksTimeoutError`. Default 300 000 (5 minutes). */
  timeoutMs?: number | undefined;
  /** Aborts the wait with `FlanksAbortError`. */
  signal?: AbortSignal | undefined;
  /** Shortest wait between checks, in ms. Default 1 000. */
  pollIntervalMs?: number | undefined;
  /** Longest wait between checks, in ms. Default 30 000. */
  maxPollIntervalMs?: number | undefined;
}

export const DEFAULT_POLL = {
  timeoutMs: 300_000,
  pollIntervalMs: 1_000,
  maxPollIntervalMs: 30_000,
  lagRatio: 0.2,
};

export interface PollSpec<T> extends PollOptions {
  /** What is being waited for, for messages: "credentials to be ready". */
  what: string;
  check: (signal: AbortSignal) => Promise<T>;
  isDone: (value: T) => boolean;
  onValue?: ((value: T, attempt: number) => void) | undefined;
}

const DEADLINE = Symbol('deadline');

export async function poll<T>(spec: PollSpec<T>): Promise<T> {
  const timeoutMs = spec.timeoutMs ?? DEFAULT_POLL.timeoutMs;
  const maxInterval = spec.maxPollIntervalMs ?? DEFAULT_POLL.maxPollIntervalMs;
  const minInterval = Math.min(spec.pollIntervalMs ?? DEFAULT_POLL.pollIntervalMs, maxInterval);
  const controller = new AbortController();
  const deadline = setTimeout(() => controller.abort(DEADLINE), timeoutMs);
  const onAbort = () => controller.abort(spec.signal?.reason);
  spec.signal?.addEventListener('abort', onAbort, { once: true });
  if (spec.signal?.aborted) controller.abort(spec.signal.reason);
  const started = Date.now();
  const stopped = () =>
    controller.signal.reason === DEADLINE
      ? new FlanksTimeoutError(
          `Gave up waiting for ${spec.what} after ${timeoutMs} ms. Raise timeoutMs, or check again later.`,
          { timeoutMs },
        )
      : new FlanksAbortError(`Stopped waiting for ${spec.what}: the caller's signal was aborted.`);
  try {
    for (let attempt = 1; ; attempt++) {
      if (controller.signal.aborted) throw stopped();
      let value: T;
      try {
        value = await spec.check(controller.signal);
      } catch (error) {
        throw controller.signal.aborted ? stopped() : error;
      }
      spec.onValue?.(value, attempt);
      if (spec.isDone(value)) return value;
      const elapsed = Date.now() - started;
      const wait = Math.min(maxInterval, Math.max(minInterval, Math.round(elapsed * DEFAULT_POLL.lagRatio)));
      await abortableSleep(Math.max(0, Math.min(wait, timeoutMs - elapsed)), controller.signal, stopped);
    }
  } finally {
    clearTimeout(deadline);
    spec.signal?.removeEventListener('abort', onAbort);
  }
}
