/*
 * The promise every API method returns. It is a real Promise of the data (so `await`, `.then`,
 * `instanceof Promise`, `Promise.all` behave as before) whose `.withResponse()` also gives what the
 * SDK knows of the HTTP exchange. Rules:
 * - Derived promises (`.then`, `.catch`, `.finally`) are plain Promises (`Symbol.species`).
 * - A failure is reported once: it rejects this promise, and `.withResponse()` returns a new promise
 *   that rejects too; calling `.withResponse()` counts as handling this one, so a caller who only
 *   awaits `.withResponse()` sees no unhandled rejection, and one who awaits neither sees exactly one.
 * - The response view is built when asked for, so a plain `await` pays nothing for it.
 */

/**
 * What the SDK knows of the HTTP exchange behind an API method's result: `.withResponse()`.
 *
 * For a method that makes several requests it describes the one its data came from, the last:
 * `waitUntilReady` / `waitForSession` / `reports.waitUntilReady` the status read that ended the wait
 * (`calls` is then the number of polls), `completeLink` the code exchange, `connect.getSession` the
 * page that held the session. `durationMs` always covers the whole method.
 *
 * @example
 * ```ts
 * const { data, response } = await flanks.aggregation.portfolios(token).withResponse();
 * console.log(response.status, response.traceId, response.attempts, `${response.durationMs} ms`);
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/authentication
 */
export interface FlanksResponse {
  /** HTTP status of the answer. */
  readonly status: number;
  /**
   * Headers of the answer, names in lower case; cookies (`set-cookie`) are left out and any secret
   * the client knows (tokens, codes, the client secret) is replaced by `[REDACTED]` in the values.
   */
  readonly headers: Readonly<Record<string, string>>;
  /** Flanks' trace id (`trace_id` in the body, `x-trace-id` or `x-request-id`), if any: quote it to support. */
  readonly traceId: string | undefined;
  /** HTTP requests sent for that answer: 1, plus one per retry or replay after a 401. */
  readonly attempts: number;
  /** Time of the whole method in ms, queueing, retries and polls included. */
  readonly durationMs: number;
  /** Requests to Flanks the method made (each with its own attempts): 1 except for polls and chains. */
  readonly calls: number;
}

/**
 * The result of `.withResponse()`: the data `await` gives, and its {@link FlanksResponse}.
 *
 * @example
 * ```ts
 * const { data: status, response }: WithResponse<CredentialStatus> = await flanks.credentials.getStatus(token).withResponse();
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/authentication
 */
export interface WithResponse<T> {
  /** What the method resolves with when awaited. */
  data: T;
  /** How the exchange went: status, headers, trace id, attempts, duration. */
  response: FlanksResponse;
}

/** What the SDK settles an APIPromise with: the data, and how to describe the exchange. Not exported by the package. */
export interface CallOutcome<T> {
  data: T;
  response(): FlanksResponse;
}

const ignore = () => undefined;
let outcomeOf: <T>(promise: APIPromise<T>) => Promise<CallOutcome<T>>;

/**
 * The promise of every API method: `await` gives the data, `.withResponse()` the data and its
 * {@link FlanksResponse} (status, headers, trace id, attempts, duration).
 *
 * @example
 * ```ts
 * const portfolios = await flanks.aggregation.portfolios(token); // the data, as always
 * const { data, response } = await flanks.aggregation.portfolios(token).withResponse();
 * if (response.attempts > 1) log.info(`portfolios needed ${response.attempts} attempts (trace ${response.traceId})`);
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/authentication
 */
export class APIPromise<T> extends Promise<T> {
  readonly #outcome: Promise<CallOutcome<T>>;

  static {
    outcomeOf = (promise) => {
      promise.#observed();
      return promise.#outcome;
    };
  }

  /** Built by the SDK's API methods. @internal */
  constructor(outcome: Promise<{ data: T; response(): FlanksResponse }>) {
    let resolve!: (value: T) => void;
    let reject!: (reason: unknown) => void;
    super((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.#outcome = outcome;
    outcome.then((settled) => resolve(settled.data), reject);
  }

  /** `.then()` and friends return plain Promises, not APIPromises. */
  static override get [Symbol.species](): PromiseConstructor {
    return Promise;
  }

  /**
   * Resolves with `{ data, response }`: the data `await` gives, and what the SDK knows of the HTTP
   * exchange. Rejects with the same error as the call.
   *
   * @example
   * ```ts
   * const { data: status, response } = await flanks.credentials.getStatus(token).withResponse();
   * metrics.observe('flanks_status_ms', response.durationMs);
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/authentication
   */
  withResponse(): Promise<WithResponse<T>> {
    this.#observed();
    return this.#outcome.then((settled) => ({ data: settled.data, response: settled.response() }));
  }

  /** The caller observes the outcome elsewhere: this promise must not report it as unhandled too. */
  #observed(): void {
    super.then(undefined, ignore);
  }
}

/** The outcome of an API method run inside another one (marks it observed). Not exported by the package. */
export function callOutcome<T>(promise: APIPromise<T>): Promise<CallOutcome<T>> {
  return outcomeOf(promise);
}
