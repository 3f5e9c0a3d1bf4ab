/**
 * flanks-sdk/otel: OpenTelemetry spans from a `FlanksClient`'s events, one per call to Flanks.
 * It needs no OpenTelemetry package of its own: it drives the tracer you pass (from
 * `@opentelemetry/api`'s `trace.getTracer(…)`), so it loads, and does nothing, wherever OpenTelemetry
 * is absent. See docs/observability.md.
 *
 * @module flanks-sdk/otel
 */
import { FlanksValidationError } from '../core/errors';
import type {
  FlanksEndEvent,
  FlanksRequestEvent,
  FlanksResponseEvent,
  FlanksRetryEvent,
} from '../core/events';

/*
 * Span policy:
 * - One span per call (a request to one endpoint, retries included), named `Flanks <METHOD> <path
 *   template>`, kind CLIENT, started at the call's first request and ended by its `end` event; a call
 *   that ends before sending anything (aborted, no access token) gets a span from `end` alone,
 *   back-dated by its duration. The span's parent is the context active where the call was made.
 * - Each attempt is a span event (`flanks.attempt`: status, duration, error type), each retry one
 *   too (`flanks.retry`: reason, delay). The token request is a call of its own, so a span of its own.
 * - Attributes come from the event payloads only: method, path template, status, attempts, Flanks'
 *   trace id, error type and code. Never a token, a code or a body, which the payloads do not hold.
 * - A failed call: status ERROR with the error's message (secret-free, as every SDK error message)
 *   and an `exception` event with its name, message, stack and Flanks code. A call that succeeded
 *   leaves the status unset, as OpenTelemetry's HTTP conventions ask of client spans.
 */

/** SpanKind.CLIENT and SpanStatusCode.ERROR of `@opentelemetry/api` (stable numeric values). */
const SPAN_KIND_CLIENT = 2;
const STATUS_ERROR = 2;

/**
 * An attribute value as OpenTelemetry takes it.
 *
 * @example
 * ```ts
 * const value: OtelAttributeValue = 200;
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/authentication
 */
export type OtelAttributeValue = string | number | boolean | undefined;

/**
 * The part of an OpenTelemetry `Span` this helper uses; `@opentelemetry/api`'s `Span` has it.
 *
 * @example
 * ```ts
 * const span: OtelSpan = trace.getTracer('app').startSpan('work');
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/authentication
 */
export interface OtelSpan {
  setAttribute(key: string, value: string | number | boolean): unknown;
  addEvent(name: string, attributes?: Record<string, OtelAttributeValue>): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  end(endTime?: number): unknown;
}

/**
 * The part of an OpenTelemetry `Tracer` this helper uses; `@opentelemetry/api`'s `Tracer` has it.
 *
 * @example
 * ```ts
 * import { trace } from '@opentelemetry/api';
 * const tracer: OtelTracer = trace.getTracer('flanks-sdk');
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/authentication
 */
export interface OtelTracer {
  startSpan(
    name: string,
    options?: { kind?: number; attributes?: Record<string, OtelAttributeValue>; startTime?: number },
  ): OtelSpan;
}

/**
 * Options of {@link instrument}.
 *
 * @example
 * ```ts
 * const options: InstrumentOptions = { tracer: trace.getTracer('flanks-sdk') };
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/authentication
 */
export interface InstrumentOptions {
  /** Where the spans go: `trace.getTracer('flanks-sdk')` from `@opentelemetry/api`, or any tracer of that shape. */
  tracer: OtelTracer;
}

/**
 * What {@link instrument} needs of a client: its `on`/`off` event methods, which a `FlanksClient`
 * has. Typed loosely so that this entry point names no type of the main one.
 *
 * @example
 * ```ts
 * const client: InstrumentableClient = new FlanksClient({ clientId, clientSecret });
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/authentication
 */
export interface InstrumentableClient {
  /** Adds a listener for one of the events that `instrument` uses. */
  on(event: 'request' | 'response' | 'retry' | 'end', listener: (event: object) => unknown): unknown;
  /** Removes a listener added with `on`. */
  off(event: 'request' | 'response' | 'retry' | 'end', listener: (event: object) => unknown): unknown;
}

