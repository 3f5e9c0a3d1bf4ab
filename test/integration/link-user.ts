import { FlanksClient, type FlanksClientOptions, MemoryCredentialStore } from '../../src';
import { type RunningSandbox, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET } from '../../src/testing';
import { spyLogger } from '../helpers';
import { errorText } from '../testing/helpers';

const STATE_SECRET = 'sandbox-user-tests-state-secret-0123456789';

/** An app's client of the sandbox: signed link state on, a memory store, strict validation. */
export function appClient(running: RunningSandbox, options: FlanksClientOptions = {}): FlanksClient {
  return new FlanksClient({
    clientId: SANDBOX_CLIENT_ID,
    clientSecret: SANDBOX_CLIENT_SECRET,
    baseUrl: running.url,
    linkBaseUrl: running.linkBaseUrl,
    stateSecret: STATE_SECRET,
    store: new MemoryCredentialStore(),
    validation: 'strict',
    logger: spyLogger(),
    ...options,
  });
}

/*
 * A user in the sandbox's Link or Connect widget pages, driven over HTTP the way a browser without
 * JavaScript would: it opens a URL, fills and submits the page's forms, and stops at a redirect
 * back to the app (303) instead of following it, so the test reads the redirect as the app would.
 */

interface Form {
  action: string;
  fields: Record<string, string>;
}

const decode = (value: string) =>
  value
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');

function formsOf(html: string): Form[] {
  return [...html.matchAll(/<form method="post" action="([^"]*)">([\s\S]*?)<\/form>/g)].map(
    ([, action, body]) => {
      const fields: Record<string, string> = {};
      for (const [, attributes] of (body ?? '').matchAll(/<input\b([^>]*)>/g)) {
        const attrs = Object.fromEntries(
          [...(attributes ?? '').matchAll(/([\w-]+)="([^"]*)"/g)].map(([, k, v]) => [k, v]),
        );
        if (attrs.name) fields[attrs.name] = decode(attrs.value ?? '');
      }
      return { action: decode(action ?? ''), fields };
    },
  );
}

let users = 0;

export class LinkUser {
  /** The page shown, or `''` after a redirect. */
  page = '';
  status = 0;
  /** Where the last step sent the user back to the app (a 303), if it did. */
  redirectedTo: string | undefined;

  async open(url: string): Promise<this> {
    return this.#take(await fetch(url, { redirect: 'manual' }));
  }

  /** Fills the page's main (first) form with `values` and submits it. */
  async submit(values: Record<string, string>): Promise<this> {
    const form = formsOf(this.page)[0];
    if (!form)
      throw new Error(`no form on the page (HTTP ${this.status}): ${this.error ?? this.page.slice(0, 200)}`);
    return this.#post(form, values);
  }

  /** Presses Cancel. */
  async cancel(): Promise<this> {
    const form = formsOf(this.page).find((f) => f.action.endsWith('/cancel'));
    if (!form) throw new Error('no Cancel button on the page');
    return this.#post(form, {});
  }

  /** Logs in (keeping a username the page filled in unless one is given), then answers each SCA challenge. */
  async connect(password: string, options: { username?: string; sca?: string[] } = {}): Promise<this> {
    // A fresh username by default: TestBank refuses the same login details twice.
    const username = options.username || formsOf(this.page)[0]?.fields.username || `user-${++users}`;
    await this.submit({ username, password });
    for (const answer of options.sca ?? []) await this.submit({ sca: answer });
    return this;
  }

  /** The redirect back to the app; throws when the user is still on a page. */
  get back(): string {
    if (this.redirectedTo === undefined) {
      throw new Error(`no redirect (HTTP ${this.status}): ${this.error ?? this.page.slice(0, 200)}`);
    }
    return this.redirectedTo;
  }

  get error(): string | undefined {
    return errorText(this.page);
  }

  get fields(): Record<string, string> {
    return formsOf(this.page)[0]?.fields ?? {};
  }

  async #post(form: Form, values: Record<string, string>): Promise<this> {
    const body = new URLSearchParams({ ...form.fields, ...values });
    return this.#take(await fetch(form.action, { method: 'POST', body, redirect: 'manual' }));
  }

  async #take(response: Response): Promise<this> {
    this.status = response.status;
    this.redirectedTo = response.status === 303 ? (response.headers.get('location') ?? '') : undefined;
    this.page = this.redirectedTo === undefined ? await response.text() : '';
    if (this.redirectedTo !== undefined) await response.body?.cancel();
    return this;
  }
}
