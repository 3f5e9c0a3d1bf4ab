// Report API v1 (beta at Flanks; known only from a third-party client): templates, building a
// report, its status steps and a content URL. Sandbox choices:
// - Two templates, 1 "Wealth summary" and 2 "Transactions statement".
// - Each status read moves a report one step, `new` → `payload` → `file` → `ready`, so a client has
//   to poll; a report whose query selects no extracted connection ends in `fail` at `payload`.
// - `query` understands `connection_id_in` (other filters are accepted and ignored).
// - The content URL is unauthenticated and unguessable, like a pre-signed link, and serves an HTML
//   document from `<linkBaseUrl>/reports/<token>.html`.

import { isRecord } from '../../internal/args';
import { allProducts, allTransactions } from './aggregation-v2';
import type { RouteContext } from './api';
import { escapeHtml, html, json, traceId } from './http';
import type { LinkCall } from './link-pages';
import type { SandboxState } from './state';
import { invalid, matchesIn, type Query, type Routes } from './v2';

export interface ReportRecord {
  reportId: number;
  clientId: string;
  templateId: number;
  status: 'new' | 'payload' | 'file' | 'ready' | 'fail';
  query: Record<string, unknown>;
  attributes: Record<string, unknown>;
  language: string;
  startDate: string | null;
  endDate: string;
  /** Secret part of the content URL, once ready. */
  fileToken: string | null;
}

const TEMPLATES = [
  { template_id: 1, name: 'Wealth summary', description: 'Balances of every product, by connection.' },
  {
    template_id: 2,
    name: 'Transactions statement',
    description: 'Every transaction in the period, newest first.',
  },
] as const;

const LANGUAGES = ['en', 'es', 'fr'] as const;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const HEADINGS: Record<string, { period: string; total: string; products: string; transactions: string }> = {
  en: { period: 'Period', total: 'Total', products: 'Products', transactions: 'Transactions' },
  es: { period: 'Periodo', total: 'Total', products: 'Productos', transactions: 'Movimientos' },
  fr: { period: 'Période', total: 'Total', products: 'Produits', transactions: 'Opérations' },
};

function reportView(report: ReportRecord): Record<string, unknown> {
  return { report_id: report.reportId, template_id: report.templateId, status: report.status };
}

function reportOf({ state, clientId, body }: RouteContext): ReportRecord {
  const id = body.report_id;
  if (id === undefined || id === null) throw invalid('report_id', 'missing');
  if (typeof id !== 'number' || !Number.isInteger(id)) throw invalid('report_id', 'invalid_type');
  const report = state.reports.get(id);
  if (!report || report.clientId !== clientId) throw invalid('report_id', 'not_found');
  return report;
}

function selection(state: SandboxState, report: ReportRecord) {
  const query = { connection_id_in: report.query.connection_id_in } as Query;
  const inQuery = (item: Record<string, unknown>) =>
    matchesIn(query, 'connection_id_in', String(item.connection_id));
  const inPeriod = (item: Record<string, unknown>) =>
    (report.startDate === null || String(item.date) >= report.startDate) &&
    String(item.date) <= report.endDate;
  return {
    products: allProducts(state, report.clientId).filter(inQuery),
    transactions: allTransactions(state, report.clientId).filter((t) => inQuery(t) && inPeriod(t)),
  };
}

/** One status step per read (see the header). */
function advance(state: SandboxState, report: ReportRecord): void {
  if (report.status === 'new') {
    report.status = selection(state, report).products.length > 0 ? 'payload' : 'fail';
  } else if (report.status === 'payload') {
    report.status = 'file';
  } else if (report.status === 'file') {
    report.status = 'ready';
    report.fileToken = state.newToken();
  }
}

