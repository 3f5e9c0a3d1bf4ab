import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWebApp } from '../../examples/web-app/app';
import { FlanksClient, MemoryCredentialStore } from '../../src';
import {
  type RunningSandbox,
  SANDBOX_CLIENT_ID,
  SANDBOX_CLIENT_SECRET,
  startSandbox,
} from '../../src/testing';
import { launchChromium } from './chromium';

const SCREENSHOTS = resolve(__dirname, '../../test-results/browser');
const ISIN = /^[A-Z]{2}[A-Z0-9]{9}\d$/;

let running: RunningSandbox;
let app: Awaited<ReturnType<typeof startWebApp>>;
let store: MemoryCredentialStore;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // A new credential is pending for its first status read: /portfolios shows "fetching" once, then
  // its <meta refresh> (1 s here) reloads it and the data shows.
  running = await startSandbox({ pendingPolls: 1 });
  store = new MemoryCredentialStore();
  const flanks = new FlanksClient({
    clientId: SANDBOX_CLIENT_ID,
    clientSecret: SANDBOX_CLIENT_SECRET,
    baseUrl: running.url,
    linkBaseUrl: running.linkBaseUrl,
    store,
  });
  // The app's port is only known once it listens: create the link first, point it at the app after.
  const link = await flanks.links.create({ redirect_uri: 'http://127.0.0.1/pending', name: 'browser test' });
  app = await startWebApp({ flanks, linkToken: link.token, bank: 'testbank', refreshSeconds: 1 });
  await flanks.links.edit({ token: link.token, redirect_uri: `${app.url}/flanks/callback` });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await running?.close();
});

beforeEach(async () => {
  context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
  page = await context.newPage();
});

afterEach(async () => {
  await context?.close();
});

async function screenshot(name: string): Promise<void> {
  await page.screenshot({ path: resolve(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Logs `user` in to the app, clicks "Connect your bank" and signs in to TestBank on the Link. */
async function signInToTestBank(user: string, password: string): Promise<void> {
  await page.goto(`${app.url}/login?user=${user}`);
  expect(await page.textContent('h1')).toBe(`Hello, ${user}`);
  await page.click('#connect');
  await page.waitForURL((url) => url.href.startsWith(running.linkBaseUrl));
  expect(await page.textContent('h1')).toBe('Sign in to TestBank');
  await page.fill('input[name=username]', `${user}-bank`);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
}

/** Waits on /portfolios (through its self-refresh while the data is fetched) until the data shows. */
async function expectPortfolios(): Promise<void> {
  await page.waitForURL(`${app.url}/portfolios`);
  await page.waitForSelector('.portfolio'); // across the reloads; the page with data does not reload
  expect(await page.textContent('h1')).toBe('Your portfolios');
  const cards = page.locator('.portfolio');
  expect(await cards.count()).toBeGreaterThanOrEqual(1);
  const isins = await cards.first().locator('tbody tr td:first-child').allTextContents();
  expect(isins.length).toBeGreaterThan(0);
  for (const isin of isins) expect(isin).toMatch(ISIN);
}

describe('example web app in Chromium', () => {
  it('connects TestBank and shows the portfolios', async () => {
    await signInToTestBank('alice', 'correct-horse');
    await expectPortfolios();
    await screenshot('portfolios');
  });

  it('passes the SCA step, then shows the portfolios', async () => {
    await signInToTestBank('carol', 'SCA_SMS');
    await page.waitForSelector('input[name=sca]');
    expect(await page.textContent('h1')).toBe('Verify it is you');
    await screenshot('sca-step');
    await page.fill('input[name=sca]', '123456');
    await page.click('button[type=submit]');
    await expectPortfolios();
    await screenshot('sca-portfolios');
  });

  it('says the data is being fetched, then shows it without the user doing anything', async () => {
    // Read from the first response, not the live page: the page may have reloaded by then.
    const first = page.waitForResponse(`${app.url}/portfolios`);
    await signInToTestBank('zoe', 'correct-horse');
    const html = await (await first).text();
    expect(html).toContain(
      '<p id="loading">We are fetching your data from your bank. This page refreshes by itself.</p>',
    );
    expect(html).toContain('<meta http-equiv="refresh" content="1">');
    await expectPortfolios();
    expect(await page.textContent('#total')).toMatch(/^\d{1,3}(\.\d{3})*,\d{2}\s€$/);
  });

  it('Cancel on the Link brings the user back: “You cancelled”, nothing stored', async () => {
    await page.goto(`${app.url}/login?user=frank`);
    await page.click('#connect');
    await page.waitForURL((url) => url.href.startsWith(running.linkBaseUrl));
    await page.click('button[name=cancel]');
    await page.waitForURL((url) => url.href.startsWith(`${app.url}/flanks/callback`));
    expect(new URL(page.url()).searchParams.get('error')).toBe('ABORTED_BY_USER');
    expect(await page.textContent('h1')).toBe('Connection cancelled');
    expect(await page.textContent('#cancelled')).toBe(
      'You cancelled connecting your bank. Nothing was shared.',
    );
    await screenshot('cancelled');
    expect(await store.listByUser('frank')).toEqual([]);
  });

  it('the callback URL opened again gets the friendly “already used” page', async () => {
    const visited: string[] = [];
    page.on('request', (request) => {
      if (request.isNavigationRequest()) visited.push(request.url());
    });
    await signInToTestBank('grace', 'correct-horse');
    await expectPortfolios();
    const callback = visited.find((url) => url.startsWith(`${app.url}/flanks/callback?code=`));
    expect(callback).toBeDefined();

    const response = await page.goto(callback!);
    expect(response?.status()).toBe(400);
    expect(await page.textContent('h1')).toBe('This link was already used');
    expect(await page.textContent('#reused')).toMatch(/^Each bank connection link works only once/);
    await screenshot('link-already-used');
    await page.click('text=My portfolios');
    await expectPortfolios();
  });

  it('a blocked credential: the user signs in again through the Link, and the same credential is back', async () => {
    await signInToTestBank('dave', 'correct-horse');
    await expectPortfolios();
    const [record] = await store.listByUser('dave');
    running.sandbox.block(record!.credentialsToken); // e.g. dave changed his bank password

    await page.reload();
    expect(await page.textContent('#error')).toContain('Your bank needs you to sign in again.');
    await screenshot('sign-in-again');
    await page.click('#reconnect');
    await page.waitForURL((url) => url.href.startsWith(running.linkBaseUrl));
    expect(await page.textContent('h1')).toBe('Reconnect TestBank');
    expect(await page.inputValue('input[name=username]')).toBe('dave-bank');
    await page.fill('input[name=password]', 'new-password');
    await page.click('button[type=submit]');
    await expectPortfolios();
    expect((await store.listByUser('dave')).map((r) => r.credentialsToken)).toEqual([
      record!.credentialsToken,
    ]);
  });

  it('brings the user back to the app with an error when the bank rejects the password', async () => {
    await signInToTestBank('bob', 'INVALID_CREDENTIALS');
    await page.waitForURL((url) => url.href.startsWith(`${app.url}/flanks/callback`));
    expect(new URL(page.url()).searchParams.get('error')).toBe('INVALID_CREDENTIALS');
    expect(await page.textContent('h1')).toBe('Bank connection failed');
    expect(await page.textContent('#error')).toBe('The bank did not accept that username or password.');
    await screenshot('invalid-credentials');
  });
});
