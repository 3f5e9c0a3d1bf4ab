import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium';

// The browser guard against the built package in real Chromium (security review, issue 12, finding
// 8): the bundle a web app would ship (dist/index.js bundled for the browser, as a bundler would)
// constructs a FlanksClient in the page, in dedicated workers (module and classic), in a shared
// worker and in a Service Worker. Each must refuse, and start with dangerouslyAllowBrowser: true.

const DIST = resolve(__dirname, '../../dist/index.js');

/** What each context reports: the refusal message (or null if it constructed), and the opt-in result. */
const PROBE = `
const report = (FlanksClient) => {
  let refused = null;
  try { new FlanksClient({ clientId: 'browser-id', clientSecret: 'browser-secret' }); } catch (e) { refused = String(e && e.message); }
  let allowed = false;
  try { new FlanksClient({ clientId: 'browser-id', clientSecret: 'browser-secret', dangerouslyAllowBrowser: true }); allowed = true; } catch {}
  return { refused, allowed, scope: self.constructor.name };
};`;

const FILES: Record<string, string> = {
  '/': `<!doctype html><html><body><script type="module">
${PROBE}
import { FlanksClient } from '/sdk.js';
const results = { page: report(FlanksClient) };
const done = (name) => (data) => { results[name] = data; };
new Worker('/module-worker.js', { type: 'module' }).onmessage = (e) => done('module worker')(e.data);
new Worker('/classic-worker.js').onmessage = (e) => done('classic worker')(e.data);
new SharedWorker('/shared-worker.js', { type: 'module' }).port.onmessage = (e) => done('shared worker')(e.data);
navigator.serviceWorker.onmessage = (e) => done('service worker')(e.data);
navigator.serviceWorker.register('/service-worker.js', { type: 'module' })
  .then(() => navigator.serviceWorker.ready)
  .then((registration) => registration.active.postMessage('probe'));
window.results = results;
</script></body></html>`,
  '/module-worker.js': `${PROBE}\nimport { FlanksClient } from '/sdk.js';\npostMessage(report(FlanksClient));`,
  '/classic-worker.js': `${PROBE}\nimport('/sdk.js').then(({ FlanksClient }) => postMessage(report(FlanksClient)));`,
  '/shared-worker.js': `${PROBE}\nimport { FlanksClient } from '/sdk.js';\nonconnect = (e) => e.ports[0].postMessage(report(FlanksClient));`,
  '/service-worker.js': `${PROBE}\nimport { FlanksClient } from '/sdk.js';\nself.onmessage = (e) => e.source.postMessage(report(FlanksClient));`,
};

let server: Server;
let browser: Browser;
let origin = '';

beforeAll(async () => {
  if (!existsSync(DIST)) throw new Error('dist/index.js is missing: run `npm run build` first.');
  const bundle = await build({
    entryPoints: [DIST],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
  });
  const files: Record<string, string> = { ...FILES, '/sdk.js': bundle.outputFiles[0]!.text };
  server = createServer((req, res) => {
    const body = files[req.url ?? ''];
    if (body === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': req.url === '/' ? 'text/html' : 'text/javascript' }).end(body);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  // Service Workers need a secure context: http://localhost is one.
  origin = `http://localhost:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
});

describe('the built bundle in Chromium', () => {
  it('refuses in the page and in every kind of worker; starts with dangerouslyAllowBrowser', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${origin}/`);
      await page.waitForFunction(
        () => Object.keys((window as { results?: object }).results ?? {}).length === 5,
      );
      const results = (await page.evaluate(
        () => (window as unknown as { results: unknown }).results,
      )) as Record<string, { refused: string | null; allowed: boolean; scope: string }>;
      expect(Object.keys(results).sort()).toEqual([
        'classic worker',
        'module worker',
        'page',
        'service worker',
        'shared worker',
      ]);
      for (const [where, result] of Object.entries(results)) {
        expect(String(result.refused), where).toMatch(/client secret would be readable/);
        expect(result.allowed, where).toBe(true);
      }
      expect(results['service worker']!.scope).toBe('ServiceWorkerGlobalScope');
      expect(results['shared worker']!.scope).toBe('SharedWorkerGlobalScope');
    } finally {
      await context.close();
    }
  });
});
