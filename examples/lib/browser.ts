/*
 * A tiny scripted "browser" for the examples: it loads a page, fills the page's form and submits it
 * the way a browser does (form-encoded POST, following redirects). Enough to walk a user through the
 * sandbox's Link page over real HTTP; not an HTML engine.
 */

export interface Page {
  url: string;
  status: number;
  html: string;
}

export interface Form {
  action: string;
  method: string;
  fields: Record<string, string>;
  /** Names of `<select>` fields with their option values. */
  selects: Record<string, string[]>;
}

function decode(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function attr(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  return match ? decode(match[2] ?? match[3] ?? match[4] ?? '') : undefined;
}

/** The page's forms, in document order. */
export function findForms(page: Page): Form[] {
  return (page.html.match(/<form\b[^>]*>[\s\S]*?<\/form>/gi) ?? []).map((html) => {
    const formTag = /<form\b[^>]*>/i.exec(html)![0];
    const fields: Record<string, string> = {};
    for (const input of html.match(/<input\b[^>]*>/gi) ?? []) {
      const name = attr(input, 'name');
      if (name) fields[name] = attr(input, 'value') ?? '';
    }
    const selects: Record<string, string[]> = {};
    for (const select of html.match(/<select\b[\s\S]*?<\/select>/gi) ?? []) {
      const name = attr(select, 'name');
      if (!name) continue;
      selects[name] = (select.match(/<option\b[^>]*>/gi) ?? []).map((o) => attr(o, 'value') ?? '');
      fields[name] = selects[name][0] ?? '';
    }
    return {
      action: new URL(attr(formTag, 'action') ?? page.url, page.url).toString(),
      method: (attr(formTag, 'method') ?? 'GET').toUpperCase(),
      fields,
      selects,
    };
  });
}

/** The page's first form: its main action. */
export function findForm(page: Page): Form | undefined {
  return findForms(page)[0];
}

export async function open(url: string): Promise<Page> {
  const response = await fetch(url, { redirect: 'follow' });
  return { url: response.url, status: response.status, html: await response.text() };
}

/** Submits the page's form with `values` filled in, following redirects like a browser. */
export async function submit(page: Page, values: Record<string, string>): Promise<Page> {
  const form = findForm(page);
  if (!form) throw new Error(`No form on ${page.url} (HTTP ${page.status})`);
  const body = new URLSearchParams({ ...form.fields, ...values });
  const response = await fetch(form.action, {
    method: form.method,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
    redirect: 'follow',
  });
  return { url: response.url, status: response.status, html: await response.text() };
}

/** The text of an element with `id`, if the page has one (used for error messages). */
export function textOf(page: Page, id: string): string | undefined {
  const match = new RegExp(`<[^>]+id=["']${id}["'][^>]*>([\\s\\S]*?)</`, 'i').exec(page.html);
  return match ? decode(match[1]!.replace(/<[^>]+>/g, '').trim()) : undefined;
}