function buildReport({ state, clientId, body }: RouteContext): Response {
  const templateId = body.template_id;
  if (templateId === undefined || templateId === null) throw invalid('template_id', 'missing');
  if (!TEMPLATES.some((t) => t.template_id === templateId)) throw invalid('template_id', 'not_found');
  for (const field of ['query', 'template_attributes']) {
    if (body[field] === undefined) throw invalid(field, 'missing');
    if (!isRecord(body[field])) throw invalid(field, 'invalid_type');
  }
  const language = body.language ?? 'en';
  if (!LANGUAGES.includes(language as (typeof LANGUAGES)[number])) throw invalid('language', 'invalid');
  for (const field of ['start_date', 'end_date']) {
    const value = body[field];
    if (value !== undefined && !(typeof value === 'string' && DATE.test(value)))
      throw invalid(field, 'invalid_date');
  }
  const report: ReportRecord = {
    reportId: state.reports.size + 1,
    clientId,
    templateId: templateId as number,
    status: 'new',
    query: body.query as Record<string, unknown>,
    attributes: body.template_attributes as Record<string, unknown>,
    language: language as string,
    startDate: (body.start_date as string | undefined) ?? null,
    endDate: (body.end_date as string | undefined) ?? new Date(state.now()).toISOString().slice(0, 10),
    fileToken: null,
  };
  state.reports.set(report.reportId, report);
  return json(reportView(report));
}

export const REPORT_ROUTES: Routes = {
  '/report/v1/list-templates': { POST: () => json({ items: TEMPLATES }) },
  '/report/v1/build-report': { POST: buildReport },
  '/report/v1/get-report-status': {
    POST: (context) => {
      const report = reportOf(context);
      advance(context.state, report);
      return json(reportView(report));
    },
  },
  '/report/v1/get-report-content': {
    POST: (context) => {
      const report = reportOf(context);
      if (report.status !== 'ready' || report.fileToken === null) {
        return json({ success: false, error: { code: 'ReportNotReady' }, trace_id: traceId() }, 409);
      }
      return json({ url: `${context.state.config.linkBaseUrl}/reports/${report.fileToken}.html` });
    },
  },
};

function money(amount: unknown, currency: unknown): string {
  return `${Number(amount ?? 0).toFixed(2)} ${String(currency ?? 'EUR')}`;
}

function renderReport(state: SandboxState, report: ReportRecord): string {
  const template = TEMPLATES.find((t) => t.template_id === report.templateId) ?? TEMPLATES[0];
  const words = HEADINGS[report.language] ?? HEADINGS.en!;
  const { products, transactions } = selection(state, report);
  const title = typeof report.attributes.title === 'string' ? report.attributes.title : template.name;
  // Liabilities carry their outstanding principal as a positive balance: it counts against wealth.
  const total = products.reduce(
    (sum, p) => sum + (p.product_type === 'Liability' ? -1 : 1) * Number(p.balance ?? 0),
    0,
  );
  const rows =
    report.templateId === 2
      ? transactions.map(
          (t) =>
            `<tr><td>${escapeHtml(String(t.date))}</td><td>${escapeHtml(String(t.description))}</td><td>${escapeHtml(money(t.amount, t.currency))}</td></tr>`,
        )
      : products.map(
          (p) =>
            `<tr><td>${escapeHtml(String(p.product_type))}</td><td>${escapeHtml(String(p.name))}</td><td>${escapeHtml(money(p.balance, p.currency))}</td></tr>`,
        );
  return `<!doctype html>
<html lang="${escapeHtml(report.language)}">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>${words.period}: ${escapeHtml(report.startDate ?? '…')} – ${escapeHtml(report.endDate)}</p>
<p id="total">${words.total}: ${escapeHtml(money(total, 'EUR'))}</p>
<h2>${report.templateId === 2 ? words.transactions : words.products} (${rows.length})</h2>
<table>${rows.join('\n')}</table>
</body>
</html>
`;
}

/** Serves a ready report's content under `<linkBaseUrl>/reports/`, or `undefined` for other paths. */
export function handleReportFile(state: SandboxState, call: LinkCall): Response | undefined {
  const match = /^\/reports\/([0-9a-f]+)\.html$/.exec(call.subpath);
  if (!call.subpath.startsWith('/reports/')) return undefined;
  const report = match ? [...state.reports.values()].find((r) => r.fileToken === match[1]) : undefined;
  if (!report || call.method !== 'GET')
    return html('<!doctype html><title>Not found</title><p>Not found.</p>', 404);
  return html(renderReport(state, report));
}
