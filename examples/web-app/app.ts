/*
 * A minimal web application integrating Flanks (node:http, no framework):
 *   GET /login?user=alice   "logs in" (a cookie; stands in for your real auth)
 *   GET /connect            sends the logged-in user to the Flanks Link, signed for that user
 *   GET /flanks/callback    the Link's Redirect URI: completes the link for the logged-in user (the
 *                           SDK refuses a code another user started), stores the credential
 *   GET /portfolios         waits for the data, then renders the user's portfolios
 * Copy the handlers into your framework of choice; the Flanks calls are the same.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  FlanksApiError,
  type FlanksClient,
  FlanksCredentialConflictError,
  FlanksCredentialsBlockedError,
  FlanksError,
  FlanksLinkDelayedError,
  FlanksLinkStateError,
  FlanksScaRequiredError,
  FlanksTimeoutError,
  INVESTMENT_TYPES,
  PORTFOLIO_TYPES,
} from 'flanks-sdk';

export interface WebAppOptions {
  flanks: FlanksClient;
  /** The Flanks link to send users through (its Redirect URI must be `<app>/flanks/callback`). */
  linkToken: string;
  /** Preselect a bank in the Link (e.g. `testbank`). */
  bank?: string;
  /** How long /portfolios waits for a fresh credential's data. */
  readyTimeoutMs?: number;
  /** Where unexpected errors are logged, with the reference shown to the user. Default: console.error. */
  logError?: (reference: string, error: unknown) => void;
}

const LINK_ERRORS: Record<string, string> = {
  INVALID_CREDENTIALS: 'The bank did not accept that username or password.',
  INVALID_SCA: 'The security code was not accepted.',
  CREDENTIALS_ALREADY_EXIST: 'This bank login is already connected.',
  INTERNAL_ERROR: 'The bank connection failed on our provider’s side. Please try again later.',
  ABORTED_BY_USER: 'You cancelled the connection.',
};

const esc = (value: unknown) => String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const money = (n: number | null | undefined, currency?: string | null) =>
  new Intl.NumberFormat('es-ES', {
    style: 'currency',
    currency: currency ?? 'EUR',
    useGrouping: 'always',
  }).format(n ?? 0);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title>
