/**
 * Per-call overrides accepted as the last argument of every method that talks to Flanks.
 *
 * @example
 * ```ts
 * const ctl = new AbortController();
 * await flanks.credentials.getStatus(token, { timeoutMs: 5_000, maxRetries: 0, signal: ctl.signal });
 * const history = await flanks.aggregation.accountTransactions(token, { maxResponseBytes: 256 * 1024 * 1024 });
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/authentication
 */
export interface RequestOptions {
  /** Aborts the call (and any retry wait); the call rejects with `FlanksAbortError`. */
  signal?: AbortSignal | undefined;
  /** Time limit of each attempt, in ms. Defaults to the client's `timeoutMs`. */
  timeoutMs?: number | undefined;
  /** Retries after the first attempt, for calls that are safe to retry. Defaults to the client's. */
  maxRetries?: number | undefined;
  /**
   * Largest answer read, in bytes; a larger one rejects with `FlanksResponseTooLargeError`. Defaults
   * to the client's (64 MiB unless set).
   */
  maxResponseBytes?: number | undefined;
}
