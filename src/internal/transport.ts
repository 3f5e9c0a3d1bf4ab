import type { KyInstance } from 'ky';
import {
  FlanksAbortError,
  FlanksApiError,
  FlanksConnectionError,
  FlanksError,
  FlanksResponseTooLargeError,
  FlanksTimeoutError,
} from '../core/errors';
import type { FlanksCallEvent, FlanksEvents, FlanksHttpMethod, FlanksRetryReason } from '../core/events';
import { defaultLogger, type Logger } from '../core/logger';
import type { RequestOptions } from '../core/request-options';
import { VERSION } from '../version';
import { errorFromResponse, findFlanksCode, findTraceId } from './error-factory';
import type { Emitter } from './events';
import { Limiter } from './limiter';
import { redactCause, redactString, redactValue } from './redact';
import { retryDelayMs, retryReason, shouldRetry } from './retry-policy';
import { abortableSleep, raceSignal } from './sleep';
import { type ResponseShape, UnusableResponse, type Validator } from './validate';

/*
 * The one request path. A call goes: argument checks (in the resource) → p-retry loop (retry
 * policy in retry-policy.ts) → one attempt: bearer token → ky → fetch, under a per-attempt timeout
 * and the caller's signal → a 401 drops the token and replays the attempt once → status and JSON
 * handling → schema check. Each attempt holds one of `maxConcurrency` slots while on the wire.
 *
 * ky is used as a plain fetch wrapper (no retries, no timeout, no throwing) so that p-retry alone owns
 * retries and one timer owns the timeout. It builds the URL (prefix, search params) and the headers;
 * the JSON body and the attempt's signal go to fetch directly, through ky's `fetch` option. Given to
 * ky, the body would ride in the Request ky builds, which ky clones for retries it will never make
 * (a stream tee) and fetch then re-wraps (a stream pipe), and the signal would be merged with ky's own
 * through `AbortSignal.any`: about 200 µs of CPU per call on loopback, 40 % of a bare fetch
 * (docs/benchmarks.md).
 *
 * Each call keeps an `Exchange`: its attempts and the answer its data came from, for
 * `.withResponse()` and the events (request, response and retry per attempt, end per call; see
 * events.ts). An event's payload is built only when it has a listener.
 */

export type HttpMethod = FlanksHttpMethod;

/** Supplies bearer tokens; implemented by the token manager. */
export interface AuthProvider {
  token(options: { signal?: AbortSignal | undefined }): Promise<string>;
  /** Called with the token a 401 rejected; returns the secrets to redact. */
  invalidate(token: string): void;
  secrets(): string[];
}

export interface TransportConfig {
  baseUrl: string;
  fetch?: typeof fetch | undefined;
  timeoutMs: number;
  maxRetries: number;
  maxConcurrency: number;
  maxResponseBytes: number;
  logger: Logger;
  validator: Validator;
  staticSecrets: string[];
  events: Emitter;
}

export interface RequestSpec<T> {
  method: HttpMethod;
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  /** Safe to repeat after it may have reached Flanks (see retry-policy.ts). */
  idempotent: boolean;
  /** Send a bearer token (every endpoint but `/v0/token`). */
  auth?: boolean;
  /** Secret values of this call (credentials token, link code) to keep out of errors. */
  secrets?: Array<string | undefined>;
  response: ResponseShape<T>;
  /** Another shape for some 2xx statuses (e.g. a 202 that holds something else); the caller reads `status`. */
  responseByStatus?: Record<number, ResponseShape<unknown>>;
  /** Turns the parsed body into what `response` describes (e.g. unwrap `{ data }`). */
  unwrap?: (body: unknown, status: number) => unknown;
  options?: RequestOptions | undefined;
}

export interface ApiResponse<T> {
  status: number;
  data: T;
  exchange: Exchange;
}

let lastCallId = 0;

