/*
 * The README's quick start, grown into a small web app (`npm run example:web`). Same routes, same
 * names, same Flanks calls; it adds HTML pages, a message for every Link error, several banks per
 * user and a stand-in for your login:
 *   GET  /login?user=alice   "logs in" (a cookie; stands in for your real authentication)
 *   GET  /connect            sends the logged-in user to the Flanks Link, signed for that user
 *   GET  /flanks/callback    the link's Redirect URI: completes the Link for the logged-in user and
 *                            redirects, so a refresh cannot replay the single-use code
 *   GET  /portfolios         one status read per bank, no waiting: the data, a "still fetching" page
 *                            that refreshes itself, or a "sign in again" button
 *   POST /reconnect          re-authenticates a blocked credential (or one the bank wants SCA for)
 *                            through the Link, without creating a second credential
 * Unexpected errors get a generic page with a reference; the details go to the log.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Request } from 'express';
import {
  type CredentialRecord,
  credentialState,
  FlanksApiError,
  type FlanksClient,
  FlanksCredentialConflictError,
  FlanksError,
  FlanksLinkCodeError,
  FlanksLinkDelayedError,
  FlanksLinkStateError,
  INVESTMENT_TYPES,
  PORTFOLIO_TYPES,
} from 'flanks-sdk';

export interface WebAppOptions {
  flanks: FlanksClient;
  /** The link to send users through (the README's LINK_TOKEN); its Redirect URI must be `<app>/flanks/callback`. */
  linkToken: string;
  /** Preselect a bank in the Link (e.g. `testbank`). */
  bank?: string;
  /** How often the "still fetching your data" page reloads itself, in seconds. Default 5. */
  refreshSeconds?: number;
  /** Where unexpected errors are logged, with the reference shown to the user. Default: console.error. */
  logError?: (reference: string, error: unknown) => void;
}

/** What to tell the user for each `?error=` of the Link (docs/link-outcomes.md has the reasons). */
const LINK_ERRORS: Record<string, string> = {
  INVALID_CREDENTIALS: 'The bank did not accept that username or password.',
  INVALID_SCA: 'The verification code was not accepted.',
  CREDENTIALS_ALREADY_EXIST:
    'This bank login is already connected. If it stopped working, use “Sign in to your bank again” on your portfolios page.',
  INTERNAL_ERROR: 'We could not reach your bank. Please try again later.',
  SCA_TYPE_NOT_ALLOWED: 'Your bank asked for a kind of verification we cannot handle yet.',
  USER_INTERACTION_NEEDED: 'Your bank needs you to complete a step in its app or website. Then try again.',
};

const esc = (value: unknown) => String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const money = (cents: number, currency: string) =>
  new Intl.NumberFormat('es-ES', { style: 'currency', currency, useGrouping: 'always' }).format(cents / 100);

/** An amount in whole cents: adding the floats themselves gives totals like 145694.91999999998. */
const toCents = (amount: number | null | undefined) => Math.round((amount ?? 0) * 100);

