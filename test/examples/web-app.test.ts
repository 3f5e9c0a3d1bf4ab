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

const ISIN = /<td>([A-Z]{2}[A-Z0-9]{9}\d)<\/td>/g;

let running: RunningSandbox;
let app: Awaited<ReturnType<typeof startWebApp>>;
let store: MemoryCredentialStore;
const logged: Array<{ reference: string; error: unknown }> = [];

beforeAll(async () => {
  running = await startSandbox();
  store = new MemoryCredentialStore();
  const flanks = new FlanksClient({
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
    readyTimeoutMs: 10_000,
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
  expect(new URL(login.url).searchParams.get('external_id')).toBe(user);
  expect(new URL(login.url).searchParams.get('state')).toMatch(/^v2\./);
  expect(login.html).toContain('Sign in to TestBank');
  return { browser, login };
}

function expectPortfolios(page: Visit): string[] {
  expect(page.status).toBe(200);
  expect(new URL(page.url).pathname).toBe('/portfolios');
  expect(page.html).toContain('class="card portfolio"');
  const isins = [...page.html.matchAll(ISIN)].map((m) => m[1]!);
  expect(isins.length).toBeGreaterThan(0);
  return isins;
}

describe('example web app against the sandbox', () => {
  it('logs in, connects TestBank through the Link and shows the portfolios', async () => {
    const { browser, login } = await openLink('alice');
    const landed = await browser.submit(login, { username: 'alice-bank', password: 'correct-horse' });

    const callback = landed.hops.find((hop) => hop.startsWith(`${app.url}/flanks/callback`));
    expect(new URL(callback ?? app.url).searchParams.get('code')).toBeTruthy();
    expectPortfolios(landed);
    const records = await store.listByUser('alice');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ userId: 'alice', externalId: 'alice' });
  });

  it('shows the app’s error when the bank rejects the password (rollback)', async () => {
    const { browser, login } = await openLink('bob');
    const landed = await browser.submit(login, { username: 'bob-bank', password: 'INVALID_CREDENTIALS' });

    expect(landed.status).toBe(400);
    expect(new URL(landed.url).pathname).toBe('/flanks/callback');
    expect(new URL(landed.url).searchParams.get('error')).toBe('INVALID_CREDENTIALS');
    expect(textById(landed.html, 'error')).toBe('The bank did not accept that username or password.');
    expect(await store.listByUser('bob')).toEqual([]);
  });

  it('passes an SCA step, then shows the portfolios', async () => {
    const { browser, login } = await openLink('carol');
    const challenge = await browser.submit(login, { username: 'carol-bank', password: 'SCA_SMS' });
    expect(challenge.url).toBe(`${running.linkBaseUrl}/submit`);
    expect(challenge.html).toContain('Verify it is you');
    expect(challenge.html).toContain('name="sca"');

    const landed = await browser.submit(challenge, { sca: '123456' });
    expectPortfolios(landed);
    expect(await store.listByUser('carol')).toHaveLength(1);
  });

  it('asks the user to reconnect once the credential is blocked', async () => {
    const { browser, login } = await openLink('dave');
    expectPortfolios(await browser.submit(login, { username: 'dave-bank', password: 'pw' }));
    const [record] = await store.listByUser('dave');
    running.sandbox.block(record!.credentialsToken); // e.g. dave changed his bank password

    const page = await browser.open(`${app.url}/portfolios`);
    expect(page.status).toBe(200);
    expect(textById(page.html, 'error')).toBe('Your bank needs you to log in again. Reconnect');
    expect(page.html).toContain('<a href="/connect">Reconnect</a>');
    expect(page.html).not.toContain('class="card portfolio"');
  });

  // Security review (issue 12, finding 1): Mallory connects her own bank, stops at the redirect and
  // gets Victor, logged in to the app, to open her callback URL.
  it('login CSRF: a code Mallory started is refused for Victor, nothing stored for him', async () => {
    const { browser, login } = await openLink('mallory');
    const stopped = await browser.submit(
      login,
      { username: 'mallory-bank', password: 'correct-horse' },
      `${app.url}/flanks/callback`,
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

  it('an unexpected error shows a generic message and a reference; the details go to the log', async () => {
    const { browser, login } = await openLink('erin');
    expectPortfolios(await browser.submit(login, { username: 'erin-bank', password: 'pw' }));
    running.sandbox.failNext('/v0/bank/credentials/portfolio', 1, { status: 400 }); // not retried
    const before = logged.length;
    const page = await browser.open(`${app.url}/portfolios`);
    expect(page.status).toBe(500);
    const reference = textById(page.html, 'reference');
    expect(reference).toMatch(/^[0-9a-f-]{36}$/);
    expect(page.html).not.toMatch(/\/v0\/|HTTP 400|Flanks POST/);
    const entry = logged.slice(before).find((l) => l.reference === reference);
    expect(String((entry?.error as Error | undefined)?.message)).toMatch(
      /Flanks POST \/v0\/bank\/credentials\/portfolio failed with HTTP 400/,
    );
  });
});
