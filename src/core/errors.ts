/**
 * Every error the SDK throws is a {@link FlanksError}. API errors carry the HTTP status, the Flanks
 * error code and trace id; each message ends with what to do next. Messages, `toJSON()` and
 * `util.inspect` output never contain the client secret, access tokens, credentials tokens or link
 * codes.
 */

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * Base class of every error thrown by flanks-sdk. Catch it to handle anything the SDK raises.
 *
 * @example
 * ```ts
 * try {
 *   await flanks.aggregation.portfolios(token);
 * } catch (err) {
 *   if (err instanceof FlanksError) logger.warn(err.message);
 *   else throw err;
 * }
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/aggregation-api
 */
export class FlanksError extends Error {
  /** The class's name (`FlanksApiError` …), set explicitly so minified builds keep it. */
  override readonly name: string = 'FlanksError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }

  /**
   * A plain, secret-free view for structured loggers: `name`, `message`, the error's own fields, `cause`.
   *
   * @example
   * ```ts
   * logger.error({ err: err.toJSON() }, 'Flanks call failed');
   * ```
   */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { name: this.name, message: this.message };
    for (const [key, value] of Object.entries(this)) {
      if (value !== undefined) out[key] = value;
    }
    if (this.cause !== undefined) out.cause = this.cause;
    return out;
  }

  /**
   * What `util.inspect` (and so `console.log`) prints: the stack, then `toJSON()`; nothing secret.
   *
   * @example
   * ```ts
   * console.log(err); // FlanksApiError: … at … { "name": "FlanksApiError", "status": 500, … }
   * ```
   */
  [INSPECT](): string {
    return `${this.stack ?? `${this.name}: ${this.message}`}\n${JSON.stringify(this.toJSON(), null, 2)}`;
  }
}

/**
 * Flanks' error code as found in a body: a string (`"ValidationError"`) or a legacy number (`20002`).
 *
 * @example
 * ```ts
 * if (err instanceof FlanksApiError && err.code === 'ValidationError') showFormErrors(err.body);
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/links-api
 */
export type FlanksErrorCode = string | number;

/**
 * Constructor argument of {@link FlanksApiError}.
 *
 * @example
 * ```ts
 * new FlanksApiError({ status: 500, message: 'Flanks answered 500', body: { error: 'Internal Error' } });
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/authentication
 */
export interface FlanksApiErrorInit {
  status: number;
  message: string;
  code?: FlanksErrorCode | undefined;
  traceId?: string | undefined;
  body?: unknown;
  method?: string | undefined;
  path?: string | undefined;
  retryable?: boolean | undefined;
  cause?: unknown;
}

/**
 * Flanks answered with an error status (or a 2xx body carrying a Flanks error code).
 *
 * @example
 * ```ts
 * catch (err) {
 *   if (err instanceof FlanksApiError) console.error(err.status, err.code, err.traceId);
 * }
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/links-api
 */
export class FlanksApiError extends FlanksError {
  override readonly name: string = 'FlanksApiError';
  /** HTTP status of the response. */
  readonly status: number;
  /** Flanks' error code from `code`, `error_code` or `error.code` in the body, if any. */
  readonly code: FlanksErrorCode | undefined;
  /** Flanks' `trace_id`; quote it to Flanks support. */
  readonly traceId: string | undefined;
  /** Whether the SDK considers the call safe and useful to retry. */
  readonly retryable: boolean;
  /** The response body with every secret replaced by `[REDACTED]`. */
  readonly body: unknown;
  /** HTTP method of the failed request. */
  readonly method: string | undefined;
  /** Path of the failed request (no query, no body). */
  readonly path: string | undefined;

