// Cold-start budget, counted rather than timed: what `import('flanks-sdk')` (ESM) and
// `require('flanks-sdk')` (CommonJS) load into a fresh Node process. Fails `npm run check` and CI when
// the import
// - loads a runtime dependency (ky, p-retry and is-network-error load on the first request; zod is
//   bundled), or anything else from node_modules;
// - makes Node load its fetch implementation (undici) or a network module: the fetch probe ky does
//   at import time is what made an import cost ~25 ms (docs/benchmarks.md, scenario 5);
// - reads more files or more bytes of JavaScript than its budget (a ratchet, as for `npm run size`).
// Files are counted with a module-loader hook (ESM) and `require.cache` (CommonJS), built-in modules
// with `process.moduleLoadList`; the same build gives the same figures on any machine, at any load.
// The time an import takes is reported by `npm run bench` (scenario 5), never enforced. Run after
// `npm run build`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Files and kB (1,000 bytes) of JavaScript each module system may load, set from what was measured
 * (ESM 5 files, 177.6 kB; CommonJS 6 files, 224.5 kB). kB: plus 5 %, rounded up to the next 10 (the
 * built files keep their comments, so documentation counts too). Files: plus 2, because tsup's shared
 * chunks follow which entries import what, and move by a file when another entry starts sharing a
 * module. Raised to the next 10 kB above what was measured (ESM 192.7 kB, CommonJS 240.8 kB) when link
 * outcomes and re-authentication joined the main entry (+4.7 kB, TSDoc included), then (ESM 214.8 kB,
 * CommonJS 267.1 kB, plus 5 %) with the security review's defaults: signed state, session bindings,
 * token sealing, transport checks, and their documentation; ESM raised to the next 10 kB above the
 * measure (230.0 kB, from 215.0 kB; CommonJS 284.7 kB still fits) for `.withResponse()` and events,
 * then both to the next 10 kB above the measure (ESM 243.9 kB, CommonJS 303.4 kB) for the bundled
 * @noble/hashes, the argument checks and resumable pages.
 */
export const BUDGET = {
  esm: { files: 7, kB: 250 },
  cjs: { files: 8, kB: 310 },
};
/** Built-in modules an import must not load: the fetch implementation and the network stack. */
const NETWORK_BUILTINS =
  /^NativeModule (internal\/deps\/undici\/undici|internal\/webstreams\/\w+|net|http|https|http2|tls|dns|_http_\w+)$/;

const root = fileURLToPath(new URL('..', import.meta.url));

// Runs in the loader's hook thread: appends "url <tab> bytes" for every module Node loads.
const HOOKS = `
import { appendFileSync } from 'node:fs';
let log;
export function initialize(data) { log = data.log; }
export async function load(url, context, nextLoad) {
  const result = await nextLoad(url, context);
  const source = result.source;
  const bytes = source == null ? 0 : typeof source === 'string' ? Buffer.byteLength(source) : source.byteLength;
  appendFileSync(log, url + '\\t' + bytes + '\\n');
  return result;
}`;

// Each child prints the built-in modules the import added (listed before touching process.stdout,
// which loads the stream and net modules). The ESM child first imports an empty
// module, so the loader's own start-up is not counted; the CommonJS child lists require.cache.
const ESM_CHILD = `
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOKS)}), { data: { log: process.env.COLDSTART_LOG } });
await import('data:text/javascript,');
const before = new Set(process.moduleLoadList);
await import('flanks-sdk');
const builtins = process.moduleLoadList.filter((m) => !before.has(m));
process.stdout.write(JSON.stringify({ builtins }));`;
const CJS_CHILD = `
const { statSync } = require('node:fs');
const before = new Set(process.moduleLoadList);
const cached = new Set(Object.keys(require.cache));
require('flanks-sdk');
const builtins = process.moduleLoadList.filter((m) => !before.has(m));
const files = Object.keys(require.cache).filter((f) => !cached.has(f)).map((f) => [f, statSync(f).size]);
process.stdout.write(JSON.stringify({ files, builtins }));`;

function child(type, code, env = {}) {
  const result = spawnSync(process.execPath, [`--input-type=${type}`, '-e', code], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`coldstart: the ${type} child failed:\n${result.stderr}`);
  return JSON.parse(result.stdout);
}

/** A loaded file, relative to the package (`dist/index.js`, `node_modules/ky/…`). */
const relative = (file) => (file.startsWith(root) ? file.slice(root.length) : file);

/**
 * `{ esm, cjs }`, each `{ files: [{ file, bytes }], builtins: string[] }`: what importing the built
 * package (through its `exports`, as an application does) loads into a fresh process.
 */
export function countColdStart() {
  const dir = mkdtempSync(join(tmpdir(), 'flanks-coldstart-'));
  try {
    const log = join(dir, 'loaded.tsv');
    const esm = child('module', ESM_CHILD, { COLDSTART_LOG: log });
    const files = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split('\t'))
      .filter(([url]) => url.startsWith('file:'))
      .map(([url, bytes]) => ({ file: relative(fileURLToPath(url)), bytes: Number(bytes) }));
    const cjs = child('commonjs', CJS_CHILD);
    return {
      esm: { files, builtins: esm.builtins },
      cjs: {
        files: cjs.files.map(([file, bytes]) => ({ file: relative(file), bytes })),
        builtins: cjs.builtins,
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Why `loaded` breaks the budget of its module system: one line per violation, none when it fits. */
export function violations(loaded, budget) {
  const problems = [];
  const kB = loaded.files.reduce((sum, f) => sum + f.bytes, 0) / 1000;
  const outside = new Map();
  for (const { file } of loaded.files) {
    if (file.startsWith('dist/')) continue;
    const where = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? file;
    outside.set(where, (outside.get(where) ?? 0) + 1);
  }
  for (const [where, n] of outside) {
    problems.push(
      `loads ${n} file(s) of ${where}: only dist/ may load at import (dependencies load on the first request)`,
    );
  }
  const network = loaded.builtins
    .filter((b) => NETWORK_BUILTINS.test(b))
    .map((b) => b.slice('NativeModule '.length));
  if (network.length > 0) {
    problems.push(
      `loads node's fetch or network modules at import (${network.join(', ')}): something probes fetch`,
    );
  }
  if (loaded.files.length > budget.files)
    problems.push(`loads ${loaded.files.length} files (budget ${budget.files})`);
  if (kB > budget.kB) problems.push(`loads ${kB.toFixed(1)} kB of JavaScript (budget ${budget.kB} kB)`);
  return problems;
}

/** One line per module system: files, kB, built-ins. */
export function summary(loaded) {
  return Object.entries(loaded).map(([system, { files, builtins }]) => {
    const kB = files.reduce((sum, f) => sum + f.bytes, 0) / 1000;
    const network = builtins.filter((b) => NETWORK_BUILTINS.test(b)).length;
    return `${system}: ${files.length} files, ${kB.toFixed(1)} kB of JavaScript (budget ${BUDGET[system].files} files, ${BUDGET[system].kB} kB); ${builtins.length} built-in modules, ${network} of them fetch or network`;
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const loaded = countColdStart();
  for (const line of summary(loaded)) console.log(`coldstart: ${line}`);
  const problems = Object.entries(loaded).flatMap(([system, l]) =>
    violations(l, BUDGET[system]).map((p) => `${system} ${p}`),
  );
  for (const problem of problems) console.error(`coldstart: ${problem}`);
  if (problems.length > 0) process.exit(1);
}