/** One call's attempts, and the answer of its latest attempt (reset when an attempt starts). */
export class Exchange {
  readonly spec: RequestSpec<unknown>;
  readonly started = performance.now();
  attempts = 0;
  attemptStarted = 0;
  status: number | undefined;
  headers: Headers | undefined;
  body: unknown;
  #id = 0;

  constructor(spec: RequestSpec<unknown>) {
    this.spec = spec;
  }

  /** Assigned when first asked for, so a call nobody listens to costs no id. */
  get id(): number {
    if (this.#id === 0) this.#id = ++lastCallId;
    return this.#id;
  }

  /** The exchange holds the call's spec (its secrets): nothing of it is shown. */
  toJSON(): Record<string, unknown> {
    return { attempts: this.attempts, status: this.status };
  }
}

/** The public part of an exchange: what `.withResponse()` shows besides durations and counts. */
export interface ExchangeView {
  status: number;
  headers: Readonly<Record<string, string>>;
  traceId: string | undefined;
  attempts: number;
}

/** Response headers that carry credentials: never shown by `.withResponse()`. */
const HIDDEN_HEADERS = new Set(['set-cookie', 'set-cookie2', 'authorization', 'proxy-authorization']);

interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  redirected: boolean;
}

const TIMEOUT = Symbol('timeout');
const ABORTED = Symbol('aborted');
const NEVER_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ERR_INVALID_URL']);

/*
 * Redirects are never followed. A 307/308 keeps the method and body, so following one would re-send
 * the client secret (token request) or a credentials token (every API call) to whatever origin the
 * `Location` names. Fetch is asked for `redirect: 'manual'` rather than `'error'`: the redirect then
 * arrives as a response (a 3xx on server runtimes, an opaque redirect with status 0 in browsers)
 * that is recognised the same way everywhere, where `'error'` yields a network error whose wording
 * differs by runtime. A custom fetch that follows anyway (`redirected`) has already sent the request
 * elsewhere; its answer is refused all the same.
 */
function isRedirect(response: Response): boolean {
  return (
    response.type === 'opaqueredirect' ||
    (response.status >= 300 && response.status < 400) ||
    response.redirected
  );
}

/*
 * Response size cap (`maxResponseBytes`). An answer announcing more than the cap (`Content-Length`,
 * when the body is not compressed: a compressed length says nothing of the decoded size) is refused
 * before its body is read; any other is counted chunk by chunk as it streams and dropped the moment
 * it passes the cap, so neither a lying header nor an endless chunked body can fill memory.
 */
const utf8 = new TextDecoder();

async function readCapped(
  response: Response,
  limit: number,
  tooLarge: (declaredBytes?: number) => Error,
): Promise<string> {
  const encoding = response.headers.get('content-encoding');
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  const body = response.body;
  if ((encoding === null || encoding === 'identity') && declared > limit) {
    body?.cancel().catch(() => undefined);
    throw tooLarge(declared);
  }
  if (body === null) return '';
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return utf8.decode(chunks[0]);
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return utf8.decode(all);
}

function causeCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/*
 * ky and p-retry are loaded on the first request, not at import: ky's module probes the fetch
 * globals (Request, ReadableStream), which makes Node load its fetch implementation, about 25 ms that
 * an `import 'flanks-sdk'` should not pay. The first request needs fetch anyway.
 */
interface Runtime {
  ky: typeof import('ky').default;
  pRetry: typeof import('p-retry').default;
}
let runtime: Promise<Runtime> | undefined;
function loadRuntime() {
  runtime ??= Promise.all([import('ky'), import('p-retry')]).then(([k, p]) => ({
    ky: k.default,
    pRetry: p.default,
  }));
  return runtime;
}

export class Transport {
  /** Set on the first request (see loadRuntime); later requests read it without awaiting. */
  #runtime: { http: KyInstance; pRetry: Runtime['pRetry'] } | undefined;
  readonly #config: TransportConfig;
  readonly #limiter: Limiter;
  readonly #events: Emitter;
  #auth: AuthProvider | undefined;
  /** The default logger drops debug lines: the request line is then not even formatted. */
  readonly #logsDebug: boolean;
  /** Set on a view made by `observed`: told of every exchange that succeeds. */
  readonly #observe: ((exchange: Exchange) => void) | undefined;

