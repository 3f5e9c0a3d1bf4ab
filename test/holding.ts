/**
 * Requests that a test server holds until the test lets them through. A concurrency cap is shown with
 * it, not hoped for: the server answers nothing until the client has filled every slot, so "the cap is
 * reached" does not depend on the server being slower than the client, and a request beyond the cap
 * would be held alongside the others and counted.
 */
export class HeldRequests {
  #held: Array<() => void> = [];
  #arrivals: Array<{ count: number; resolve: () => void }> = [];
  #peak = 0;
  #served = 0;

  /** Requests held at once, at most. */
  get peak(): number {
    return this.#peak;
  }

  /** Requests let through so far. */
  get served(): number {
    return this.#served;
  }

  /** Requests held now. */
  get held(): number {
    return this.#held.length;
  }

  /** Called by the server for each request; settles when the test lets the request through. */
  hold(): Promise<void> {
    return new Promise((resolve) => {
      this.#held.push(resolve);
      this.#peak = Math.max(this.#peak, this.#held.length);
      for (const waiter of this.#arrivals.filter((w) => this.#held.length >= w.count)) {
        this.#arrivals.splice(this.#arrivals.indexOf(waiter), 1);
        waiter.resolve();
      }
    });
  }

  /** Settles once `count` requests are held. */
  arrived(count: number): Promise<void> {
    if (this.#held.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.#arrivals.push({ count, resolve }));
  }

  /** Lets every held request through. */
  releaseAll(): void {
    const released = this.#held.splice(0);
    this.#served += released.length;
    for (const release of released) release();
  }

  /**
   * Serves `total` requests in batches of `cap`: waits until a full batch (or the last, smaller one)
   * is held, gives the client's own callbacks a turn of the event loop to send anything more, checks
   * with `inFlightAtClient` (requests the client has started and not finished) that it sent nothing
   * more, and lets the batch through. Throws on the first batch where the client sent more.
   */
  async serveInBatches(total: number, cap: number, inFlightAtClient: () => number): Promise<void> {
    while (this.#served < total) {
      const batch = Math.min(cap, total - this.#served);
      await this.arrived(batch);
      await new Promise((resolve) => setImmediate(resolve));
      if (this.held !== batch || inFlightAtClient() !== batch) {
        throw new Error(
          `expected exactly ${batch} requests in flight, found ${this.held} held at the server and ${inFlightAtClient()} open at the client`,
        );
      }
      this.releaseAll();
    }
  }
}

/**
 * A fetch that counts requests in flight from the call until the whole body is read (or the
 * request fails), i.e. the time a request occupies Flanks. Reading the body here keeps every
 * failure (reset, cut body, timeout) where the SDK expects it: a rejected fetch.
 */
export function countingFetch(inner: typeof fetch = fetch): {
  fetch: typeof fetch;
  readonly peak: number;
  readonly inFlight: number;
  readonly total: number;
} {
  let inFlight = 0;
  let peak = 0;
  let total = 0;
  const wrapped = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    inFlight += 1;
    total += 1;
    peak = Math.max(peak, inFlight);
    try {
      const response = await inner(input, init);
      const body = await response.arrayBuffer();
      return new Response(response.status === 204 || response.status === 304 ? null : body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    } finally {
      inFlight -= 1;
    }
  };
  return {
    fetch: wrapped as typeof fetch,
    get peak() {
      return peak;
    },
    get inFlight() {
      return inFlight;
    },
    get total() {
      return total;
    },
  };
}
