// Response builders shared by the API routes and the Link pages. Error bodies follow the shapes
// archived Flanks docs show: `{"error": "..."}` for most failures, the `{success:false, error:{code,
// details}, trace_id}` envelope for Links API validation, and legacy numeric codes for data errors.

/** Thrown by request validation; the router answers with `response`. */
export class ApiProblem extends Error {
  constructor(readonly response: Response) {
    super(`Sandbox answered ${response.status}`);
  }
}

export function json(body: unknown, status = 200, headers?: Record<string, string>): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

export function errorJson(status: number, message: string, extra?: Record<string, unknown>): Response {
  return json({ error: message, ...extra }, status);
}

export function traceId(): string {
  return crypto.randomUUID();
}

export function envelopeError(code: string, details: { error_type: string; field: string }[] = []): Response {
  return json({ success: false, error: { code, details }, trace_id: traceId() }, 400);
}

export function html(body: string, status = 200): Response {
  return new Response(body, { status, headers: { 'content-type': 'text/html; charset=utf-8' } });
}

export function seeOther(location: string): Response {
  return new Response(null, { status: 303, headers: { location } });
}

export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

export type ParsedBody = { ok: true; value: unknown } | { ok: false; text: string };

/** JSON when it parses, form fields for form posts; the caller decides how strict to be. */
export function parseBody(text: string, contentType: string | null): ParsedBody {
  if (text === '') return { ok: true, value: undefined };
  if (contentType?.includes('application/x-www-form-urlencoded')) {
    return { ok: true, value: Object.fromEntries(new URLSearchParams(text)) };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, text };
  }
}