  constructor(init: FlanksApiErrorInit) {
    super(init.message, { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.traceId = init.traceId;
    this.retryable = init.retryable ?? false;
    this.body = init.body;
    this.method = init.method;
    this.path = init.path;
  }
}

/**
 * Flanks rejected the client credentials (403 from `/v0/token`) or an access token (401), even after
 * the SDK fetched a fresh token and replayed the request once.
 *
 * @example
 * ```ts
 * catch (err) {
 *   if (err instanceof FlanksAuthError) alertOps('Check FLANKS_CLIENT_ID / FLANKS_CLIENT_SECRET');
 * }
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/authentication
 */
export class FlanksAuthError extends FlanksApiError {
  override readonly name: string = 'FlanksAuthError';
}

/**
 * Flanks answered 429 and the retries were used up. `retryAfterMs` is the wait Flanks asked for.
 *
 * @example
 * ```ts
 * catch (err) {
 *   if (err instanceof FlanksRateLimitError) await sleep(err.retryAfterMs ?? 60_000);
 * }
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/aggregation-api
 */
export class FlanksRateLimitError extends FlanksApiError {
  override readonly name: string = 'FlanksRateLimitError';
  /** The wait Flanks asked for (`Retry-After`), in ms, when it gave one. */
  readonly retryAfterMs: number | undefined;

  constructor(init: FlanksApiErrorInit & { retryAfterMs?: number | undefined }) {
    super(init);
    this.retryAfterMs = init.retryAfterMs;
  }
}

/**
 * Flanks (or something between you and Flanks) answered with a redirect (3xx). The SDK never follows
 * redirects: a 307/308 would re-send the client secret or a credentials token to whatever address the
 * `Location` names. `location` is that address, with known secrets replaced. Usually `baseUrl` points
 * at an address that redirects (an `http:` URL, a missing path prefix, a proxy): set it to the API's
 * own address.
 *
 * @example
 * ```ts
 * catch (err) {
 *   if (err instanceof FlanksRedirectError) alertOps(`FLANKS_BASE_URL redirects to ${err.location}`);
 * }
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/authentication
 */
export class FlanksRedirectError extends FlanksApiError {
  override readonly name: string = 'FlanksRedirectError';
  /** Where the redirect pointed (`Location`), when the runtime exposes it. */
  readonly location: string | undefined;

  constructor(init: FlanksApiErrorInit & { location?: string | undefined }) {
    super(init);
    this.location = init.location;
  }
}

/**
 * The data type asked for is still being extracted (Flanks code 20002 PROCESSING). Poll the status
 * with `credentials.waitUntilReady(token, { products: [...] })`, then fetch again.
 *
 * @example
 * ```ts
 * catch (err) {
 *   if (err instanceof FlanksDataNotReadyError) await flanks.credentials.waitUntilReady(token);
 * }
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/aggregation-api
 */
export class FlanksDataNotReadyError extends FlanksApiError {
  override readonly name: string = 'FlanksDataNotReadyError';
}

/**
 * Flanks could not extract or trust this data type (Flanks code 20001 INCOMPLETE). Usually
 * temporary; pass `ignoreDataError: true` to get the last stored data instead.
 *
 * @example
 * ```ts
 * const accounts = await flanks.aggregation.accounts(token, { ignoreDataError: true });
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/aggregation-api
 */
export class FlanksDataError extends FlanksApiError {
  override readonly name: string = 'FlanksDataError';
}

/**
 * Flanks refused a link code at the exchange (`completeLink`, `links.exchangeCode`): a link code is
 * single-use, so it was most likely exchanged already (else it is unknown or expired). A reuse
 * usually comes from the callback being loaded twice: a page refresh, a double submit, the browser's
 * Back button, or a retry of the callback request. Redirect away from the callback once
 * `completeLink` succeeds; to recover, look the credential up in your store or `credentials.list()`.
 * See docs/link-outcomes.md.
 *
 * @example
 * ```ts
 * catch (err) {
 *   // Most often a reload of the callback after a success: show what the store holds for the user.
 *   if (err instanceof FlanksLinkCodeError) return res.redirect('/accounts');
 * }
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/links-api
 */
export class FlanksLinkCodeError extends FlanksApiError {
  override readonly name: string = 'FlanksLinkCodeError';
}

/**
 * One way a response differed from its schema, in a {@link ShapeReport}. Array indexes are `[]` and
 * keys that may be data are `<key>`.
 *
 * @example
 * ```ts
 * const issue: ShapeIssue = { path: 'response[].balance', expected: 'number', received: 'string', count: 12 };
 * ```
 * @see https://docs.flanks.io/pages/data-model
 */
export interface ShapeIssue {
  /** Where, e.g. `response[].balance`. */
  path: string;
  /** What the schema wants there, e.g. `number`, `non-empty string`. */
  expected: string;
  /** The JSON type found: `string`, `number`, `boolean`, `null`, `array`, `object` or `missing`. */
  received: string;
  /** How many checked items had this issue. */
  count: number;
}

/**
 * A redacted description of a response that did not match its schema, to attach to a bug report: the
 * endpoint, the SDK version, the issues, and the response's shape (its keys and the JSON types found
 * at each position). It holds no value of the response: no string, number, id, IBAN or name; keys
 * that may be data (record keys, keys that are not field-name-like) are shown as `<key>`. Logged
 * once per issue in `warn` mode, carried by {@link FlanksValidationError} in `strict` mode, and
 * written by `npx flanks-sdk doctor`. See docs/api-notes.md.
 *
 * @example
 * ```ts
 * catch (err) {
 *   if (err instanceof FlanksValidationError && err.report) await fs.writeFile('flanks-report.json', JSON.stringify(err.report, null, 2));
 * }
 * ```
 * @see https://docs.flanks.io/pages/data-model
 */
export interface ShapeReport {
  /** Always `flanks-sdk`. */
  sdk: string;
  /** The SDK version that built the report. */
  sdkVersion: string;
  /** Method and path template, e.g. `POST /v0/bank/credentials/data`. */
  endpoint: string;
  /** The schema the response was checked against, e.g. `Transaction`. */
  schema: string;
  /** The client's validation mode. */
  validation: 'strict' | 'warn' | 'off';
  /** Distinct issues (at most 50). */
  issues: ShapeIssue[];
  /** Position → the JSON types seen there (` | `-separated), e.g. `"response[].amount": "number | string"`. */
  shape: Record<string, string>;
  /** The shape of the envelope the data came in (e.g. `{ success, count, items }`), when there was one. */
  envelope?: Record<string, string> | undefined;
  /** `true` when the shape was cut at 1,000 positions. */
  truncated?: boolean | undefined;
}

/**
 * An argument failed validation before any request was sent, or a response did not match its schema
 * (in `validation: 'strict'` mode, or in any mode when the SDK cannot use it at all). `path` names
 * the first bad field; `report`, for a response, describes its shape without any of its values.
 *
 * @example
 * ```ts
 * catch (err) {
 *   if (err instanceof FlanksValidationError) console.error(err.path, err.message, err.report?.issues);
 * }
 * ```
 * @see https://docs.flanks.io/pages/data-model
 */
export class FlanksValidationError extends FlanksError {
  override readonly name: string = 'FlanksValidationError';
  /** Dotted path of the first bad field (`options.timeoutMs`, `response[3].balance`). */
  readonly path: string | undefined;
  /** For a response: its redacted shape report, to attach to a bug report. */
  readonly report: ShapeReport | undefined;

  constructor(
    message: string,
    options?: { path?: string | undefined; cause?: unknown; report?: ShapeReport | undefined },
  ) {
    super(message, { cause: options?.cause });
    this.path = options?.path;
    this.report = options?.report;
  }
}

/**
 * A credential store's database failed (connection lost, missing table, permission, constraint).
 * `code` is the database's own error code when it gave one (a PostgreSQL SQLSTATE such as `42P01`
 * for a missing table or `40001` for a serialization failure), else the driver's (`ECONNREFUSED`).
 * The message keeps the database's primary message with every value the call sent replaced by
 * `[REDACTED]`; the driver's error is not attached, because its details can quote row values.
 *
 * @example
 * ```ts
 * catch (err) {
 *   if (err instanceof FlanksStoreError && err.code === '42P01') await store.migrate();
 * }
 * ```
 * @see https://docs.flanks.io/pages/concepts/credentials
 */
export class FlanksStoreError extends FlanksError {
  override readonly name: string = 'FlanksStoreError';
  /** The database's or driver's error code, when it gave one. */
  readonly code: string | undefined;
  /** The store call that failed: `save`, `get`, `listByUser`, `delete`, `list` or `migrate`. */
  readonly operation: string;

  constructor(message: string, options: { code?: string | undefined; operation: string }) {
    super(message);
    this.code = options.code;
    this.operation = options.operation;
  }
}

/**
 * A request, or `waitUntilReady`, ran past its time limit.
 *
 * @example
 * ```ts
 * catch (err) {
 *   if (err instanceof FlanksTimeoutError) scheduleRetryLater(err.timeoutMs);
 * }
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/credentials-api
 */
export class FlanksTimeoutError extends FlanksError {
  override readonly name: string = 'FlanksTimeoutError';
  /** The time limit that ran out, in ms. */
  readonly timeoutMs: number;

  constructor(message: string, options: { timeoutMs: number; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.timeoutMs = options.timeoutMs;
  }
}

/**
 * The request never got a complete HTTP response: DNS, refused or reset connection, TLS, or a body
 * cut off in transit. `reachedServer` is `false` only when the request provably never left (a
 * refused connection, an unknown host).
 *
 * @example
 * ```ts
 * catch (err) {
 *   if (err instanceof FlanksConnectionError && !err.reachedServer) retrySafely();
 * }
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/authentication
 */
export class FlanksConnectionError extends FlanksError {
  override readonly name: string = 'FlanksConnectionError';
  /** `false` only when the request provably never left (a refused connection, an unknown host). */
  readonly reachedServer: boolean;

  constructor(message: string, options: { reachedServer: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.reachedServer = options.reachedServer;
  }
}

/**
 * An answer was larger than `maxResponseBytes` (default 64 MiB): the SDK stopped reading it, so a
 * misbehaving server or proxy cannot exhaust this process's memory. `declaredBytes` is the size the
 * answer announced (`Content-Length`) when that alone was over the cap; otherwise the body was counted
 * while it streamed. Not retried. If such a large answer is expected (a very long transaction
 * history), raise `maxResponseBytes` for that call or ask for less (a date range, fewer products).
 *
 * @example
 * ```ts
 * catch (err) {
 *   if (err instanceof FlanksResponseTooLargeError) {
 *     return flanks.aggregation.accountTransactions(token, { maxResponseBytes: 256 * 1024 * 1024 });
 *   }
 * }
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/aggregation-api
 */
export class FlanksResponseTooLargeError extends FlanksError {
  override readonly name: string = 'FlanksResponseTooLargeError';
  /** The cap that was exceeded, in bytes. */
  readonly limitBytes: number;
  /** The size the answer announced, when its `Content-Length` alone was over the cap. */
  readonly declaredBytes: number | undefined;
  /** HTTP status of the answer. */
  readonly status: number;
  /** HTTP method of the request. */
  readonly method: string;
  /** Path of the request (no query). */
  readonly path: string;

  constructor(
    message: string,
    options: {
      limitBytes: number;
      declaredBytes?: number | undefined;
      status: number;
      method: string;
      path: string;
    },
  ) {
    super(message);
    this.limitBytes = options.limitBytes;
    this.declaredBytes = options.declaredBytes;
    this.status = options.status;
    this.method = options.method;
    this.path = options.path;
  }
}

/**
 * The caller's `AbortSignal` fired. Its `name` is `FlanksAbortError`, so `err.name.includes('Abort')`
 * checks written for `DOMException` aborts keep working.
 *
 * @example
 * ```ts
 * const ctl = new AbortController();
 * setTimeout(() => ctl.abort(), 1000);
 * await flanks.credentials.waitUntilReady(token, { signal: ctl.signal }).catch((err) => {
 *   if (err instanceof FlanksAbortError) return; // the user navigated away
 *   throw err;
 * });
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/credentials-api
 */
export class FlanksAbortError extends FlanksError {
  override readonly name: string = 'FlanksAbortError';
}

/**
 * What re-authenticates an existing credential: its `reset_token` (the user re-enters their bank
 * password) or its `sca_token` (the user passes the bank's strong customer authentication again),
 * as the credential's status or `credentials.force` hands them out. Secret. Pass it to
 * `links.buildUrl({ reauth })` or `connect.createSession({ reauth })`; how Flanks takes it is an
 * assumption of the SDK, see docs/reauthentication.md.
 *
 * @example
 * ```ts
 * const reauth: ReauthToken | undefined = await flanks.credentials.reauthToken(record.credentialsToken);
 * if (reauth) res.redirect(flanks.links.buildUrl({ token: LINK_TOKEN, userId, reauth, rollback: true }));
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/credentials-api
 */
export type ReauthToken =
  | { resetToken: string; scaToken?: undefined }
  | { scaToken: string; resetToken?: undefined };

/**
 * The credential needs its user back before fresh data can be fetched: the base of
 * {@link FlanksCredentialsBlockedError} and {@link FlanksScaRequiredError}. `status` is the last
 * status read, with its tokens redacted; `reauth` is the token that sends the user back through the
 * Link or a Connect session to re-authenticate this same credential (a plain Link would connect a
 * new one, which Flanks refuses for the same bank login). See docs/reauthentication.md.
 *
 * @example
 * ```ts
 * catch (err) {
 *   if (err instanceof FlanksUserActionRequiredError) await emailUser(userId, 'Please reconnect your bank');
 * }
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/credentials-api
 */
export class FlanksUserActionRequiredError extends FlanksError {
  override readonly name: string = 'FlanksUserActionRequiredError';
  /** The last credential status read, with its tokens redacted. */
  readonly status: unknown;
  // A secret: private, so `toJSON()`, `util.inspect` and structured loggers (own enumerable
  // properties) never see it.
  readonly #reauth: ReauthToken | undefined;

  constructor(message: string, options: { status: unknown; reauth?: ReauthToken | undefined }) {
    super(message);
    this.status = options.status;
    this.#reauth = options.reauth === undefined ? undefined : { ...options.reauth };
  }

  /**
   * The token to re-authenticate this credential with (secret; never in the message, `toJSON()` or
   * `util.inspect`): pass it as `reauth` to `links.buildUrl` or `connect.createSession`.
   * `undefined` when the status held none (e.g. blocked without a `reset_token`): then
   * `credentials.reauthToken(credentialsToken)` gets one.
   */
  get reauth(): ReauthToken | undefined {
    return this.#reauth === undefined ? undefined : { ...this.#reauth };
  }
}

/**
 * The credential can no longer log in to the bank (`blocked`, or a `reset_token` was issued): the
 * user must re-enter their bank credentials. Send them back through the Link with
 * `links.buildUrl({ token, userId, reauth: err.reauth })` (or a Connect session with
 * `connect.createSession({ configuration, reauth: err.reauth })`): that updates this credential
 * instead of connecting a new one. See docs/reauthentication.md.
 *
 * @example
 * ```ts
 * catch (err) {
 *   if (err instanceof FlanksCredentialsBlockedError && err.reauth) {
 *     return res.redirect(flanks.links.buildUrl({ token: LINK_TOKEN, userId, reauth: err.reauth, rollback: true }));
 *   }
 * }
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/credentials-api
 */
export class FlanksCredentialsBlockedError extends FlanksUserActionRequiredError {
  override readonly name: string = 'FlanksCredentialsBlockedError';
}

/**
 * The bank asks for strong customer authentication again (`sca_token` is set): the user must pass
 * the bank's check before fresh data can be fetched. Send them back through the Link with
 * `links.buildUrl({ token, userId, reauth: err.reauth })` (or a Connect session with
 * `connect.createSession({ configuration, reauth: err.reauth })`): that re-authenticates this
 * credential instead of connecting a new one. See docs/reauthentication.md.
 *
 * @example
 * ```ts
 * catch (err) {
 *   if (err instanceof FlanksScaRequiredError && err.reauth) await saveForLater(userId, err.reauth);
 * }
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/credentials-api
 */
export class FlanksScaRequiredError extends FlanksUserActionRequiredError {
  override readonly name: string = 'FlanksScaRequiredError';
}

/**
 * The link code was exchanged, but Flanks answered 202: it is still running security checks and the
 * credentials token will only be available later (Flanks documents up to ~72 h). Nothing was saved.
 * Tell the user their bank data will appear later; the credential then shows up in
 * `flanks.credentials.list()` with the `external_id` the Link URL carried, a value the user could
 * edit: confirm it with the user before filing the credential (docs/credential-stores.md).
 *
 * @example
 * ```ts
 * catch (err) {
 *   if (err instanceof FlanksLinkDelayedError) return res.render('bank-connected-pending');
 * }
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/links-api
 */
export class FlanksLinkDelayedError extends FlanksError {
  override readonly name: string = 'FlanksLinkDelayedError';
  /** Flanks' 202 answer (undocumented, may be empty), with secrets redacted. */
  readonly body: unknown;

  constructor(message: string, options: { body: unknown }) {
    super(message);
    this.body = options.body;
  }
}

/**
 * A Connect v2 session (beta) ended without a connection (`Finished:Error`, or another finished
 * status than `Finished:OK`). `errorCode` is Flanks' session error code (`InvalidCredentials`,
 * `InvalidChallengeResponse`, `UnsupportedChallengeMethod`, `UserInteractionNeeded`,
 * `InternalError`, or a code the SDK does not know yet). A session cannot be reused: create a new one
 * and send the user back to its URL.
 *
 * @example
 * ```ts
 * try {
 *   await flanks.connect.completeSession({ sessionId, userId, expectedSessionId });
 * } catch (err) {
 *   if (err instanceof FlanksSessionError && err.errorCode === 'InvalidCredentials') return offerRetry();
 *   throw err;
 * }
 * ```
 * @see https://docs.flanks.io/pages/concepts/connect-sessions
 */
export class FlanksSessionError extends FlanksError {
  override readonly name: string = 'FlanksSessionError';
  /** The session that ended in error (not a secret: it travels in the redirect URL). */
  readonly sessionId: string;
  /** Flanks' `error_code` of the session, when it gave one. */
  readonly errorCode: string | undefined;
  /** The session's last `status`, e.g. `Finished:Error`. */
  readonly sessionStatus: string;

  constructor(
    message: string,
    options: { sessionId: string; errorCode?: string | undefined; sessionStatus: string },
  ) {
    super(message);
    this.sessionId = options.sessionId;
    this.errorCode = options.errorCode;
    this.sessionStatus = options.sessionStatus;
  }
}

/**
 * A report (Report API v1, beta) ended in status `fail` while `reports.waitUntilReady` waited for
 * it. Build it again, or ask Flanks support about `reportId`.
 *
 * @example
 * ```ts
 * catch (err) {
 *   if (err instanceof FlanksReportError) logger.warn(`report ${err.reportId} failed`);
 * }
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/report-api/
 */
export class FlanksReportError extends FlanksError {
  override readonly name: string = 'FlanksReportError';
  /** The id of the report that failed. */
  readonly reportId: number | string;
  /** The report's last `status` (`fail`). */
  readonly reportStatus: string;

  constructor(message: string, options: { reportId: number | string; reportStatus: string }) {
    super(message);
    this.reportId = options.reportId;
    this.reportStatus = options.reportStatus;
  }
}

/**
 * `completeLink` refused a link code, or `connect.completeSession` a session, that does not carry the
 * proof that the user completing it started it: the signed `state` of a Link URL (on by default; see
 * `links.buildUrl`) or the session binding is missing, malformed, not signed by this application,
 * expired, or issued to another user. That is what a login CSRF / code injection or a replayed
 * redirect looks like (or a Link left open longer than its state allows). Nothing was stored.
 *
 * A link code is exchanged before its state can be read, so the credential it created at Flanks
 * would be left attached to nobody: `completeLink` deletes it (one attempt) and says so in
 * `credentialDeleted`; when that is `false` the message says what is left to clean up.
 *
 * @example
 * ```ts
 * catch (err) {
 *   if (err instanceof FlanksLinkStateError) return res.redirect('/connect?retry=1');
 * }
 * ```
 * @see https://docs.flanks.io/pages/flanks-link
 */
export class FlanksLinkStateError extends FlanksError {
  override readonly name: string = 'FlanksLinkStateError';
  /** `missing`, `malformed`, `expired`, or `invalid` (not signed by this application, or issued to another user). */
  readonly reason: 'missing' | 'malformed' | 'expired' | 'invalid';
  /**
   * For a refused link code: whether the credential its exchange created at Flanks was deleted.
   * `undefined` when nothing was exchanged (a refused Connect session).
   */
  readonly credentialDeleted: boolean | undefined;

  constructor(
    message: string,
    options: {
      reason: FlanksLinkStateError['reason'];
      credentialDeleted?: boolean | undefined;
      cause?: unknown;
    },
  ) {
    super(message, { cause: options.cause });
    this.reason = options.reason;
    this.credentialDeleted = options.credentialDeleted;
  }
}

/**
 * `completeLink` or `connect.completeSession` got a connection that your store already holds for
 * another user. Nothing was saved and the stored record was not changed: a connection must never
 * move from one user to another because a redirect reached your app under someone else's session
 * (a replayed `session_id` or code). Do not retry for this user; if one person really uses two
 * accounts of your app, move the record yourself once you have confirmed it.
 *
 * @example
 * ```ts
 * catch (err) {
 *   if (err instanceof FlanksCredentialConflictError) return res.status(409).render('already-connected');
 * }
 * ```
 * @see https://docs.flanks.io/pages/concepts/credentials
 */
export class FlanksCredentialConflictError extends FlanksError {
  override readonly name: string = 'FlanksCredentialConflictError';
}
