import * as z from 'zod/mini';
import type { APIPromise } from '../core/api-promise';
import { FlanksReportError } from '../core/errors';
import { type PollOptions, poll } from '../core/polling';
import type { RequestOptions } from '../core/request-options';
import {
  argumentError,
  checkArg,
  checkPollOptions,
  checkRequestOptions,
  optionalFunction,
  optionalObject,
  requireObject,
} from '../internal/args';
import type { Call } from '../internal/call';
import { many, one, UnusableResponse } from '../internal/validate';
import { connectionSecrets, isoDate } from './cursor';
import { Resource, unwrapData, unwrapList } from './shared';

/*
 * Report API v1 (beta). No archived doc page exists: paths, bodies and the report statuses come
 * from a third-party client (shared/flanks-api.md §3.9), which types report and template ids as
 * integers. Ids are accepted as numbers or strings so a change of id type does not break callers.
 */

const str = z.optional(z.nullable(z.string()));
const id = z.union([z.number(), z.string()]);

/**
 * Report `status` values known so far (beta), in the order a report goes through them: `new`,
 * `payload` (data gathered), `file` (document being rendered), then `ready` or `fail`. Other values
 * may appear; treat unknown ones as "still building".
 *
 * @example
 * ```ts
 * const step = REPORT_STATUSES.indexOf(report.status as ReportStatus);
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/report-api/
 */
export const REPORT_STATUSES = ['new', 'payload', 'file', 'ready', 'fail'] as const;
/**
 * A known report status.
 *
 * @example
 * ```ts
 * const done: ReportStatus[] = ['ready', 'fail'];
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/report-api/
 */
export type ReportStatus = (typeof REPORT_STATUSES)[number];

/**
 * Report languages known so far (default `en`).
 *
 * @example
 * ```ts
 * await flanks.reports.build({ templateId, language: 'es' satisfies (typeof REPORT_LANGUAGES)[number] });
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/report-api/
 */
export const REPORT_LANGUAGES = ['en', 'es', 'fr'] as const;

/**
 * A report template of your company.
 *
 * @example
 * ```ts
 * const [first]: ReportTemplate[] = await flanks.reports.listTemplates();
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/report-api/
 */
export const ReportTemplateSchema = z.looseObject({
  /** Required: it is what `reports.build({ templateId })` takes. */
  template_id: id,
  name: str,
  description: str,
});
/**
 * A report template.
 *
 * @example
 * ```ts
 * const templates: ReportTemplate[] = await flanks.reports.listTemplates();
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/report-api/
 */
export type ReportTemplate = z.infer<typeof ReportTemplateSchema>;

/**
 * A report being built, or built (beta).
 *
 * @example
 * ```ts
 * const report: Report = await flanks.reports.getStatus(reportId);
 * if (report.status === 'ready') console.log(await flanks.reports.getContentUrl(report.report_id));
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/report-api/
 */
export const ReportSchema = z.looseObject({
  /** Required: it is how `getStatus`, `waitUntilReady` and `getContentUrl` name the report. */
  report_id: id,
  template_id: z.optional(z.nullable(id)),
  /** See {@link REPORT_STATUSES}. Required: `waitUntilReady` decides on it. */
  status: z.string(),
});
/**
 * A report.
 *
 * @example
 * ```ts
 * const report: Report = await flanks.reports.build({ templateId: 1 });
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/report-api/
 */
export type Report = z.infer<typeof ReportSchema>;

// The URL is the whole answer (`getContentUrl` returns it).
const ReportContentSchema = z.looseObject({ url: z.string().check(z.minLength(1)) });

/**
 * Argument of `reports.build`. `query` selects the data (Flanks' filters, labels included) and
 * `templateAttributes` fills the template; both are sent as `{}` when left out.
 *
 * @example
 * ```ts
 * const params: BuildReportParams = {
 *   templateId: 1,
 *   query: { connection_id_in: [token] },
 *   templateAttributes: { title: 'Q1 summary' },
 *   language: 'es',
 *   startDate: '2026-01-01',
 *   endDate: '2026-03-31',
 * };
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/report-api/
 */
export const BuildReportParamsSchema = z.object({
  templateId: id,
  query: z.optional(z.record(z.string(), z.unknown())),
  templateAttributes: z.optional(z.record(z.string(), z.unknown())),
  /** `en` (default), `es` or `fr`; see {@link REPORT_LANGUAGES}. */
  language: z.optional(z.string().check(z.minLength(1))),
  /** First day covered, `YYYY-MM-DD`. */
  startDate: isoDate,
  /** Last day covered, `YYYY-MM-DD`; Flanks defaults to today. */
  endDate: isoDate,
});
/**
 * Argument of `reports.build`.
 *
 * @example
 * ```ts
 * const params: BuildReportParams = { templateId: 1, language: 'es' };
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/report-api/
 */
export type BuildReportParams = z.infer<typeof BuildReportParamsSchema>;

/**
 * Options of `reports.waitUntilReady`.
 *
 * @example
 * ```ts
 * await flanks.reports.waitUntilReady(reportId, { timeoutMs: 120_000, onReport: (r) => console.log(r.status) });
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/report-api/
 */
export interface WaitForReportOptions extends PollOptions {
  /** Called with every status read. */
  onReport?: ((report: Report, attempt: number) => void) | undefined;
  /** Per-request time limit of each read; the overall limit is `timeoutMs`. */
  requestTimeoutMs?: number | undefined;
}

function checkId(value: unknown, name: string): number | string {
  if (
    (typeof value === 'number' && Number.isInteger(value) && value >= 0) ||
    (typeof value === 'string' && value.trim() !== '')
  ) {
    return value;
  }
  throw argumentError(name, 'must be a report id (a whole number, or a non-empty string).');
}

