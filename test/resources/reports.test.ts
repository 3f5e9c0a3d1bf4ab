import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  FlanksAbortError,
  FlanksApiError,
  FlanksReportError,
  FlanksTimeoutError,
  FlanksValidationError,
} from '../../src';
import {
  ACCESS_TOKEN,
  makeClient,
  type RecordedRequest,
  route,
  settle,
  tokenRoute,
  useMsw,
} from '../helpers';

useMsw();

const TEMPLATES = '/report/v1/list-templates';
const BUILD = '/report/v1/build-report';
const STATUS = '/report/v1/get-report-status';
const CONTENT = '/report/v1/get-report-content';
const CONTENT_URL = 'https://files.flanks.test/reports/42.pdf?sig=abc';

const report = (status: string) => ({ body: { report_id: 42, template_id: 1, status } });

afterEach(() => vi.useRealTimers());

describe('reports.listTemplates', () => {
  it.each([
    ['{ items }', { items: [{ template_id: 1, name: 'Wealth summary', description: 'd' }] }],
    ['a bare array', [{ template_id: 1, name: 'Wealth summary', description: 'd' }]],
  ])('POSTs {} and unwraps %s', async (_what, body) => {
    tokenRoute();
    const calls = route('post', TEMPLATES, { body });
    await expect(makeClient({ validation: 'strict' }).reports.listTemplates()).resolves.toEqual([
      { template_id: 1, name: 'Wealth summary', description: 'd' },
    ]);
    expect(calls[0]!.body).toEqual({});
    expect(calls[0]!.headers.get('authorization')).toBe(`Bearer ${ACCESS_TOKEN}`);
  });
});

describe('reports.build', () => {
  it('maps the camelCase params to Flanks’ body', async () => {
    tokenRoute();
    const calls = route('post', BUILD, report('new'));
    const result = await makeClient({ validation: 'strict' }).reports.build({
      templateId: 1,
      query: { connection_id_in: ['c1'], labels: { client: 'acme' } },
      templateAttributes: { title: 'Q1' },
      language: 'es',
      startDate: '2026-01-01',
      endDate: '2026-03-31',
    });
    expect(result).toEqual({ report_id: 42, template_id: 1, status: 'new' });
    expect(calls[0]!.body).toEqual({
      template_id: 1,
      query: { connection_id_in: ['c1'], labels: { client: 'acme' } },
      template_attributes: { title: 'Q1' },
      language: 'es',
      start_date: '2026-01-01',
      end_date: '2026-03-31',
    });
  });

  it('sends the required query and template_attributes as {} when left out', async () => {
    tokenRoute();
    const calls = route('post', BUILD, report('new'));
    await makeClient().reports.build({ templateId: 'tpl-uuid' });
    expect(calls[0]!.body).toEqual({ template_id: 'tpl-uuid', query: {}, template_attributes: {} });
  });

  // Security review (issue 12, finding 5): build passed no secrets to the transport, so a 4xx that
  // echoes the connection ids (credentials tokens) of its query kept them in the error.
  it('keeps the connection ids of its query out of the error, echoed or named', async () => {
    tokenRoute();
    const connection = 'ct_report_connection_0123456789';
    route('post', BUILD, {
      status: 400,
      body: {
        error: `Unknown connection ${connection}`,
        details: [{ field: 'query', connection_id_in: [connection] }],
        request: { query: { connection_id_in: [connection] } },
      },
    });
    const err = await makeClient()
      .reports.build({ templateId: 1, query: { connection_id_in: [connection] } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksApiError);
    expect(`${(err as Error).message} ${JSON.stringify(err)} ${inspect(err, { depth: 20 })}`).not.toContain(
      connection,
    );
  });

  it('is not retried once it may have reached Flanks', async () => {
    tokenRoute();
    const calls = route('post', BUILD, { status: 500, body: { error: 'Internal Error' } });
    await expect(makeClient().reports.build({ templateId: 1 })).rejects.toBeInstanceOf(FlanksApiError);
    expect(calls).toHaveLength(1);
  });

  it.each([
    ['no params', undefined, 'params'],
    ['no templateId', {}, 'params.templateId'],
    ['a bad start date', { templateId: 1, startDate: '2026-1-1' }, 'params.startDate'],
    ['an array query', { templateId: 1, query: [] }, 'params.query'],
  ])('%s → FlanksValidationError, no request', async (_what, params, path) => {
    const calls = route('post', BUILD, report('new'));
    const err = await makeClient()
      .reports.build(params as never)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksValidationError);
    expect((err as FlanksValidationError).path).toBe(path);
    expect(calls).toHaveLength(0);
  });
});

