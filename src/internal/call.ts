import { APIPromise, type CallOutcome, callOutcome, type FlanksResponse } from '../core/api-promise';
import type { ApiResponse, Exchange, RequestSpec, Transport } from './transport';

/*
 * One API method invocation, the source of its `.withResponse()`. The method's requests go through
 * `request` (or `transport`, for a paginator), the API methods it builds on through `track`; the
 * last exchange recorded is the one `response` describes, and `calls` counts them all.
 */
export class Call<T = unknown> implements CallOutcome<T> {
  data!: T;
  #last: Exchange | undefined;
  #calls = 0;
  #durationMs = 0;
  readonly #started = performance.now();
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  async request<R>(spec: RequestSpec<R>): Promise<ApiResponse<R>> {
    const response = await this.#transport.request(spec);
    this.#record(response.exchange, 1);
    return response;
  }

  /** Runs another API method as part of this one: its answer becomes this call's. */
  async track<R>(promise: APIPromise<R>): Promise<R> {
    const outcome = await callOutcome(promise);
    if (outcome instanceof Call) this.#record(outcome.#last, outcome.#calls);
    return outcome.data;
  }

  /** A transport whose requests count as this call's, for the paginators a method reads. */
  get transport(): Transport {
    return this.#transport.observed((exchange) => this.#record(exchange, 1));
  }

  #record(exchange: Exchange | undefined, calls: number): void {
    if (exchange) this.#last = exchange;
    this.#calls += calls;
  }

  finish(data: T): this {
    this.data = data;
    this.#durationMs = performance.now() - this.#started;
    return this;
  }

  response(): FlanksResponse {
    const last = this.#last;
    return Object.freeze({
      ...(last
        ? this.#transport.describe(last)
        : { status: 0, headers: {}, traceId: undefined, attempts: 0 }),
      durationMs: this.#durationMs,
      calls: this.#calls,
    });
  }

  /** Only what `JSON.stringify` and `util.inspect` may show: no exchange, no secret. */
  toJSON(): Record<string, unknown> {
    return { calls: this.#calls };
  }
}

/** Runs an API method's body as one {@link Call} and returns its APIPromise. */
export function apiCall<T>(transport: Transport, run: (call: Call<T>) => Promise<T>): APIPromise<T> {
  const call = new Call<T>(transport);
  return new APIPromise(run(call).then((data) => call.finish(data)));
}
