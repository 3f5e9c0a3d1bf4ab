import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebApp } from '../../examples/web-app/app';
import { FlanksClient, MemoryCredentialStore } from '../../src';
import {
  type RunningSandbox,
  SANDBOX_CLIENT_ID,
  SANDBOX_CLIENT_SECRET,
  startSandbox,
} from '../../src/testing';
import { CookieBrowser, textById, type Visit } from './cookie-browser';

// The README's quick start, grown (examples/web-app), driven over HTTP like a browser without
// JavaScript against the sandbox on loopback. A new credential answers `pending` to its first two
// status reads (the sandbox's default `pendingPolls`), and /portfolios reads the status once per visit.

const ISIN = /<td>([A-Z]{2}[A-Z0-9]{9}\d)<\/td>/g;
const PENDING_POLLS = 2;

let running: RunningSandbox;
let app: Awaited<ReturnType<typeof startWebApp>>;
let store: MemoryCredentialStore;
let flanks: FlanksClient;
const logged: Array<{ reference: string; error: unknown }> = [];

beforeAll(async () => {
  running = await startSandbox({ pendingPolls: PENDING_POLLS });
  store = new MemoryCredentialStore();
  flanks = new FlanksClient({
    clientId: SANDBOX_CLIENT_ID,
    clientSecret: SANDBOX_CLIENT_SECRET,
    baseUrl: running.url,
    linkBaseUrl: running.linkBaseUrl,
    store,
  });
  // The app's port is only known once it listens: create the link first, point it at the app after.
  const link = await flanks.links.create({ redirect_uri: 'http://127.0.0.1/pending', name: 'web-app test' });
  app = await startWebApp({
    flanks,
    linkToken: link.token,
    bank: 'testbank',
    logError: (reference, error) => logged.push({ reference, error }),
  });
  await flanks.links.edit({ token: link.token, redirect_uri: `${app.url}/flanks/callback` });
});

afterAll(async () => {
  await app?.close();
  await running?.close();
});

/** Logs `user` in to the app and follows "Connect your bank" to the Link's TestBank login form. */
async function openLink(user: string): Promise<{ browser: CookieBrowser; login: Visit }> {
  const browser = new CookieBrowser();
  const home = await browser.open(`${app.url}/login?user=${user}`);
  expect(home.url).toBe(`${app.url}/`);
  expect(textById(home.html, 'connect')).toBe('Connect your bank');
  expect(browser.cookies(app.url)).toEqual({ uid: user });

  const login = await browser.open(`${app.url}/connect`);
  expect(login.url.startsWith(running.linkBaseUrl)).toBe(true);
  const params = new URL(login.url).searchParams;
  expect(params.get('external_id')).toBe(user);
  expect(params.get('rollback')).toBe('true');
  expect(params.get('state')).toMatch(/^v2\./);
  expect(login.html).toContain('Sign in to TestBank');
  return { browser, login };
}

/**
 * Reloads /portfolios while it says the data is still being fetched, as its `<meta refresh>` makes a
 * browser do; returns the first page that is not, and how many reloads that took.
 */
async function untilFetched(browser: CookieBrowser, page: Visit): Promise<{ page: Visit; reloads: number }> {
  let reloads = 0;
  while (textById(page.html, 'loading') !== undefined) {
    expect(page.html).toContain('<meta http-equiv="refresh" content="5">');
    if (++reloads > PENDING_POLLS + 1) throw new Error('/portfolios still loading: does it read the status?');
    page = await browser.open(`${app.url}/portfolios`);
  }
  return { page, reloads };
}

function expectPortfolios(page: Visit): string[] {
  expect(page.status).toBe(200);
  expect(new URL(page.url).pathname).toBe('/portfolios');
  expect(page.html).toContain('class="card portfolio"');
  expect(page.html).not.toContain('http-equiv="refresh"');
  const isins = [...page.html.matchAll(ISIN)].map((m) => m[1]!);
  expect(isins.length).toBeGreaterThan(0);
  return isins;
}

/** Connects `user`'s TestBank with `password` and reloads /portfolios until the extraction ends. */
async function connect(user: string, password = 'correct-horse') {
  const { browser, login } = await openLink(user);
  const landed = await browser.submit(login, { username: `${user}-bank`, password });
  const { page } = await untilFetched(browser, landed);
  const [record, ...others] = await store.listByUser(user);
  expect(others).toEqual([]);
  return { browser, page, token: record!.credentialsToken, callback: landed.hops[landed.hops.length - 2]! };
}

const euros = (cents: number) =>
  new Intl.NumberFormat('es-ES', { style: 'currency', currency: 'EUR', useGrouping: 'always' }).format(
    cents / 100,
  );

