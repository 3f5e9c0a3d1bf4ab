// Size budget: the ESM entry with its runtime dependencies bundled, minified and gzipped (-9), as a
// browser-less bundler would ship it. Fails `npm run check` when it grows past the budget.
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const BUDGET_KB = 20;
const result = await build({
  entryPoints: ['dist/index.js'],
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'neutral',
  mainFields: ['module', 'main'],
  write: false,
  metafile: true,
  logLevel: 'error',
});
const code = result.outputFiles[0].contents;
const gzKb = gzipSync(code, { level: 9 }).length / 1000;
const byPackage = {};
for (const [file, info] of Object.entries(
  result.metafile.outputs[Object.keys(result.metafile.outputs)[0]].inputs,
)) {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? 'flanks-sdk';
  byPackage[pkg] = (byPackage[pkg] ?? 0) + info.bytesInOutput;
}
const parts = Object.entries(byPackage)
  .sort((a, b) => b[1] - a[1])
  .map(([pkg, bytes]) => `${pkg} ${(bytes / 1000).toFixed(1)} kB`)
  .join(', ');
console.log(`size: ${gzKb.toFixed(1)} kB min+gzip (budget ${BUDGET_KB} kB); minified by package: ${parts}`);
if (process.argv.includes('--json')) console.log(JSON.stringify({ gzipKb: gzKb, budgetKb: BUDGET_KB }));
if (gzKb > BUDGET_KB) {
  console.error(`size: over budget by ${(gzKb - BUDGET_KB).toFixed(1)} kB`);
  process.exit(1);
}
