import { inspect } from 'node:util';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FlanksDataNotReadyError, FlanksValidationError, MemoryCredentialStore } from '../../src';
import { instrument } from '../../src/otel';
import {
  ACCESS_TOKEN,
  CLIENT_SECRET,
  makeClient,
  route,
  settle,
  signedState,
  tokenRoute,
  useMsw,
} from '../helpers';

// flanks-sdk/otel with the real OpenTelemetry SDK: spans go to its in-memory exporter, the tracer
// comes from @opentelemetry/api, and an AsyncLocalStorage context manager carries parent spans.

useMsw();

const TOKEN = 'ct_live_otel_0123456789abcdef';
const CODE = 'lc_otel_0123456789abcdef';
const STATUS_PATH = '/v0/bank/credentials/status';
const READY = { pending: false, blocked: false };

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const contextManager = new AsyncLocalStorageContextManager();
const tracer = provider.getTracer('flanks-sdk-test');

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterEach(() => {
  exporter.reset();
  vi.useRealTimers();
});
afterAll(async () => {
  context.disable();
  await provider.shutdown();
});

const spans = () => exporter.getFinishedSpans();
const named = (name: string) => spans().filter((s) => s.name === name);
const STATUS_SPAN = `Flanks POST ${STATUS_PATH}`;

/** Every string an exporter could ship for a span. */
function shipped(span: ReadableSpan): string {
  return JSON.stringify({
    name: span.name,
    attributes: span.attributes,
    events: span.events,
    status: span.status,
  });
}