  constructor(config: TransportConfig, parent?: Transport, observe?: (exchange: Exchange) => void) {
    this.#config = config;
    this.#events = config.events;
    this.#limiter = parent ? parent.#limiter : new Limiter(config.maxConcurrency);
    this.#logsDebug = config.logger.debug !== defaultLogger.debug;
    this.#auth = parent ? parent.#auth : undefined;
    this.#runtime = parent ? parent.#runtime : undefined;
    this.#observe = observe;
  }

  /**
   * The same transport (one concurrency cap, one token), whose successful requests are also reported
   * to `observe`: how an API method built on a paginator learns the answers of its pages.
   */
  observed(observe: (exchange: Exchange) => void): Transport {
    return new Transport(this.#config, this, observe);
  }

  async #loadRuntime(): Promise<{ http: KyInstance; pRetry: Runtime['pRetry'] }> {
    const { ky, pRetry } = await loadRuntime();
    this.#runtime ??= {
      http: ky.create({
        prefixUrl: this.#config.baseUrl,
        retry: 0,
        timeout: false,
        throwHttpErrors: false,
        headers: { accept: 'application/json', 'user-agent': `flanks-sdk/${VERSION}` },
      }),
      pRetry,
    };
    return this.#runtime;
  }

  /** Keeps the client secret and tokens out of `util.inspect` output. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Transport { baseUrl: '${this.#config.baseUrl}' }`;
  }

  /** Keeps the client secret and tokens out of `JSON.stringify` output. */
  toJSON(): Record<string, unknown> {
    return { baseUrl: this.#config.baseUrl };
  }

  setAuth(auth: AuthProvider): void {
    this.#auth = auth;
  }

  get validator(): Validator {
    return this.#config.validator;
  }

  async request<T>(spec: RequestSpec<T>): Promise<ApiResponse<T>> {
    const exchange = new Exchange(spec);
    try {
      const options = spec.options ?? {};
      const maxRetries = options.maxRetries ?? this.#config.maxRetries;
      const signal = options.signal;
      if (signal?.aborted) throw new FlanksAbortError(`Flanks ${spec.method} ${spec.path} was aborted.`);
      const { http, pRetry } = this.#runtime ?? (await this.#loadRuntime());
      const response = await pRetry(() => this.#attempt(spec, exchange, http), {
        retries: maxRetries,
        // p-retry's own wait is disabled: the policy computes the wait (Retry-After aware) below.
        minTimeout: 0,
        maxTimeout: 0,
        shouldRetry: async ({ error, attemptNumber }) => {
          if (!shouldRetry(error, spec.idempotent)) return false;
          const delay = retryDelayMs(attemptNumber, error);
          this.#config.logger.info(
            `[flanks-sdk] retrying ${spec.method} ${spec.path} in ${delay} ms (attempt ${attemptNumber + 1} of ${maxRetries + 1}) after ${error.name}`,
          );
          if (this.#events.has('retry')) this.#emitRetry(exchange, retryReason(error), delay);
          await abortableSleep(
            delay,
            signal,
            () => new FlanksAbortError(`Flanks ${spec.method} ${spec.path} was aborted.`),
          );
          return true;
        },
      });
      if (this.#events.has('end')) this.#emitEnd(exchange, undefined);
      this.#observe?.(exchange);
      return response;
    } catch (error) {
      if (this.#events.has('end')) this.#emitEnd(exchange, error);
      throw error;
    }
  }

  /** The public part of an exchange, scrubbed of every secret this client knows. */
  describe(exchange: Exchange): ExchangeView {
    const secrets = this.#secrets(exchange.spec);
    const headers: Record<string, string> = {};
    exchange.headers?.forEach((value, name) => {
      if (!HIDDEN_HEADERS.has(name)) headers[redactString(name, secrets)] = redactString(value, secrets);
    });
    return {
      status: exchange.status ?? 0,
      headers: Object.freeze(headers),
      traceId: this.#traceId(exchange, secrets),
      attempts: exchange.attempts,
    };
  }

  #traceId(exchange: Exchange, secrets: string[] = this.#secrets(exchange.spec)): string | undefined {
    if (!exchange.headers) return undefined;
    const raw = findTraceId(exchange.body, exchange.headers);
    return raw === undefined ? undefined : redactString(raw, secrets);
  }

  /** Emits a call event: the call's id and endpoint, plus `fields`. Callers check `has` first. */
  #emit<E extends 'request' | 'response' | 'retry' | 'end'>(
    name: E,
    exchange: Exchange,
    fields: Omit<FlanksEvents[E], keyof FlanksCallEvent>,
  ): void {
    const { method, path } = exchange.spec;
    this.#events.emit(name, { callId: exchange.id, method, path, ...fields } as FlanksEvents[E]);
  }

  #emitResponse(exchange: Exchange, error: unknown): void {
    this.#emit('response', exchange, {
      attempt: exchange.attempts,
      status: exchange.status,
      durationMs: performance.now() - exchange.attemptStarted,
      traceId: this.#traceId(exchange),
      error: error as Error | undefined,
    });
  }

  #emitRetry(exchange: Exchange, reason: FlanksRetryReason, delayMs: number): void {
    this.#emit('retry', exchange, { attempt: exchange.attempts, delayMs, reason, status: exchange.status });
  }

  #emitEnd(exchange: Exchange, error: unknown): void {
    this.#emit('end', exchange, {
      attempts: exchange.attempts,
      durationMs: performance.now() - exchange.started,
      status: exchange.status,
      traceId: this.#traceId(exchange),
      error: error as Error | undefined,
    });
  }

  #secrets(spec: { secrets?: Array<string | undefined> | undefined }): string[] {
    const own = (spec.secrets ?? []).filter((s): s is string => typeof s === 'string');
    return [...this.#config.staticSecrets, ...(this.#auth?.secrets() ?? []), ...own];
  }

  /** A copy of `value` without any secret this client knows, nor `extra` ones: for error payloads. */
  redact(value: unknown, extra: Array<string | undefined> = []): unknown {
    return redactValue(value, this.#secrets({ secrets: extra }));
  }

  /*
   * The bearer token is read only once the request holds its concurrency slot, and the 401 replay
   * happens inside that same slot: a token read before queueing could be dead by the time the
   * request leaves, so one expiry would make every queued request fail once, and a second token loss
   * before the queue drained would fail them for good. The token request itself (auth: false)
   * bypasses the cap, so a request holding a slot can always get a token.
   */
  async #attempt<T>(spec: RequestSpec<T>, exchange: Exchange, http: KyInstance): Promise<ApiResponse<T>> {
    const roundTrip = async (): Promise<RawResponse> => {
      if (spec.auth === false) return this.#send(http, spec, undefined, exchange);
      const auth = this.#requireAuth();
      for (let replayed = false; ; replayed = true) {
        const token = await auth.token({ signal: spec.options?.signal });
        const raw = await this.#send(http, spec, token, exchange);
        if (raw.status !== 401 || replayed) return raw;
        auth.invalidate(token);
        if (this.#events.has('response')) this.#emitResponse(exchange, undefined);
        if (this.#events.has('retry')) this.#emitRetry(exchange, 'unauthorized', 0);
        this.#config.logger.debug(
          `[flanks-sdk] 401 on ${spec.method} ${spec.path}; replaying with a fresh token`,
        );
      }
    };
    const raw =
      spec.auth === false
        ? await roundTrip()
        : await this.#limiter.run(
            roundTrip,
            spec.options?.signal,
            () => new FlanksAbortError(`Flanks ${spec.method} ${spec.path} was aborted while queued.`),
          );
    let result: ApiResponse<T>;
    try {
      result = this.#handle(spec, raw, exchange);
    } catch (error) {
      if (this.#events.has('response')) this.#emitResponse(exchange, error);
      throw error;
    }
    if (this.#events.has('response')) this.#emitResponse(exchange, undefined);
    return result;
  }

  #requireAuth(): AuthProvider {
    if (!this.#auth) throw new FlanksError('flanks-sdk internal error: no token manager configured.');
    return this.#auth;
  }

  async #send(
    http: KyInstance,
    spec: RequestSpec<unknown>,
    token: string | undefined,
    exchange: Exchange,
  ): Promise<RawResponse> {
    exchange.attempts++;
    exchange.attemptStarted = performance.now();
    exchange.status = undefined;
    exchange.headers = undefined;
    exchange.body = undefined;
    const timeoutMs = spec.options?.timeoutMs ?? this.#config.timeoutMs;
    const userSignal = spec.options?.signal;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(TIMEOUT), timeoutMs);
    const onAbort = () => controller.abort(ABORTED);
    userSignal?.addEventListener('abort', onAbort, { once: true });
    if (userSignal?.aborted) controller.abort(ABORTED);
    if (this.#events.has('request')) this.#emit('request', exchange, { attempt: exchange.attempts });
    try {
      let searchParams: Record<string, string> | undefined;
      for (const k in spec.query) {
        const v = spec.query[k];
        if (v === undefined) continue;
        searchParams ??= {};
        searchParams[k] = v;
      }
      const body = spec.body !== undefined ? JSON.stringify(spec.body) : undefined;
      const headers: Record<string, string> = {};
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (token !== undefined) headers.authorization = `Bearer ${token}`;
      const send = this.#config.fetch;
      // ky's prefixUrl wants the path without its leading slash.
      const response = await http(spec.path.startsWith('/') ? spec.path.slice(1) : spec.path, {
        method: spec.method,
        headers,
        ...(searchParams ? { searchParams } : {}),
        // ky always calls its fetch with the Request it built.
        fetch: (request) => {
          const { url, method, headers: sent } = request as Request;
          const init: RequestInit = {
            method,
            headers: sent,
            body,
            signal: controller.signal,
            redirect: 'manual',
          };
          return send ? send(url, init) : globalThis.fetch(url, init);
        },
      });
      exchange.status = response.status;
      exchange.headers = response.headers;
      if (isRedirect(response)) {
        // Nothing of a redirect is read or followed: the body is dropped with the connection.
        response.body?.cancel().catch(() => undefined);
        return { status: response.status, headers: response.headers, text: '', redirected: true };
      }
      const limit = spec.options?.maxResponseBytes ?? this.#config.maxResponseBytes;
      const tooLarge = (declaredBytes?: number) =>
        new FlanksResponseTooLargeError(
          `Flanks ${spec.method} ${spec.path} answered with more than maxResponseBytes (${limit} bytes${declaredBytes === undefined ? '' : `; it announced ${declaredBytes}`}), so the SDK stopped reading. If that is expected, raise maxResponseBytes for this call or ask for less (a date range, fewer products).`,
          { limitBytes: limit, declaredBytes, status: response.status, method: spec.method, path: spec.path },
        );
      // The attempt's signal bounds the body read itself: undici can leave a body read pending
      // forever when a compressed body is corrupt and the server hangs up (content-encoding: gzip
      // over a plain body), and then aborting the request does not settle it.
      const text = await raceSignal(
        readCapped(response, limit, tooLarge),
        controller.signal,
        () => new Error('the response body was still being read when the attempt ended'),
      );
      if (this.#logsDebug) {
        this.#config.logger.debug(
          `[flanks-sdk] ${spec.method} ${spec.path} → ${response.status} in ${Math.round(performance.now() - exchange.attemptStarted)} ms (attempt ${exchange.attempts})`,
        );
      }
      return { status: response.status, headers: response.headers, text, redirected: false };
    } catch (error) {
      const failure = this.#failure(error, spec, controller.signal, timeoutMs);
      if (this.#events.has('response')) this.#emitResponse(exchange, failure);
      throw failure;
    } finally {
      clearTimeout(timer);
      userSignal?.removeEventListener('abort', onAbort);
    }
  }

  /** The error an attempt that got no usable answer ends with. */
  #failure(error: unknown, spec: RequestSpec<unknown>, signal: AbortSignal, timeoutMs: number): Error {
    if (error instanceof FlanksResponseTooLargeError) return error;
    const what = `${spec.method} ${spec.path}`;
    const cause = redactCause(error, this.#secrets(spec));
    if (signal.reason === TIMEOUT) {
      return new FlanksTimeoutError(
        `Flanks ${what} timed out after ${timeoutMs} ms. Raise timeoutMs if Flanks is slow for this call.`,
        { timeoutMs, cause },
      );
    }
    if (signal.reason === ABORTED) {
      return new FlanksAbortError(`Flanks ${what} was aborted by the caller's signal.`, { cause });
    }
    const code = causeCode(error);
    const reachedServer = !(code && NEVER_SENT_CODES.has(code));
    return new FlanksConnectionError(
      `Flanks ${what} failed before a complete response arrived${code ? ` (${code})` : ''}. Check network access to ${this.#config.baseUrl}.`,
      { reachedServer, cause },
    );
  }

  #handle<T>(spec: RequestSpec<T>, raw: RawResponse, exchange: Exchange): ApiResponse<T> {
    if (raw.redirected) {
      throw errorFromResponse({
        status: raw.status,
        headers: raw.headers,
        body: undefined,
        method: spec.method,
        path: spec.path,
        secrets: this.#secrets(spec),
        redirected: true,
      });
    }
    const ok = raw.status >= 200 && raw.status < 300;
    let body: unknown;
    if (raw.text.trim() !== '') {
      try {
        body = JSON.parse(raw.text);
      } catch (error) {
        if (ok) {
          throw new FlanksApiError({
            status: raw.status,
            message: `Flanks ${spec.method} ${spec.path} answered HTTP ${raw.status} with a body that is not valid JSON (${raw.text.length} bytes; truncated or not JSON). This is usually transient; it was retried if the call is safe to repeat.`,
            code: 'invalid_json',
            method: spec.method,
            path: spec.path,
            retryable: true,
            // V8's message quotes a slice of the body, which may cut a secret where scrubbing misses it.
            cause: { name: (error as Error).name },
          });
        }
        body = raw.text;
      }
    }
    exchange.body = body;
    const shape = (spec.responseByStatus?.[raw.status] ?? spec.response) as ResponseShape<T>;
    // Flanks' legacy API reports "not ready" / "data error" as a code inside the body; whether it
    // does so with a 2xx status is undocumented, so a 2xx object carrying such a code is an error too.
    const wrappedError = ok && shape.many && !Array.isArray(body) && findFlanksCode(body) !== undefined;
    if (!ok || wrappedError) {
      throw errorFromResponse({
        status: raw.status,
        headers: raw.headers,
        body,
        method: spec.method,
        path: spec.path,
        secrets: this.#secrets(spec),
      });
    }
    const endpoint = `${spec.method} ${spec.path}`;
    const validator = this.#config.validator;
    let data: unknown;
    try {
      data = spec.unwrap ? spec.unwrap(body, raw.status) : body;
    } catch (error) {
      if (error instanceof UnusableResponse) {
        throw validator.mismatch(shape, body, endpoint, error.expected, error.path, error.detail);
      }
      throw error;
    }
    // Returning a non-list where callers iterate would be a silent wrong answer in any mode.
    if (shape.many && !Array.isArray(data)) {
      throw validator.mismatch(shape, data, endpoint, `a list of ${shape.name}`);
    }
    return { status: raw.status, data: validator.check(shape, data, endpoint), exchange };
  }
}