<style>body{font:15px system-ui,sans-serif;max-width:860px;margin:2rem auto;padding:0 1rem;color:#1d2433}
h1{font-size:1.5rem}table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}
td,th{padding:.35rem .5rem;border-bottom:1px solid #e3e6ee;text-align:left}td.n,th.n{text-align:right}
.card{border:1px solid #e3e6ee;border-radius:10px;padding:1rem 1.25rem;margin:1rem 0}
#error{background:#fdecec;border:1px solid #f5b5b5;padding:.75rem 1rem;border-radius:8px}
a.button{display:inline-block;background:#2f5bea;color:#fff;padding:.5rem 1rem;border-radius:8px;text-decoration:none}</style>
</head><body><h1>${esc(title)}</h1>${body}</body></html>`;
}

function defaultLogError(reference: string, error: unknown): void {
  // FlanksError messages and toJSON() carry no secrets; other errors are logged as they are.
  console.error(`[web-app] ${reference}:`, error instanceof FlanksError ? error.toJSON() : error);
}

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(html);
}

function redirect(res: ServerResponse, location: string, cookie?: string): void {
  res.writeHead(303, { location, ...(cookie ? { 'set-cookie': cookie } : {}) }).end();
}

function currentUser(req: IncomingMessage): string | undefined {
  const match = /(?:^|;\s*)uid=([^;]+)/.exec(req.headers.cookie ?? '');
  return match ? decodeURIComponent(match[1]!) : undefined;
}

export function createWebApp(options: WebAppOptions): Server {
  const { flanks } = options;
  const store = flanks.store;
  if (!store) throw new FlanksError('The web app needs a FlanksClient with a store.');

  async function portfolios(userId: string): Promise<string> {
    const records = await store!.listByUser(userId);
    if (records.length === 0)
      return '<p>No bank connected yet. <a class="button" href="/connect">Connect your bank</a></p>';
    const sections: string[] = [];
    for (const record of records) {
      const token = record.credentialsToken;
      try {
        await flanks.credentials.waitUntilReady(token, {
          products: ['portfolio', 'investment'],
          timeoutMs: options.readyTimeoutMs ?? 30_000,
          pollIntervalMs: 250,
        });
      } catch (error) {
        if (error instanceof FlanksCredentialsBlockedError || error instanceof FlanksScaRequiredError) {
          sections.push(
            `<div id="error">Your bank needs you to log in again. <a href="/connect">Reconnect</a></div>`,
          );
          continue;
        }
        if (error instanceof FlanksTimeoutError) {
          sections.push(
            '<p id="loading">Your bank data is still being fetched. Refresh this page in a minute.</p>',
          );
          continue;
        }
        throw error;
      }
      const [ports, investments] = await Promise.all([
        flanks.aggregation.portfolios(token),
        flanks.aggregation.investments(token),
      ]);
      for (const p of ports) {
        const rows = investments
          .filter((i) => i.portfolio_id === p._id)
          .map(
            (i) =>
              `<tr><td>${esc(i.isin)}</td><td>${esc(i.name)}</td><td>${esc(INVESTMENT_TYPES[i.type as keyof typeof INVESTMENT_TYPES] ?? i.type)}</td><td class="n">${esc(money(i.balance, i.currency))}</td></tr>`,
          )
          .join('');
        sections.push(`<div class="card portfolio"><h2>${esc(p.name)}</h2>
<p>${esc(PORTFOLIO_TYPES[p.type as keyof typeof PORTFOLIO_TYPES] ?? p.type)} · <strong class="balance">${esc(money(p.balance, p.currency))}</strong></p>
<table><thead><tr><th>ISIN</th><th>Name</th><th>Type</th><th class="n">Value</th></tr></thead><tbody>${rows}</tbody></table></div>`);
      }
    }
    return `<div id="portfolios">${sections.join('\n')}</div><p><a href="/connect">Connect another bank</a></p>`;
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://app.invalid');
    const user = currentUser(req);
    if (url.pathname === '/login') {
      const name = url.searchParams.get('user') || 'demo-user';
      return redirect(res, '/', `uid=${encodeURIComponent(name)}; Path=/; HttpOnly; SameSite=Lax`);
    }
    if (!user) return redirect(res, '/login');
    switch (url.pathname) {
      case '/':
        return send(
          res,
          200,
          page(
            `Hello, ${user}`,
            '<p><a class="button" id="connect" href="/connect">Connect your bank</a> <a href="/portfolios">My portfolios</a></p>',
          ),
        );
      case '/connect':
        return redirect(
          res,
          // Signed for the logged-in user: the callback only accepts a code this user started.
          flanks.links.buildUrl({
            token: options.linkToken,
            userId: user,
            bank: options.bank,
            externalId: user,
            rollback: true,
          }),
        );
      case '/flanks/callback': {
        const result = flanks.links.parseRedirect(req.url ?? '');
        if (!result.ok) {
          const message = LINK_ERRORS[result.error] ?? 'The bank connection failed.';
          return send(
            res,
            400,
            page(
              'Bank connection failed',
              `<p id="error">${esc(message)}</p><p><a href="/connect">Try again</a></p>`,
            ),
          );
        }
        try {
          // The user is the logged-in one, never a value from the redirect.
          await flanks.completeLink({ code: result.code, userId: user });
        } catch (error) {
          if (error instanceof FlanksLinkStateError || error instanceof FlanksCredentialConflictError) {
            // Someone else's code (a forged link), an expired one, or a connection another account
            // holds: nothing was stored. Details go to the log, not to the page.
            (options.logError ?? defaultLogError)(randomUUID(), error);
            return send(
              res,
              400,
              page(
                'Bank connection not saved',
                `<p id="error">${esc(error instanceof FlanksLinkStateError ? 'This bank connection was not started from your account, or took too long. Please connect again.' : 'This bank login is already connected to another account.')}</p><p><a href="/connect">Connect your bank</a></p>`,
              ),
            );
          }
          if (error instanceof FlanksLinkDelayedError) {
            return send(
              res,
              202,
              page(
                'Almost there',
                '<p id="delayed">Your bank is connected; your data will appear within a few days.</p>',
              ),
            );
          }
          throw error;
        }
        return redirect(res, '/portfolios');
      }
      case '/portfolios':
        return send(res, 200, page('Your portfolios', await portfolios(user)));
      default:
        return send(res, 404, page('Not found', ''));
    }
  }

  return createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      // End users see a generic message and a reference; the details (API paths, database text,
      // Flanks' trace id) go to the log under that reference, for support to look up.
      const reference = randomUUID();
      (options.logError ?? defaultLogError)(reference, error);
      const traceId = error instanceof FlanksApiError ? error.traceId : undefined;
      send(
        res,
        500,
        page(
          'Something went wrong',
          `<p id="error">Something went wrong on our side. Please try again later; if it keeps happening, contact support with this reference: <code id="reference">${esc(reference)}</code>${traceId ? ` (Flanks trace id <code id="trace-id">${esc(traceId)}</code>)` : ''}.</p>`,
        ),
      );
    });
  });
}

/** Starts the app on loopback; `port` 0 picks a free port. */
export async function startWebApp(options: WebAppOptions & { port?: number }) {
  const server = createWebApp(options);
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
