import { findForms, type Page } from '../../examples/lib/browser';

export interface Visit extends Page {
  /** Every URL loaded, redirects included, in order. */
  hops: string[];
}

/**
 * A scripted browser with a cookie jar: follows redirects by hand (303 → GET, as browsers do) and
 * sends back the cookies each host set. Cookies are scoped by host, not port, like a browser's; the
 * app (and only the app) sets `uid`, so the sandbox's Link pages never see it matter.
 */
export class CookieBrowser {
  private readonly jar = new Map<string, Map<string, string>>();

  cookies(url: string): Record<string, string> {
    return Object.fromEntries(this.jar.get(new URL(url).hostname) ?? []);
  }

  async open(url: string): Promise<Visit> {
    return this.request(url, { method: 'GET' });
  }

  /**
   * Fills and submits a form of the page, like clicking its submit button: the first one (the page's
   * main action), or with `form` the first whose action ends with it (`/cancel`). With `stopBefore`,
   * a redirect to a URL starting with it is not followed: the visit ends there (status 0, no html),
   * as when an attacker stops at their own redirect to keep the link code.
   */
  async submit(
    page: Page,
    values: Record<string, string>,
    { stopBefore, form: action }: { stopBefore?: string; form?: string } = {},
  ): Promise<Visit> {
    const forms = findForms(page);
    const form =
      action === undefined ? forms[0] : forms.find((f) => new URL(f.action).pathname.endsWith(action));
    if (!form)
      throw new Error(
        `No form${action ? ` posting to …${action}` : ''} on ${page.url} (HTTP ${page.status})`,
      );
    const fields = new URLSearchParams({ ...form.fields, ...values });
    if (form.method === 'GET') {
      const target = new URL(form.action);
      for (const [name, value] of fields) target.searchParams.set(name, value);
      return this.request(target.href, { method: 'GET' }, stopBefore);
    }
    return this.request(
      form.action,
      { method: form.method, body: fields.toString(), contentType: 'application/x-www-form-urlencoded' },
      stopBefore,
    );
  }

  private async request(
    start: string,
    init: { method: string; body?: string; contentType?: string },
    stopBefore?: string,
    maxRedirects = 10,
  ): Promise<Visit> {
    const hops: string[] = [];
    let url = start;
    let { method, body } = init;
    for (let i = 0; i <= maxRedirects; i++) {
      if (stopBefore !== undefined && hops.length > 0 && url.startsWith(stopBefore)) {
        return { url, status: 0, html: '', hops };
      }
      hops.push(url);
      const headers: Record<string, string> = {};
      const cookie = Object.entries(this.cookies(url))
        .map(([name, value]) => `${name}=${value}`)
        .join('; ');
      if (cookie) headers.cookie = cookie;
      if (body !== undefined && init.contentType) headers['content-type'] = init.contentType;
      const response = await fetch(url, { method, headers, body, redirect: 'manual' });
      this.store(url, response.headers.getSetCookie());
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel();
        url = new URL(location, url).href;
        if (
          response.status === 303 ||
          ((response.status === 301 || response.status === 302) && method === 'POST')
        ) {
          method = 'GET';
          body = undefined;
        }
        continue;
      }
      return { url, status: response.status, html: await response.text(), hops };
    }
    throw new Error(`Too many redirects from ${start}`);
  }

  private store(url: string, setCookies: string[]): void {
    const host = new URL(url).hostname;
    const cookies = this.jar.get(host) ?? new Map<string, string>();
    for (const line of setCookies) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq > 0) cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    this.jar.set(host, cookies);
  }
}

/** The text of the element with `id` (tags stripped, entities left as is), if any. */
export function textById(html: string, id: string): string | undefined {
  const match = new RegExp(`<([a-z0-9]+)[^>]*\\bid=["']${id}["'][^>]*>([\\s\\S]*?)</\\1>`, 'i').exec(html);
  return match?.[2]?.replace(/<[^>]+>/g, '').trim();
}
