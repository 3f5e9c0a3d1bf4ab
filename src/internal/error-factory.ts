import {
  FlanksApiError,
  type FlanksApiErrorInit,
  FlanksAuthError,
  FlanksDataError,
  FlanksDataNotReadyError,
  type FlanksErrorCode,
  FlanksLinkCodeError,
  FlanksRateLimitError,
  FlanksRedirectError,
} from '../core/errors';
import { isRecord } from './args';
import { redactString, redactValue } from './redact';
import { isRetryableStatus, parseRetryAfter } from './retry-policy';

/*
 * The one place that turns a Flanks error response into an error object. Flanks has several error
 * envelopes (shared/flanks-api.md §6): `{"error": "text"}`, `{"error": {"code": …, "details": …},
 * "trace_id": …}`, legacy numeric codes (20001, 20002, 40001 …) whose field name is undocumented, so
 * the code is looked up in `code`, `error_code` and `error.code`, and numeric strings are read as
 * numbers. The subclass follows the Flanks code first (a 20002 is "not ready" whatever the status),
 * then the HTTP status.
 *
 * The code exchange (`POST /v0/platform/link`) is the one endpoint whose client errors have a known
 * cause: Flanks does not document its answer to a used, unknown or expired link code (the sandbox
 * answers 400 "Invalid code"), and the SDK always sends a code of the right type, so any 4xx other
 * than auth (401/403), timeout (408) and rate limit (429) means the code was refused. It becomes
 * `FlanksLinkCodeError`, with a hint on why codes get reused.
 */

const DATA_NOT_READY = 20002;
const DATA_ERROR = 20001;
const EXCHANGE_PATH = '/v0/platform/link';
const NOT_A_REFUSED_CODE = new Set([401, 403, 408, 429]);

export interface ErrorContext {
  status: number;
  headers: Headers;
  body: unknown;
  method: string;
  path: string;
  secrets: readonly string[];
  /** The answer was a redirect, which the transport does not follow. */
  redirected?: boolean;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return isRecord(value) ? value : undefined;
}

function normaliseCode(value: unknown): FlanksErrorCode | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value !== 'string' || value === '') return undefined;
  return /^\d+$/.test(value) ? Number(value) : value;
}

export function findFlanksCode(body: unknown): FlanksErrorCode | undefined {
  const record = asRecord(body);
  if (!record) return undefined;
  return (
    normaliseCode(record.code) ??
    normaliseCode(record.error_code) ??
    normaliseCode(asRecord(record.error)?.code)
  );
}

/** Flanks' trace id of an answer: `trace_id` in the body, else the `x-trace-id` or `x-request-id` header. */
export function findTraceId(body: unknown, headers: Headers): string | undefined {
  const fromBody = asRecord(body)?.trace_id;
  if (typeof fromBody === 'string') return fromBody;
  return headers.get('x-trace-id') ?? headers.get('x-request-id') ?? undefined;
}

function findText(body: unknown, secrets: readonly string[]): string | undefined {
  // Redact before truncating, so a secret cut in half by the limit cannot leak its first characters.
  if (typeof body === 'string') return redactString(body.trim(), secrets).slice(0, 200) || undefined;
  const record = asRecord(body);
  if (!record) return undefined;
  if (typeof record.error === 'string') return record.error;
  if (typeof record.message === 'string') return record.message;
  const details = asRecord(record.error)?.details;
  if (Array.isArray(details) && details.length > 0) {
    return details
      .map((d) => {
        const r = asRecord(d);
        return r ? `${String(r.field ?? '?')}: ${String(r.error_type ?? 'invalid')}` : String(d);
      })
      .join('; ');
  }
  return undefined;
}

function isRefusedLinkCode(ctx: ErrorContext): boolean {
  return (
    ctx.method === 'POST' &&
    ctx.path === EXCHANGE_PATH &&
    ctx.status >= 400 &&
    ctx.status < 500 &&
    !NOT_A_REFUSED_CODE.has(ctx.status)
  );
}

const REFUSED_LINK_CODE_HINT =
  "Link codes are single-use: this one was most likely exchanged already (else it is unknown or expired), usually because the callback ran twice: a page refresh, a double submit, the browser's Back button, or a retried callback request. " +
  'Redirect away from the callback once completeLink succeeds. To recover, look for the credential in your store (store.listByUser(userId)) or in credentials.list() (by external_id); if it is not there, send the user through the Link again. See docs/link-outcomes.md.';

