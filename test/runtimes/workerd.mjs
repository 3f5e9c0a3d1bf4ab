// Cloudflare Workers leg of the runtime matrix, started by run.mjs on Node 24 (miniflare 4 needs
// Node >= 22). Bundles worker.mjs with esbuild the way wrangler does (conditions workerd/worker/
// browser, no Node built-ins, no nodejs_compat), loads it into workerd through miniflare and asks
// the Worker to run the flow. Prints `version <workerd> (miniflare <v>)` and `ok - workerd esm`.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const runtimeDir = join(here, '../../.runtimes/workerd');
const requireThere = createRequire(join(runtimeDir, 'package.json'));
const { Miniflare } = await import(pathToFileURL(requireThere.resolve('miniflare')).href);
const miniflareVersion = requireThere('miniflare/package.json').version;
const workerdVersion = requireThere('workerd/package.json').version;
console.log(`version workerd ${workerdVersion} (miniflare ${miniflareVersion})`);

const label = 'workerd esm';
let mf;
try {
  const bundle = await build({
    entryPoints: [join(here, 'worker.mjs')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['browser', 'module', 'main'],
    logLevel: 'silent',
  });
  const script = bundle.outputFiles[0].text;
  mf = new Miniflare({
    modules: true,
    script,
    // No `nodejs_compat`: the SDK must run on the plain Workers runtime.
    compatibilityDate: '2026-07-01',
    bindings: {
      FLOW_BASE_URL: process.env.FLOW_BASE_URL,
      FLOW_LINK_BASE_URL: process.env.FLOW_LINK_BASE_URL,
      FLOW_CLIENT_ID: process.env.FLOW_CLIENT_ID,
      FLOW_CLIENT_SECRET: process.env.FLOW_CLIENT_SECRET,
    },
  });
  const response = await mf.dispatchFetch('http://worker.local/');
  const result = await response.json();
  if (!result.ok) throw new Error(`the Worker failed:\n${result.error}`);
  console.log(
    `ok - ${label} (${result.portfolios} portfolios, bad code → FlanksApiError ${result.errorStatus}; bundle ${(script.length / 1024).toFixed(0)} kB)`,
  );
} catch (error) {
  console.log(`not ok - ${label}: ${error?.stack ?? error}`);
  if (error?.errors)
    for (const e of error.errors) console.log(`  ${e.text} (${e.location?.file}:${e.location?.line})`);
  process.exitCode = 1;
} finally {
  await mf?.dispose();
}
