import { abortableSleep } from '../internal/sleep';
import { FlanksAbortError, FlanksTimeoutError } from './errors';

/*
 * Polling policy, shared by every "wait until …" helper:
 * - The first check runs at once; then the wait starts at `intervalMs` and grows by `factor` after
 *   each check, up to `maxIntervalMs`. Flanks documents no polling interval; growing waits keep a
 *   long first extraction (minutes) cheap while a quick one is still seen within about a second.
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
  /** First wait between checks, in ms. Default 1 000. */
  pollIntervalMs?: number | undefined;
  /** Longest wait between checks, in ms. Default 10 000. */
  maxPollIntervalMs?: number | undefined;
}

export const DEFAULT_POLL = {
  timeoutMs: 300_000,
  pollIntervalMs: 1_000,
  maxPollIntervalMs: 10_000,
  factor: 1.5,
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
  let interval = Math.min(spec.pollIntervalMs ?? DEFAULT_POLL.pollIntervalMs, maxInterval);
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
      const remaining = timeoutMs - (Date.now() - started);
      await abortableSleep(Math.max(0, Math.min(interval, remaining)), controller.signal, stopped);
      interval = Math.min(interval * DEFAULT_POLL.factor, maxInterval);
    }
  } finally {
    clearTimeout(deadline);
    spec.signal?.removeEventListener('abort', onAbort);
  }
}