describe('reports.getStatus', () => {
  it('POSTs the report id', async () => {
    tokenRoute();
    const calls = route('post', STATUS, report('payload'));
    await expect(makeClient().reports.getStatus(42)).resolves.toMatchObject({ status: 'payload' });
    expect(calls[0]!.body).toEqual({ report_id: 42 });
  });

  it.each([-1, 1.5, '', null])('reportId %j → FlanksValidationError, no request', async (id) => {
    const calls = route('post', STATUS, report('new'));
    await expect(makeClient().reports.getStatus(id as never)).rejects.toBeInstanceOf(FlanksValidationError);
    expect(calls).toHaveLength(0);
  });
});

describe('reports.waitUntilReady', () => {
  it('polls through the status steps until ready, through the shared poller', async () => {
    vi.useFakeTimers();
    tokenRoute();
    const calls: RecordedRequest[] = route(
      'post',
      STATUS,
      report('new'),
      report('payload'),
      report('file'),
      report('ready'),
    );
    const stamps: number[] = [];
    const push = calls.push.bind(calls);
    calls.push = (...items) => {
      stamps.push(Date.now());
      return push(...items);
    };
    const seen: string[] = [];
    const result = await settle(
      makeClient().reports.waitUntilReady(42, {
        pollIntervalMs: 1_000,
        onReport: (r) => seen.push(r.status),
      }),
    );
    expect(result.status).toBe('ready');
    expect(seen).toEqual(['new', 'payload', 'file', 'ready']);
    // The shared poller's policy (tested in test/core/polling.test.ts): at least pollIntervalMs, never shrinking.
    const waits = stamps.slice(1).map((t, i) => t - stamps[i]!);
    expect(waits[0]).toBe(1_000);
    for (let i = 1; i < waits.length; i++) expect(waits[i]!).toBeGreaterThanOrEqual(waits[i - 1]!);
  });

  it('fail rejects with FlanksReportError', async () => {
    tokenRoute();
    route('post', STATUS, report('fail'));
    const err = await makeClient()
      .reports.waitUntilReady(42)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksReportError);
    expect(err).toMatchObject({ reportId: 42, reportStatus: 'fail', name: 'FlanksReportError' });
  });

  it('an unknown status keeps polling until the timeout', async () => {
    vi.useFakeTimers();
    tokenRoute();
    route('post', STATUS, report('queued'));
    await expect(
      settle(makeClient().reports.waitUntilReady(42, { timeoutMs: 4_000 })),
    ).rejects.toBeInstanceOf(FlanksTimeoutError);
  });

  it('stops with FlanksAbortError on signal', async () => {
    vi.useFakeTimers();
    tokenRoute();
    route('post', STATUS, report('new'));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 1_500);
    await expect(
      settle(makeClient().reports.waitUntilReady(42, { signal: controller.signal })),
    ).rejects.toBeInstanceOf(FlanksAbortError);
  });

  it('bad options reject before any request', async () => {
    const calls = route('post', STATUS, report('new'));
    await expect(makeClient().reports.waitUntilReady(42, { onReport: 1 } as never)).rejects.toBeInstanceOf(
      FlanksValidationError,
    );
    expect(calls).toHaveLength(0);
  });
});

describe('reports.getContentUrl', () => {
  it('POSTs the report id and returns the URL', async () => {
    tokenRoute();
    const calls = route('post', CONTENT, { body: { url: CONTENT_URL } });
    await expect(makeClient({ validation: 'strict' }).reports.getContentUrl(42)).resolves.toBe(CONTENT_URL);
    expect(calls[0]!.body).toEqual({ report_id: 42 });
  });

  it.each(['warn', 'off'] as const)(
    'an answer without a URL is an error even in %s mode',
    async (validation) => {
      tokenRoute();
      route('post', CONTENT, { body: { success: true } });
      const err = await makeClient({ validation })
        .reports.getContentUrl(42)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FlanksValidationError);
      expect((err as FlanksValidationError).path).toBe('response.url');
    },
  );

  it('a not-ready report is a typed API error', async () => {
    tokenRoute();
    route('post', CONTENT, { status: 409, body: { success: false, error: { code: 'ReportNotReady' } } });
    await expect(makeClient().reports.getContentUrl(42)).rejects.toMatchObject({
      status: 409,
      code: 'ReportNotReady',
    });
  });
});
