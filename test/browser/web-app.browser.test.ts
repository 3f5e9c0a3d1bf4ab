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
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  running = await startSandbox();
  const flanks = new FlanksClient({
    clientId: SANDBOX_CLIENT_ID,
    clientSecret: SANDBOX_CLIENT_SECRET,
    baseUrl: running.url,
    linkBaseUrl: running.linkBaseUrl,
    store: new MemoryCredentialStore(),
  });
  // The app's port is only known once it listens: create the link first, point it at the app after.
  const link = await flanks.links.create({ redirect_uri: 'http://127.0.0.1/pending', name: 'browser test' });
  app = await startWebApp({ flanks, linkToken: link.token, bank: 'testbank', readyTimeoutMs: 20_000 });
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

async function expectPortfolios(): Promise<void> {
  await page.waitForURL(`${app.url}/portfolios`);
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

  it('brings the user back to the app with an error when the bank rejects the password', async () => {
    await signInToTestBank('bob', 'INVALID_CREDENTIALS');
    await page.waitForURL((url) => url.href.startsWith(`${app.url}/flanks/callback`));
    expect(new URL(page.url()).searchParams.get('error')).toBe('INVALID_CREDENTIALS');
    expect(await page.textContent('h1')).toBe('Bank connection failed');
    expect(await page.textContent('#error')).toBe('The bank did not accept that username or password.');
    await screenshot('invalid-credentials');
  });
});
