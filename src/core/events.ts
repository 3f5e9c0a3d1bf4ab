/**
 * The events a {@link FlanksClient} emits, for metrics, tracing and logs: `flanks.on(name, listener)`.
 * Every payload is made of method, path template, numbers, a trace id and error objects: never a
 * token, a link code, a body or the client secret. See docs/observability.md.
 */

/**
 * HTTP method of a request to Flanks.
 *
 * @example
 * ```ts
 * flanks.on('request', (e) => { const method: FlanksHttpMethod = e.method; });
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/authentication
 */
export type FlanksHttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * What every event of one API call carries: which call it belongs to and which endpoint it hits.
 *
 * @example
 * ```ts
 * flanks.on('end', (e: FlanksCallEvent) => console.log(e.callId, e.method, e.path));
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/authentication
 */
export interface FlanksCallEvent {
  /**
   * Links the events of one call (every attempt, its retries and its `end`); unique in the process.
   * A call is one request to one endpoint, retries included: `waitUntilReady` makes one per poll.
   */
  callId: number;
  /** HTTP method. */
  method: FlanksHttpMethod;
  /**
   * Path template of the endpoint, without query: `/v0/bank/credentials/status`. Flanks' paths hold
   * no ids or tokens (those travel in bodies), so it is safe as a metric label.
   */
  path: string;
}

/**
 * Payload of `request`: an HTTP request of a call is about to be sent.
 *
 * @example
 * ```ts
 * flanks.on('request', (e) => log.debug(`→ ${e.method} ${e.path} (attempt ${e.attempt})`));
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/authentication
 */
export interface FlanksRequestEvent extends FlanksCallEvent {
  /** 1 for the call's first request; each retry, and each replay after a 401, adds one. */
  attempt: number;
}

/**
 * Payload of `response`: an HTTP request of a call ended, with an answer or without one.
 *
 * @example
 * ```ts
 * flanks.on('response', (e) => requests.inc({ path: e.path, status: String(e.status ?? 'none') }));
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/authentication
 */
export interface FlanksResponseEvent extends FlanksRequestEvent {
  /** HTTP status; `undefined` when no answer arrived (timeout, connection error, abort). */
  status: number | undefined;
  /** Time of this attempt in ms, from sending to the end of the body (no queueing, no retry wait). */
  durationMs: number;
  /** Flanks' trace id of the answer (`trace_id` in the body, `x-trace-id` or `x-request-id`), if any. */
  traceId: string | undefined;
  /**
   * Why this attempt failed, as the SDK raised it (a `FlanksError`; its message and fields are
   * secret-free). `undefined` on success, and for a 401 that the SDK answers by fetching a fresh token
   * and replaying the request (a `retry` event with reason `unauthorized` follows).
   */
  error: Error | undefined;
}

/**
 * Why a call is retried: the error class of the failed attempt, in a word.
 *
 * @example
 * ```ts
 * flanks.on('retry', (e) => { const reason: FlanksRetryReason = e.reason; retries.inc({ reason }); });
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/authentication
 */
export type FlanksRetryReason =
  | 'rate_limit'
  | 'server_error'
  | 'timeout'
  | 'connection'
  | 'invalid_json'
  | 'unauthorized';

/**
 * Payload of `retry`: an attempt failed and the call will try again after `delayMs`.
 *
 * @example
 * ```ts
 * flanks.on('retry', (e) => log.info(`${e.path}: ${e.reason}, retrying in ${e.delayMs} ms`));
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/authentication
 */
export interface FlanksRetryEvent extends FlanksCallEvent {
  /** The attempt that failed. */
  attempt: number;
  /** The wait before the next attempt, in ms (`Retry-After` when Flanks sent one; 0 for `unauthorized`). */
  delayMs: number;
  /** `unauthorized`: a 401, replayed at once with a fresh access token. */
  reason: FlanksRetryReason;
  /** HTTP status of the failed attempt; `undefined` when no answer arrived. */
  status: number | undefined;
}

/**
 * Payload of `end`: a call is over, once per call, after its last attempt (or before any, when it was
 * aborted, or failed to get an access token).
 *
 * @example
 * ```ts
 * flanks.on('end', (e) => { if (e.error) log.warn(`${e.path} failed after ${e.attempts} attempts: ${e.error.name}`); });
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/authentication
 */
export interface FlanksEndEvent extends FlanksCallEvent {
  /** HTTP requests the call sent. */
  attempts: number;
  /** Time of the whole call in ms: queueing for a slot, access token, attempts and retry waits. */
  durationMs: number;
  /** HTTP status of the last answer; `undefined` when none arrived. */
  status: number | undefined;
  /** Flanks' trace id of the last answer, if any. */
  traceId: string | undefined;
  /** The error the call rejects with (the same object), or `undefined` when it succeeded. */
  error: Error | undefined;
}

/**
 * Payload of `token`: the client obtained an access token. `fetched`: its first, from Flanks;
 * `refreshed`: a new one from Flanks, replacing one that expired or was refused; `shared`: one read
 * from the shared `tokenCache`, which cost Flanks nothing.
 *
 * @example
 * ```ts
 * flanks.on('token', (e) => tokens.inc({ action: e.action }));
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/authentication
 */
export interface FlanksTokenEvent {
  action: 'fetched' | 'refreshed' | 'shared';
  /** Time it took in ms, from needing a token to having one (cache lock waits included). */
  durationMs: number;
}

/**
 * Every event of {@link FlanksClient.on}, by name, with its payload.
 *
 * @example
 * ```ts
 * const listener = (e: FlanksEvents['response']) => console.log(e.status);
 * flanks.on('response', listener);
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/authentication
 */
export interface FlanksEvents {
  request: FlanksRequestEvent;
  response: FlanksResponseEvent;
  retry: FlanksRetryEvent;
  end: FlanksEndEvent;
  token: FlanksTokenEvent;
}

/**
 * The name of an event of {@link FlanksClient.on}.
 *
 * @example
 * ```ts
 * for (const name of ['request', 'response'] satisfies FlanksEventName[]) flanks.on(name, console.log);
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/authentication
 */
export type FlanksEventName = keyof FlanksEvents;

/**
 * A listener of event `E`. It runs synchronously, in the call's own flow; what it returns is ignored
 * (a promise is never awaited, and its rejection is caught). If it throws, the call goes on and the
 * client's logger gets one warning for that listener.
 *
 * @example
 * ```ts
 * const onEnd: FlanksEventListener<'end'> = (e) => histogram.observe(e.durationMs / 1000);
 * flanks.on('end', onEnd);
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/authentication
 */
export type FlanksEventListener<E extends FlanksEventName> = (event: FlanksEvents[E]) => unknown;