// ---------------------------------------------------------------------------------------------
// Resource
// ---------------------------------------------------------------------------------------------

/**
 * Report API v1 (**beta**): build a document (e.g. a wealth summary) from a template over your
 * aggregated data, wait for it, and get a URL to download it.
 *
 * @example
 * ```ts
 * const [template] = await flanks.reports.listTemplates();
 * const report = await flanks.reports.build({ templateId: template.template_id, query: { connection_id_in: [token] } });
 * await flanks.reports.waitUntilReady(report.report_id);
 * const url = await flanks.reports.getContentUrl(report.report_id);
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/report-api/
 */
export class Reports extends Resource {
  /**
   * Lists your report templates.
   *
   * @example
   * ```ts
   * for (const t of await flanks.reports.listTemplates()) console.log(t.template_id, t.name);
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/report-api/
   */
  listTemplates(options?: RequestOptions): APIPromise<ReportTemplate[]> {
    return this.call(async (call) => {
      const { data } = await call.request({
        method: 'POST',
        path: '/report/v1/list-templates',
        body: {},
        idempotent: true,
        response: many('ReportTemplate', ReportTemplateSchema),
        unwrap: unwrapList,
        options: checkRequestOptions(options),
      });
      return data;
    });
  }

  /**
   * Starts building a report and returns it (status `new`). Not retried once the request may have
   * reached Flanks: a replay would build a second report.
   *
   * @example
   * ```ts
   * const report = await flanks.reports.build({ templateId: 1, query: { connection_id_in: [token] }, language: 'es' });
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/report-api/
   */
  build(params: BuildReportParams, options?: RequestOptions): APIPromise<Report> {
    return this.call(async (call) => {
      requireObject(params, 'params');
      const p = checkArg(BuildReportParamsSchema, params, 'params');
      const body: Record<string, unknown> = {
        template_id: p.templateId,
        query: p.query ?? {},
        template_attributes: p.templateAttributes ?? {},
      };
      if (p.language !== undefined) body.language = p.language;
      if (p.startDate !== undefined) body.start_date = p.startDate;
      if (p.endDate !== undefined) body.end_date = p.endDate;
      return this.#report(call, '/report/v1/build-report', body, false, options, connectionSecrets(p.query));
    });
  }

  /**
   * Reads a report's status.
   *
   * @example
   * ```ts
   * const { status } = await flanks.reports.getStatus(reportId);
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/report-api/
   */
  getStatus(reportId: number | string, options?: RequestOptions): APIPromise<Report> {
    return this.call(async (call) => {
      const report_id = checkId(reportId, 'reportId');
      return this.#report(call, '/report/v1/get-report-status', { report_id }, true, options);
    });
  }

  /**
   * Polls the report (with the poller `credentials.waitUntilReady` uses) until it is `ready`. Rejects with `FlanksReportError` on `fail`, `FlanksTimeoutError` after `timeoutMs`
   * (default 5 minutes) and `FlanksAbortError` on `signal`. `.withResponse()` describes the status
   * read that ended the wait; its `calls` is the number of polls.
   *
   * @example
   * ```ts
   * const report = await flanks.reports.waitUntilReady(reportId, { timeoutMs: 120_000 });
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/report-api/
   */
  waitUntilReady(reportId: number | string, options: WaitForReportOptions = {}): APIPromise<Report> {
    return this.call(async (call) => {
      const report_id = checkId(reportId, 'reportId');
      const o = optionalObject(options, 'options') ?? {};
      checkPollOptions(o);
      checkRequestOptions({ signal: o.signal, timeoutMs: o.requestTimeoutMs }, 'options');
      optionalFunction(o.onReport, 'options.onReport');
      const { onReport, requestTimeoutMs } = options;
      return poll({
        ...options,
        what: 'the report to be ready',
        check: (signal) => call.track(this.getStatus(report_id, { signal, timeoutMs: requestTimeoutMs })),
        onValue: onReport,
        isDone: (report) => {
          if (report.status === 'fail') {
            throw new FlanksReportError(
              `Flanks could not build report ${report.report_id} (status fail). Build it again, or quote the report id to Flanks support.`,
              { reportId: report.report_id, reportStatus: report.status },
            );
          }
          return report.status === 'ready';
        },
      });
    });
  }

  /**
   * Returns the URL to download a `ready` report from. Treat it as a secret: whoever has it can
   * read the report.
   *
   * @example
   * ```ts
   * const url = await flanks.reports.getContentUrl(reportId);
   * const pdf = await fetch(url).then((r) => r.arrayBuffer());
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/report-api/
   */
  getContentUrl(reportId: number | string, options?: RequestOptions): APIPromise<string> {
    return this.call(async (call) => {
      const report_id = checkId(reportId, 'reportId');
      const { data } = await call.request({
        method: 'POST',
        path: '/report/v1/get-report-content',
        body: { report_id },
        idempotent: true,
        response: one('ReportContent', ReportContentSchema),
        // Checked in every validation mode: a missing URL must not become "undefined" in the caller's hands.
        unwrap: (body) => {
          const content = unwrapData(body) as Record<string, unknown>;
          if (typeof content.url !== 'string' || content.url === '') {
            throw new UnusableResponse('a non-empty string', 'response.url');
          }
          return content;
        },
        options: checkRequestOptions(options),
      });
      return data.url;
    });
  }

  async #report(
    call: Call,
    path: string,
    body: Record<string, unknown>,
    idempotent: boolean,
    options: RequestOptions | undefined,
    secrets: string[] = [],
  ): Promise<Report> {
    const { data } = await call.request({
      method: 'POST',
      path,
      body,
      idempotent,
      secrets,
      response: one('Report', ReportSchema),
      unwrap: unwrapData,
      options: checkRequestOptions(options),
    });
    return data;
  }
}