describe('instrument', () => {
  it('makes one CLIENT span per call, the token request included, with redacted attributes', async () => {
    tokenRoute();
    route('post', STATUS_PATH, { body: READY, headers: { 'x-trace-id': 'tr-ok' } });
    const flanks = makeClient();
    const uninstall = instrument(flanks, { tracer });
    await flanks.credentials.getStatus(TOKEN);
    uninstall();
    expect(spans().map((s) => s.name)).toEqual(['Flanks POST /v0/token', STATUS_SPAN]);
    const [span] = named(STATUS_SPAN);
    expect(span!.kind).toBe(SpanKind.CLIENT);
    expect(span!.status.code).toBe(SpanStatusCode.UNSET);
    expect(span!.attributes).toEqual({
      'http.request.method': 'POST',
      'url.template': STATUS_PATH,
      'http.response.status_code': 200,
      'flanks.attempts': 1,
      'flanks.trace_id': 'tr-ok',
    });
    expect(span!.events.map((e) => [e.name, e.attributes])).toEqual([
      [
        'flanks.attempt',
        { 'flanks.attempt': 1, 'http.response.status_code': 200, 'flanks.duration_ms': expect.any(Number) },
      ],
    ]);
  });

  it('one span for all attempts: retries and their waits are span events', async () => {
    vi.useFakeTimers();
    tokenRoute();
    const calls = route(
      'post',
      STATUS_PATH,
      { status: 503, body: {} },
      { status: 429, body: {}, headers: { 'retry-after': '1' } },
      { body: READY },
    );
    const flanks = makeClient();
    const uninstall = instrument(flanks, { tracer });
    await settle(flanks.credentials.getStatus(TOKEN));
    uninstall();
    expect(calls).toHaveLength(3);
    const [span, ...others] = named(STATUS_SPAN);
    expect(others).toEqual([]);
    expect(span!.attributes['flanks.attempts']).toBe(3);
    expect(span!.events.map((e) => `${e.name} ${e.attributes?.['flanks.attempt']}`)).toEqual([
      'flanks.attempt 1',
      'flanks.retry 1',
      'flanks.attempt 2',
      'flanks.retry 2',
      'flanks.attempt 3',
    ]);
    expect(span!.events[1]!.attributes).toMatchObject({ 'flanks.retry.reason': 'server_error' });
    expect(span!.events[3]!.attributes).toMatchObject({
      'flanks.retry.reason': 'rate_limit',
      'flanks.retry.delay_ms': 1000,
    });
    expect(span!.events[0]!.attributes).toMatchObject({
      'http.response.status_code': 503,
      'error.type': 'FlanksApiError',
    });
  });

  it('a failed call: status ERROR and an exception event with the error name and Flanks code', async () => {
    tokenRoute();
    route('post', '/v0/bank/credentials/portfolio', {
      status: 409,
      body: { error: `Data is still being processed for ${TOKEN}`, code: 20002, trace_id: 'tr-409' },
    });
    const flanks = makeClient();
    const uninstall = instrument(flanks, { tracer });
    const error = await flanks.aggregation.portfolios(TOKEN).catch((e: unknown) => e);
    uninstall();
    expect(error).toBeInstanceOf(FlanksDataNotReadyError);
    const [span] = named('Flanks POST /v0/bank/credentials/portfolio');
    expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    expect(span!.attributes).toMatchObject({
      'http.response.status_code': 409,
      'error.type': 'FlanksDataNotReadyError',
      'flanks.error.code': 20002,
      'flanks.trace_id': 'tr-409',
    });
    const exception = span!.events.find((e) => e.name === 'exception');
    expect(exception?.attributes).toMatchObject({
      'exception.type': 'FlanksDataNotReadyError',
      'exception.message': (error as Error).message,
      'flanks.error.code': 20002,
    });
    expect(String(exception?.attributes?.['exception.stacktrace'])).toContain('FlanksDataNotReadyError');
  });

  it('no token, code, body or secret reaches a span, even from a server that echoes them', async () => {
    tokenRoute();
    const flanks = makeClient({ store: new MemoryCredentialStore() });
    // The server echoes what each request carried (the code, or the credentials token) with the
    // bearer token and the client secret: every secret the SDK knows of, as in the redaction test.
    const known = `${ACCESS_TOKEN} ${CLIENT_SECRET}`;
    route('post', '/v0/platform/link', {
      status: 400,
      body: { error: `Invalid code ${CODE} ${known}`, trace_id: `tr ${CODE} ${known}` },
      headers: { 'x-request-id': `${CODE} ${known}` },
    });
    route('post', STATUS_PATH, {
      status: 500,
      body: { message: `boom ${TOKEN} ${known}`, trace_id: `${TOKEN} ${known}` },
    });
    const uninstall = instrument(flanks, { tracer });
    await flanks.completeLink({ code: CODE, userId: 'u-1' }).catch(() => undefined);
    await flanks.credentials.getStatus(TOKEN, { maxRetries: 0 }).catch(() => undefined);
    uninstall();
    expect(spans().map((s) => s.name)).toEqual([
      'Flanks POST /v0/token',
      'Flanks POST /v0/platform/link',
      STATUS_SPAN,
    ]);
    for (const span of spans()) {
      const text = `${shipped(span)} ${inspect(span.attributes)} ${inspect(span.events, { depth: 5 })}`;
      for (const secret of [TOKEN, CODE, ACCESS_TOKEN, CLIENT_SECRET]) expect(text).not.toContain(secret);
    }
    expect(named(STATUS_SPAN)[0]!.attributes['flanks.trace_id']).toContain('[REDACTED]');
  });

  it("a call's span is a child of the span active where the call was made", async () => {
    tokenRoute();
    route('post', STATUS_PATH, { body: READY });
    const flanks = makeClient();
    await flanks.credentials.getStatus(TOKEN); // the token, outside the parent
    exporter.reset();
    const uninstall = instrument(flanks, { tracer });
    await tracer.startActiveSpan('sync job', async (parent) => {
      await flanks.credentials.getStatus(TOKEN);
      parent.end();
    });
    uninstall();
    const [call] = named(STATUS_SPAN);
    const [job] = named('sync job');
    expect(call!.parentSpanContext?.spanId).toBe(job!.spanContext().spanId);
    expect(call!.spanContext().traceId).toBe(job!.spanContext().traceId);
  });

  it('a call that fails before sending anything still gets its span, ended with the error', async () => {
    const flanks = makeClient({ store: new MemoryCredentialStore() });
    const uninstall = instrument(flanks, { tracer });
    const ctl = new AbortController();
    ctl.abort();
    await flanks.credentials.getStatus(TOKEN, { signal: ctl.signal }).catch(() => undefined);
    uninstall();
    const [span] = named(STATUS_SPAN);
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(span!.attributes).toMatchObject({ 'flanks.attempts': 0, 'error.type': 'FlanksAbortError' });
  });

  it('uninstall stops the spans; a wait makes one span per poll', async () => {
    vi.useFakeTimers();
    tokenRoute();
    const flanks = makeClient();
    route('post', STATUS_PATH, { body: { pending: true } }, { body: READY });
    const uninstall = instrument(flanks, { tracer });
    await settle(flanks.credentials.waitUntilReady(TOKEN));
    expect(named(STATUS_SPAN)).toHaveLength(2);
    uninstall();
    exporter.reset();
    await settle(flanks.credentials.getStatus(TOKEN));
    expect(spans()).toEqual([]);
  });

  it('refuses what is not a client or a tracer', () => {
    const flanks = makeClient();
    expect(() => instrument(flanks, {} as never)).toThrow(FlanksValidationError);
    expect(() => instrument({} as never, { tracer })).toThrow(FlanksValidationError);
    expect(() => instrument(flanks, { tracer: trace.getTracer('noop') })).not.toThrow();
  });

  it('the completeLink span shows the exchange, never the code', async () => {
    tokenRoute();
    const flanks = makeClient({ store: new MemoryCredentialStore() });
    const calls = route('post', '/v0/platform/link', {
      body: { credentials_token: TOKEN, extra: { state: signedState(flanks, 'u-1') } },
    });
    const uninstall = instrument(flanks, { tracer });
    await flanks.completeLink({ code: CODE, userId: 'u-1' });
    uninstall();
    expect(calls[0]!.body).toEqual({ code: CODE });
    const [span] = named('Flanks POST /v0/platform/link');
    expect(span!.attributes['http.response.status_code']).toBe(200);
    expect(shipped(span!)).not.toContain(CODE);
  });
});
