/**
 * The one sleep of the SDK and its sandbox: waits `ms`. When `signal` fires first it stops early and
 * rejects with `makeAbortError()`, or, without `makeAbortError`, resolves at once (for work that
 * simply ends with its caller). The timer and the listener are always cleaned up, so an abandoned
 * wait leaves nothing behind.
 */
export function abortableSleep(
  ms: number,
  signal?: AbortSignal,
  makeAbortError?: () => Error,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const stop = () => (makeAbortError ? reject(makeAbortError()) : resolve());
    if (signal?.aborted) return stop();
    const onAbort = () => {
      clearTimeout(timer);
      stop();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Settles like `promise`, but rejects early with `makeAbortError()` when `signal` fires. The
 * underlying promise keeps running for its other awaiters: used for work shared between callers.
 */
export function raceSignal<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  makeAbortError: () => Error,
): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(makeAbortError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(makeAbortError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