describe('example web app against the sandbox', () => {
  it('connects TestBank through the Link, says the data is coming, then shows it with an exact total', async () => {
    const { browser, login } = await openLink('alice');
    const landed = await browser.submit(login, { username: 'alice-bank', password: 'correct-horse' });

    // The callback completed the Link and redirected (303) away, so nothing can replay the code.
    const callback = landed.hops[landed.hops.length - 2]!;
    expect(callback.startsWith(`${app.url}/flanks/callback?`)).toBe(true);
    expect(new URL(callback).searchParams.get('code')).toBeTruthy();
    expect(landed.url).toBe(`${app.url}/portfolios`);
    // No request waits for the extraction: one status read per visit, the page reloads itself.
    expect(textById(landed.html, 'loading')).toBe(
      'We are fetching your data from your bank. This page refreshes by itself.',
    );
    const { page, reloads } = await untilFetched(browser, landed);
    expect(reloads).toBe(PENDING_POLLS);
    expectPortfolios(page);

    const records = await store.listByUser('alice');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ userId: 'alice', externalId: 'alice' });
    // The total adds cents, so it is the exact sum of the balances Flanks sent.
    const portfolios = await flanks.aggregation.portfolios(records[0]!.credentialsToken);
    const cents = portfolios.reduce((sum, p) => sum + Math.round((p.balance ?? 0) * 100), 0);
    expect(portfolios.length).toBeGreaterThan(1);
    expect(textById(page.html, 'total')).toBe(euros(cents));
  });

  it('shows the app’s message when the bank rejects the password (rollback)', async () => {
    const { browser, login } = await openLink('bob');
    const landed = await browser.submit(login, { username: 'bob-bank', password: 'INVALID_CREDENTIALS' });

    expect(landed.status).toBe(400);
    expect(new URL(landed.url).pathname).toBe('/flanks/callback');
    expect(new URL(landed.url).searchParams.get('error')).toBe('INVALID_CREDENTIALS');
    expect(textById(landed.html, 'error')).toBe('The bank did not accept that username or password.');
    expect(await store.listByUser('bob')).toEqual([]);
  });

  it('Cancel at the Link brings the user back with ?error=ABORTED_BY_USER: a calm page, nothing stored', async () => {
    const { browser, login } = await openLink('frank');
    const landed = await browser.submit(login, {}, { form: '/cancel' });

    expect(new URL(landed.url).pathname).toBe('/flanks/callback');
    expect(new URL(landed.url).searchParams.get('error')).toBe('ABORTED_BY_USER');
    expect(landed.status).toBe(200);
    expect(textById(landed.html, 'cancelled')).toBe(
      'You cancelled connecting your bank. Nothing was shared.',
    );
    expect(textById(landed.html, 'connect')).toBe('Connect your bank');
    expect(await store.listByUser('frank')).toEqual([]);
  });

  it('passes an SCA step, then shows the portfolios', async () => {
    const { browser, login } = await openLink('carol');
    const challenge = await browser.submit(login, { username: 'carol-bank', password: 'SCA_SMS' });
    expect(challenge.url).toBe(`${running.linkBaseUrl}/submit`);
    expect(challenge.html).toContain('Verify it is you');
    expect(challenge.html).toContain('name="sca"');

    const landed = await browser.submit(challenge, { sca: '123456' });
    expectPortfolios((await untilFetched(browser, landed)).page);
    expect(await store.listByUser('carol')).toHaveLength(1);
  });

  it('the callback URL opened again (a reload, Back) gets the “already used” page; the connection stays', async () => {
    const { browser, page, token, callback } = await connect('grace');
    expectPortfolios(page);
    const before = logged.length;

    const again = await browser.open(callback);
    expect(again.hops).toEqual([callback]);
    expect(again.status).toBe(400);
    expect(textById(again.html, 'reused')).toMatch(/^Each bank connection link works only once/);
    expect(again.html).toContain('<a class="button" href="/portfolios">My portfolios</a>');
    expect(again.html).not.toMatch(/Invalid code|HTTP 400|\/v0\//);
    expect(logged.length).toBe(before);
    expect((await store.listByUser('grace')).map((r) => r.credentialsToken)).toEqual([token]);
  });

  it('a delayed token: the user is told the data comes later, nothing is stored', async () => {
    const { browser, login } = await openLink('hana');
    const landed = await browser.submit(login, { username: 'hana-bank', password: 'SANDBOX_DELAYED' });
    expect(new URL(landed.url).pathname).toBe('/flanks/callback');
    expect(textById(landed.html, 'delayed')).toBe(
      'Your bank is connected; your data will appear within a few days.',
    );
    expect(await store.listByUser('hana')).toEqual([]);
  });

  it('a blocked credential: “Sign in to your bank again” re-authenticates the same credential through the Link', async () => {
    const { browser, page: ready, token } = await connect('dave');
    expectPortfolios(ready);
    running.sandbox.block(token); // e.g. dave changed his bank password

    const blocked = await browser.open(`${app.url}/portfolios`);
    expect(blocked.status).toBe(200);
    expect(textById(blocked.html, 'error')).toBe(
      'Your bank needs you to sign in again. Sign in to your bank again',
    );
    expect(blocked.html).not.toContain('class="card portfolio"');

    // POST /reconnect → the Link for this credential (not a plain Link: CREDENTIALS_ALREADY_EXIST).
    const relink = await browser.submit(blocked, {});
    expect(relink.hops[0]).toBe(`${app.url}/reconnect`);
    const params = new URL(relink.url).searchParams;
    expect(params.get('reset_token')).toBe((await flanks.credentials.getStatus(token)).reset_token);
    expect(params.get('external_id')).toBe('dave');
    expect(relink.html).toContain('Reconnect TestBank');
    expect(relink.html).toContain('value="dave-bank"');

    const landed = await browser.submit(relink, { password: 'new-password' });
    expect(landed.url).toBe(`${app.url}/portfolios`);
    const { page, reloads } = await untilFetched(browser, landed); // the data is extracted again
    expect(reloads).toBeGreaterThan(0);
    expectPortfolios(page);
    expect((await store.listByUser('dave')).map((r) => r.credentialsToken)).toEqual([token]);
    const credentials = await flanks.credentials.list().toArray({ limit: 1000 });
    expect(credentials.filter((c) => c.external_id === 'dave').map((c) => c.credentials_token)).toEqual([
      token,
    ]);
  });

  it('the bank wants SCA again: the re-authentication Link opens on the challenge', async () => {
    // This password makes the bank ask for SCA again once the first extraction is done.
    const { browser, page, token } = await connect('ivan', 'SANDBOX_SCA_REQUIRED');
    expect(textById(page.html, 'reconnect')).toBe('Sign in to your bank again');
    const challenge = await browser.submit(page, {});
    expect(new URL(challenge.url).searchParams.get('sca_token')).toBeTruthy();
    expect(challenge.html).toContain('name="sca"');

    const landed = await browser.submit(challenge, { sca: '123456' });
    expectPortfolios((await untilFetched(browser, landed)).page);
    expect((await store.listByUser('ivan')).map((r) => r.credentialsToken)).toEqual([token]);
  });

  // Security review (issue 12, finding 1): Mallory connects her own bank, stops at the redirect and
  // gets Victor, logged in to the app, to open her callback URL.
  it('login CSRF: a code Mallory started is refused for Victor, nothing stored for him', async () => {
    const { browser, login } = await openLink('mallory');
    const stopped = await browser.submit(
      login,
      { username: 'mallory-bank', password: 'correct-horse' },
      { stopBefore: `${app.url}/flanks/callback` },
    );
    expect(new URL(stopped.url).searchParams.get('code')).toBeTruthy();

    const victor = new CookieBrowser();
    await victor.open(`${app.url}/login?user=victor`);
    const landed = await victor.open(stopped.url);
    expect(landed.status).toBe(400);
    expect(textById(landed.html, 'error')).toBe(
      'This bank connection was not started from your account, or took too long. Please connect again.',
    );
    expect(await store.listByUser('victor')).toEqual([]);
    expect(await store.listByUser('mallory')).toEqual([]);
  });

  it('an unexpected error shows a generic message, a reference and the trace id; the details go to the log', async () => {
    const { browser, page: ready } = await connect('erin');
    expectPortfolios(ready);
    running.sandbox.failNext('/v0/bank/credentials/portfolio', 1, {
      status: 400, // not retried
      body: { error: 'Bad request', trace_id: 'trace-erin-1' },
    });
    const before = logged.length;
    const page = await browser.open(`${app.url}/portfolios`);
    expect(page.status).toBe(500);
    const reference = textById(page.html, 'reference');
    expect(reference).toMatch(/^[0-9a-f-]{36}$/);
    expect(textById(page.html, 'trace-id')).toBe('trace-erin-1');
    expect(page.html).not.toMatch(/\/v0\/|HTTP 400|Flanks POST|Bad request/);
    const entry = logged.slice(before).find((l) => l.reference === reference);
    expect(String((entry?.error as Error | undefined)?.message)).toMatch(
      /Flanks POST \/v0\/bank\/credentials\/portfolio failed with HTTP 400/,
    );
  });

  it('a visitor who is not logged in is sent to the login, before any Flanks call', async () => {
    const requests = running.sandbox.requests.length;
    for (const path of ['/connect', '/portfolios', '/flanks/callback?code=x']) {
      const page = await new CookieBrowser().open(`${app.url}${path}`);
      expect(page.hops[1]).toBe(`${app.url}/login`);
    }
    expect(running.sandbox.requests.length).toBe(requests);
  });
});