/**
 * Turns every call `flanks` makes into an OpenTelemetry span (see the policy above and
 * docs/observability.md) and returns the function that stops it; spans still open are then ended.
 *
 * @example
 * ```ts
 * import { trace } from '@opentelemetry/api';
 * import { instrument } from 'flanks-sdk/otel';
 *
 * const uninstall = instrument(flanks, { tracer: trace.getTracer('flanks-sdk') });
 * await flanks.aggregation.portfolios(token); // one span: "Flanks POST /v0/bank/credentials/portfolio"
 * uninstall();
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/authentication
 */
export function instrument(flanks: InstrumentableClient, options: InstrumentOptions): () => void {
  if (typeof (flanks as Partial<InstrumentableClient> | undefined)?.on !== 'function') {
    throw new FlanksValidationError('flanks must be a FlanksClient.', { path: 'flanks' });
  }
  const tracer = (options as Partial<InstrumentOptions> | undefined)?.tracer;
  if (typeof tracer?.startSpan !== 'function') {
    throw new FlanksValidationError(
      "options.tracer must be an OpenTelemetry tracer: trace.getTracer('flanks-sdk') from @opentelemetry/api.",
      { path: 'options.tracer' },
    );
  }
  const open = new Map<number, OtelSpan>();
  const start = (event: FlanksRequestEvent | FlanksEndEvent, startTime?: number): OtelSpan => {
    const span = tracer.startSpan(`Flanks ${event.method} ${event.path}`, {
      kind: SPAN_KIND_CLIENT,
      attributes: { 'http.request.method': event.method, 'url.template': event.path },
      ...(startTime === undefined ? {} : { startTime }),
    });
    open.set(event.callId, span);
    return span;
  };
  const onRequest = (event: FlanksRequestEvent) => {
    if (!open.has(event.callId)) start(event);
  };
  const onResponse = (event: FlanksResponseEvent) => {
    open.get(event.callId)?.addEvent('flanks.attempt', {
      'flanks.attempt': event.attempt,
      'http.response.status_code': event.status,
      'flanks.duration_ms': event.durationMs,
      'error.type': event.error?.name,
    });
  };
  const onRetry = (event: FlanksRetryEvent) => {
    open.get(event.callId)?.addEvent('flanks.retry', {
      'flanks.attempt': event.attempt,
      'flanks.retry.reason': event.reason,
      'flanks.retry.delay_ms': event.delayMs,
    });
  };
  const onEnd = (event: FlanksEndEvent) => {
    const span = open.get(event.callId) ?? start(event, Date.now() - event.durationMs);
    open.delete(event.callId);
    if (event.status !== undefined) span.setAttribute('http.response.status_code', event.status);
    span.setAttribute('flanks.attempts', event.attempts);
    if (event.traceId !== undefined) span.setAttribute('flanks.trace_id', event.traceId);
    const error = event.error;
    if (error) {
      const code = (error as { code?: unknown }).code;
      const flanksCode = typeof code === 'string' || typeof code === 'number' ? code : undefined;
      span.setAttribute('error.type', error.name);
      if (flanksCode !== undefined) span.setAttribute('flanks.error.code', flanksCode);
      span.addEvent('exception', {
        'exception.type': error.name,
        'exception.message': error.message,
        'exception.stacktrace': error.stack,
        'flanks.error.code': flanksCode,
      });
      span.setStatus({ code: STATUS_ERROR, message: error.message });
    }
    span.end();
  };
  const listeners = [
    ['request', onRequest],
    ['response', onResponse],
    ['retry', onRetry],
    ['end', onEnd],
  ] as const;
  // Each listener reads the payload of its own event, which the client's typing guarantees.
  const loose = listeners as unknown as readonly (readonly [
    Parameters<InstrumentableClient['on']>[0],
    (event: object) => unknown,
  ])[];
  for (const [event, listener] of loose) flanks.on(event, listener);
  return () => {
    for (const [event, listener] of loose) flanks.off(event, listener);
    for (const span of open.values()) span.end();
    open.clear();
  };
}