function page(title: string, body: string, refreshSeconds?: number): string {
  const refresh = refreshSeconds ? `<meta http-equiv="refresh" content="${refreshSeconds}">` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">${refresh}<title>${esc(title)}</title>
<style>body{font:15px system-ui,sans-serif;max-width:860px;margin:2rem auto;padding:0 1rem;color:#1d2433}
h1{font-size:1.5rem}table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}
td,th{padding:.35rem .5rem;border-bottom:1px solid #e3e6ee;text-align:left}td.n,th.n{text-align:right}
.card{border:1px solid #e3e6ee;border-radius:10px;padding:1rem 1.25rem;margin:1rem 0}
#error{background:#fdecec;border:1px solid #f5b5b5;padding:.75rem 1rem;border-radius:8px}
a.button,button{display:inline-block;background:#2f5bea;color:#fff;padding:.5rem 1rem;border:0;border-radius:8px;text-decoration:none;font:inherit;cursor:pointer}</style>
</head><body><h1>${esc(title)}</h1>${body}</body></html>`;
}

const CONNECT_BUTTON = '<a class="button" id="connect" href="/connect">Connect your bank</a>';

function defaultLogError(reference: string, error: unknown): void {
  // FlanksError messages and toJSON() carry no secrets (status, Flanks code, trace id, path); other
  // errors are logged as they are.
  console.error(`[web-app] ${reference}:`, error instanceof FlanksError ? error.toJSON() : error);
}

/** The logged-in user's id: the cookie /login sets here, your session in a real app. */
function sessionUser(req: Request): string | undefined {
  const match = /(?:^|;\s*)uid=([^;]+)/.exec(req.headers.cookie ?? '');
  return match ? decodeURIComponent(match[1]!) : undefined;
}

/**
 * The README's `currentUser(req)`: the signed-in user's id, never a value read from the URL. The
 * login check runs before every route that calls it.
 */
function currentUser(req: Request): string {
  const userId = sessionUser(req);
  if (userId === undefined) throw new Error('currentUser() called on a route without the login check.');
  return userId;
}

export function createWebApp(options: WebAppOptions): express.Express {
  const { flanks } = options;
  const store = flanks.store;
  if (!store) throw new FlanksError('The web app needs a FlanksClient with a store.');
  const LINK_TOKEN = options.linkToken;
  const refreshSeconds = options.refreshSeconds ?? 5;
  const logError = options.logError ?? defaultLogError;
  const app = express();
  app.disable('x-powered-by');

  app.get('/login', (req, res) => {
    const name = new URL(req.originalUrl, 'http://app.invalid').searchParams.get('user') || 'demo-user';
    res.cookie('uid', name, { path: '/', httpOnly: true, sameSite: 'lax' }).redirect(303, '/');
  });

  // The login check: every route below is for a logged-in user.
  app.use((req, res, next) => (sessionUser(req) === undefined ? res.redirect(303, '/login') : next()));

  app.get('/', (req, res) => {
    res.send(
      page(`Hello, ${currentUser(req)}`, `<p>${CONNECT_BUTTON} <a href="/portfolios">My portfolios</a></p>`),
    );
  });

  // 1. Send the user to the Link, signed for them.
  app.get('/connect', (req, res) => {
    const userId = currentUser(req);
    const url = flanks.links.buildUrl({
      token: LINK_TOKEN,
      userId, // signed into the URL's `state`: only this user can complete it
      externalId: userId, // Flanks keeps it on the credential: found if lost
      rollback: true, // errors and Cancel come back to you as ?error=
      bank: options.bank, // skips the bank picker
    });
    res.redirect(303, url);
  });

  // 2. The Link sends the user back to the Redirect URI.
  app.get('/flanks/callback', async (req, res) => {
    const userId = currentUser(req);
    const redirect = flanks.links.parseRedirect(req.originalUrl);
    if (!redirect.ok) {
      // Nothing was created. Every code, and what to say: docs/link-outcomes.md
      if (redirect.error === 'ABORTED_BY_USER') {
        return res.send(
          page(
            'Connection cancelled',
            `<p id="cancelled">You cancelled connecting your bank. Nothing was shared.</p><p>${CONNECT_BUTTON}</p>`,
          ),
        );
      }
      const message = LINK_ERRORS[redirect.error] ?? 'Your bank could not be connected. Please try again.';
      return res
        .status(400)
        .send(
          page(
            'Bank connection failed',
            `<p id="error">${esc(message)}</p><p><a href="/connect">Try again</a></p>`,
          ),
        );
    }
    try {
      // Exchanges the code, checks that this user started the Link, stores.
      await flanks.completeLink({ code: redirect.code, userId });
    } catch (error) {
      // Codes are single-use: a refresh of this URL brings a used one back.
      if (error instanceof FlanksLinkCodeError) {
        return res
          .status(400)
          .send(
            page(
              'This link was already used',
              '<p id="reused">Each bank connection link works only once, and this one was opened again (a page refresh or the Back button does that). If your bank was connected, it is on your portfolios page; otherwise, connect it again.</p><p><a class="button" href="/portfolios">My portfolios</a> <a href="/connect">Connect your bank</a></p>',
            ),
          );
      }
      if (error instanceof FlanksLinkDelayedError) {
        return res.send(
          page(
            'Almost there',
            '<p id="delayed">Your bank is connected; your data will appear within a few days.</p>',
          ),
        );
      }
      if (error instanceof FlanksLinkStateError || error instanceof FlanksCredentialConflictError) {
        // Someone else's code (a forged link), an expired one, or a connection another account holds:
        // nothing was stored. Details go to the log, not to the page.
        logError(randomUUID(), error);
        const message =
          error instanceof FlanksLinkStateError
            ? 'This bank connection was not started from your account, or took too long. Please connect again.'
            : 'This bank login is already connected to another account.';
        return res
          .status(400)
          .send(
            page(
              'Bank connection not saved',
              `<p id="error">${esc(message)}</p><p><a href="/connect">Connect your bank</a></p>`,
            ),
          );
      }
      throw error;
    }
    // Redirect, never render: a refresh here would replay the code.
    res.redirect(303, '/portfolios');
  });

  /** One bank's section of /portfolios, and whether its data is still being fetched. */
  async function bankSection(record: CredentialRecord, totals: Map<string, number>) {
    const token = record.credentialsToken;
    const { state } = credentialState(await flanks.credentials.getStatus(token));
    if (state === 'needs_reset' || state === 'needs_sca') {
      return {
        pending: false,
        html: '<div id="error">Your bank needs you to sign in again. <form method="post" action="/reconnect"><button id="reconnect">Sign in to your bank again</button></form></div>',
      };
    }
    if (state === 'pending') {
      return {
        pending: true,
        html: '<p id="loading">We are fetching your data from your bank. This page refreshes by itself.</p>',
      };
    }
    const [portfolios, investments] = await Promise.all([
      flanks.aggregation.portfolios(token),
      flanks.aggregation.investments(token),
    ]);
    const cards = portfolios.map((p) => {
      const currency = p.currency ?? 'EUR';
      totals.set(currency, (totals.get(currency) ?? 0) + toCents(p.balance));
      const rows = investments
        .filter((i) => i.portfolio_id === p._id)
        .map(
          (i) =>
            `<tr><td>${esc(i.isin)}</td><td>${esc(i.name)}</td><td>${esc(INVESTMENT_TYPES[i.type as keyof typeof INVESTMENT_TYPES] ?? i.type)}</td><td class="n">${esc(money(toCents(i.balance), i.currency ?? currency))}</td></tr>`,
        )
        .join('');
      return `<div class="card portfolio"><h2>${esc(p.name)}</h2>
<p>${esc(PORTFOLIO_TYPES[p.type as keyof typeof PORTFOLIO_TYPES] ?? p.type)} · <strong class="balance">${esc(money(toCents(p.balance), currency))}</strong></p>
<table><thead><tr><th>ISIN</th><th>Name</th><th>Type</th><th class="n">Value</th></tr></thead><tbody>${rows}</tbody></table></div>`;
    });
    return { pending: false, html: cards.join('\n') };
  }

  // 3. The data: one status read per visit, no waiting; the page reloads
  //    itself while Flanks extracts (seconds to minutes).
  app.get('/portfolios', async (req, res) => {
    const records = await store.listByUser(currentUser(req));
    if (records.length === 0) {
      return res.send(page('Your portfolios', `<p>No bank connected yet. ${CONNECT_BUTTON}</p>`));
    }
    const totals = new Map<string, number>(); // cents per currency
    const sections = [];
    for (const record of records) sections.push(await bankSection(record, totals));
    const total = [...totals].map(([currency, cents]) => money(cents, currency)).join(' + ');
    res.send(
      page(
        'Your portfolios',
        `${total ? `<p>Total: <strong id="total">${esc(total)}</strong></p>` : ''}<div id="portfolios">${sections.map((s) => s.html).join('\n')}</div><p><a href="/connect">Connect another bank</a></p>`,
        sections.some((s) => s.pending) ? refreshSeconds : undefined,
      ),
    );
  });

  // 4. Re-authenticate: the same Link, with the credential's reset/SCA token. A plain Link would
  //    try to connect the bank login again (CREDENTIALS_ALREADY_EXIST). docs/reauthentication.md
  app.post('/reconnect', async (req, res) => {
    const userId = currentUser(req);
    for (const record of await store.listByUser(userId)) {
      const reauth = await flanks.credentials.reauthToken(record.credentialsToken);
      if (!reauth) continue;
      const externalId = record.externalId ?? userId; // the same as the first time
      return res.redirect(
        303,
        flanks.links.buildUrl({ token: LINK_TOKEN, userId, externalId, rollback: true, reauth }),
      );
    }
    res.redirect(303, '/portfolios'); // nothing needs the user any more
  });

  app.use((_req, res) => {
    res.status(404).send(page('Not found', ''));
  });

  // Anything else: a generic page for the user; the details (status, Flanks
  // code, trace id; never a secret) go to your log under a reference.
  const onError: express.ErrorRequestHandler = (error, _req, res, _next) => {
    const reference = randomUUID();
    logError(reference, error);
    const traceId = error instanceof FlanksApiError ? error.traceId : undefined;
    res
      .status(500)
      .send(
        page(
          'Something went wrong',
          `<p id="error">Something went wrong on our side. Please try again later; if it keeps happening, contact support with this reference: <code id="reference">${esc(reference)}</code>${traceId ? ` (Flanks trace id <code id="trace-id">${esc(traceId)}</code>)` : ''}.</p>`,
        ),
      );
  };
  app.use(onError);
  return app;
}

/** Starts the app on loopback; `port` 0 picks a free port. */
export async function startWebApp(options: WebAppOptions & { port?: number }) {
  const app = createWebApp(options);
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(options.port ?? 0, '127.0.0.1', (error?: Error) =>
      error ? reject(error) : resolve(listening),
    );
  });
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
