/*
 * Caps the requests in flight to Flanks (the client's `maxConcurrency`). A slot is held for one
 * attempt (reading the token, sending, and a 401 replay), never while sleeping before a retry; the
 * token request itself bypasses the cap, so a slot holder can always get a token. A burst of 10,000
 * calls queues instead of hammering the API. Waiters are served first in, first out; one whose signal aborts leaves the queue at once.
 */
export class Limiter {
  #active = 0;
  readonly #queue: Array<() => void> = [];

  constructor(readonly max: number) {}

  get active(): number {
    return this.#active;
  }

  get queued(): number {
    return this.#queue.length;
  }

  async run<T>(
    fn: () => Promise<T>,
    signal: AbortSignal | undefined,
    makeAbortError: () => Error,
  ): Promise<T> {
    await this.#acquire(signal, makeAbortError);
    try {
      return await fn();
    } finally {
      this.#release();
    }
  }

  #acquire(signal: AbortSignal | undefined, makeAbortError: () => Error): Promise<void> {
    if (signal?.aborted) return Promise.reject(makeAbortError());
    if (this.#active < this.max) {
      this.#active++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        this.#active++;
        resolve();
      };
      const onAbort = () => {
        const index = this.#queue.indexOf(grant);
        if (index >= 0) this.#queue.splice(index, 1);
        reject(makeAbortError());
      };
      this.#queue.push(grant);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  #release(): void {
    this.#active--;
    this.#queue.shift()?.();
  }
}