function hintFor(status: number, code: FlanksErrorCode | undefined, path: string): string {
  if (code === DATA_NOT_READY) {
    return 'Flanks is still extracting this data: wait with credentials.waitUntilReady(token, { products: [...] }) and fetch again.';
  }
  if (code === DATA_ERROR) {
    return 'Flanks could not extract this data from the bank (usually temporary): try again later, or pass ignoreDataError: true to get the last stored data.';
  }
  if (status === 403 && path.endsWith('/v0/token')) {
    return 'Check clientId and clientSecret (FLANKS_CLIENT_ID / FLANKS_CLIENT_SECRET) against your application in https://platform.flanks.io.';
  }
  if (status === 401 || status === 403) {
    return 'The access token was refused even after a fresh one was fetched: check that your Flanks application is active and allowed to use this API.';
  }
  if (status === 429) return 'Flanks is rate limiting this client: slow down or lower concurrency.';
  if (status >= 500)
    return 'Flanks had a server error: try again later; quote the trace id to Flanks support if it persists.';
  if (status === 404) return 'The resource or endpoint does not exist: check the token or id you passed.';
  return 'Check the arguments of this call against the Flanks docs; the request was not retried.';
}

/*
 * A redirect (a 3xx, or the opaque redirect a browser-like fetch returns for `redirect: 'manual'`,
 * whose status is 0) is never followed: see transport.ts. It is its own error, never retried.
 */
function redirectError(ctx: ErrorContext): FlanksRedirectError {
  const raw = ctx.headers.get('location');
  const location = raw === null ? undefined : redactString(raw, ctx.secrets);
  return new FlanksRedirectError({
    status: ctx.status,
    message: `Flanks ${ctx.method} ${ctx.path} answered with a redirect (HTTP ${ctx.status}${location ? ` to ${location}` : ''}), which the SDK never follows, so no secret was sent there. Check options.baseUrl: it must be the API's own https address.`,
    method: ctx.method,
    path: ctx.path,
    location,
  });
}

export function errorFromResponse(ctx: ErrorContext): FlanksApiError {
  if (ctx.redirected) return redirectError(ctx);
  const found = findFlanksCode(ctx.body);
  // An endpoint that echoes its request would hand back the link code under `code`: a value holding
  // a secret is not a Flanks error code.
  const code =
    found !== undefined && redactString(String(found), ctx.secrets) !== String(found) ? undefined : found;
  const rawTraceId = findTraceId(ctx.body, ctx.headers);
  const traceId = rawTraceId === undefined ? undefined : redactString(rawTraceId, ctx.secrets);
  const text = findText(ctx.body, ctx.secrets);
  const summary = [
    `Flanks ${ctx.method} ${ctx.path} failed with HTTP ${ctx.status}`,
    code !== undefined ? ` (code ${code})` : '',
    text ? `: ${redactString(text, ctx.secrets)}` : '',
    '.',
    traceId ? ` Trace id: ${traceId}.` : '',
  ].join('');
  const refusedCode = isRefusedLinkCode(ctx);
  const init: FlanksApiErrorInit = {
    status: ctx.status,
    message: `${summary} ${refusedCode ? REFUSED_LINK_CODE_HINT : hintFor(ctx.status, code, ctx.path)}`,
    code,
    traceId,
    body: redactValue(ctx.body, ctx.secrets),
    method: ctx.method,
    path: ctx.path,
    retryable: isRetryableStatus(ctx.status) && code !== DATA_NOT_READY && code !== DATA_ERROR,
  };
  if (code === DATA_NOT_READY) return new FlanksDataNotReadyError(init);
  if (code === DATA_ERROR) return new FlanksDataError(init);
  if (refusedCode) return new FlanksLinkCodeError(init);
  if (ctx.status === 401 || ctx.status === 403) return new FlanksAuthError(init);
  if (ctx.status === 429) {
    return new FlanksRateLimitError({
      ...init,
      retryAfterMs: parseRetryAfter(ctx.headers.get('retry-after')),
    });
  }
  return new FlanksApiError(init);
}
