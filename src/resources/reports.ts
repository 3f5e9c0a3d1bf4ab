import * as z from 'zod/mini';
import type { APIPromise } from '../core/api-promise';
import { FlanksReportError } from '../core/errors';
import type { PollOptions } from '../core/polling';
import type { RequestOptions } from '../core/request-options';
import { argumentError, checkArg, checkRequestOptions, requireObject } from '../internal/args';
import type { Call } from '../internal/call';
import { many, one, UnusableResponse } from '../internal/validate';
import { connectionSecrets, isoDate } from './cursor';
import { Resource, unwrapData, unwrapList } from './shared';

/*
 * Report API v1 (beta). No archived doc page exists: paths, bodies and the report statuses come
 * from a third-party client (docs/api-notes.md, "Where the Flanks API is unclear"), which types report
 * and template ids as integers. Ids are accepted as numbers or strings so a change of id type does not
 * break callers.
 */

const str = z.optional(z.nullable(z.string()));
const id = z.union([z.number(), z.string()]);

/**
 * Report `status` values known so far (beta), in the order a report goes through them: `new`,
 * `payload` (data gathered), `file` (document being rendered), then `ready` or `fail`. Other values
 * may appear; treat unknown ones as "still building".
 */
export const REPORT_STATUSES = ['new', 'payload', 'file', 'ready', 'fail'] as const;
/** A known report status, one of {@link REPORT_STATUSES}. */
export type ReportStatus = (typeof REPORT_STATUSES)[number];

/** Report languages known so far (default `en`). */
export const REPORT_LANGUAGES = ['en', 'es', 'fr'] as const;

/** A report template of your company. */
export const ReportTemplateSchema = z.looseObject({
  /** Required: it is what `reports.build({ templateId })` takes. */
  template_id: id,
  name: str,
  description: str,
});
/** A report template, the type of {@link ReportTemplateSchema}. */
export type ReportTemplate = z.infer<typeof ReportTemplateSchema>;

/** A report being built, or built (beta). */
export const ReportSchema = z.looseObject({
  /** Required: it is how `getStatus`, `waitUntilReady` and `getContentUrl` name the report. */
  report_id: id,
  template_id: z.optional(z.nullable(id)),
  /** See {@link REPORT_STATUSES}. Required: `waitUntilReady` decides on it. */
  status: z.string(),
});
/** A report, the type of {@link ReportSchema}. */
export type Report = z.infer<typeof ReportSchema>;

// The URL is the whole answer (`getContentUrl` returns it).
const ReportContentSchema = z.looseObject({ url: z.string().check(z.minLength(1)) });

/**
 * Argument of `reports.build`.
 * @example
 * const params: BuildReportParams = {
 *   templateId: 1, query: { connection_id_in: [token] }, templateAttributes: { title: 'Q1 summary' },
 *   language: 'es', startDate: '2026-01-01', endDate: '2026-03-31',
 * };
 */
export const BuildReportParamsSchema = z.object({
  templateId: id,
  /** Selects the data, in Flanks' filters (labels included); `{}` when left out. */
  query: z.optional(z.record(z.string(), z.unknown())),
  /** Fills the template; `{}` when left out. */
  templateAttributes: z.optional(z.record(z.string(), z.unknown())),
  /** `en` (default), `es` or `fr`; see {@link REPORT_LANGUAGES}. */
  language: z.optional(z.string().check(z.minLength(1))),
  /** First day covered, `YYYY-MM-DD`. */
  startDate: isoDate,
  /** Last day covered, `YYYY-MM-DD`; Flanks defaults to today. */
  endDate: isoDate,
});
/** Argument of `reports.build`, the type of {@link BuildReportParamsSchema}. */
export type BuildReportParams = z.infer<typeof BuildReportParamsSchema>;

/**
 * Options of `reports.waitUntilReady`.
 * @example await flanks.reports.waitUntilReady(reportId, { timeoutMs: 120_000, onReport: (r) => console.log(r.status) });
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
 * @example
 * const [template] = await flanks.reports.listTemplates();
 * const report = await flanks.reports.build({ templateId: template.template_id, query: { connection_id_in: [token] } });
 * await flanks.reports.waitUntilReady(report.report_id);
 * const url = await flanks.reports.getContentUrl(report.report_id);
 * @see https://docs.flanks.io/pages/flanks-apis/report-api/
 */
export class Reports extends Resource {
  /**
   * Lists your report templates.
   * @example for (const t of await flanks.reports.listTemplates()) console.log(t.template_id, t.name);
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
   * @example const report = await flanks.reports.build({ templateId: 1, query: { connection_id_in: [token] } });
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
   * @example const { status } = await flanks.reports.getStatus(reportId);
   */
  getStatus(reportId: number | string, options?: RequestOptions): APIPromise<Report> {
    return this.call(async (call) => {
      const report_id = checkId(reportId, 'reportId');
      return this.#report(call, '/report/v1/get-report-status', { report_id }, true, options);
    });
  }

  /**
   * Polls the report (with the poller `credentials.waitUntilReady` uses) until it is `ready`.
   * Rejects with `FlanksReportError` on `fail`, `FlanksTimeoutError` after `timeoutMs` (default
   * 5 minutes) and `FlanksAbortError` on `signal`. `.withResponse()` describes the status read that
   * ended the wait; its `calls` is the number of polls.
   * @example const report = await flanks.reports.waitUntilReady(reportId, { timeoutMs: 120_000 });
   */
  waitUntilReady(reportId: number | string, options: WaitForReportOptions = {}): APIPromise<Report> {
    return this.waitFor(options, 'the report to be ready', 'onReport', () => {
      const report_id = checkId(reportId, 'reportId');
      return {
        read: (request) => this.getStatus(report_id, request),
        isDone: (report) => {
          if (report.status === 'fail') {
            throw new FlanksReportError(
              `Flanks could not build report ${report.report_id} (status fail). Build it again, or quote the report id to Flanks support.`,
              { reportId: report.report_id, reportStatus: report.status },
            );
          }
          return report.status === 'ready';
        },
      };
    });
  }

  /**
   * Returns the URL to download a `ready` report from. Treat it as a secret: whoever has it can
   * read the report.
   * @example const pdf = await fetch(await flanks.reports.getContentUrl(reportId)).then((r) => r.arrayBuffer());
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
