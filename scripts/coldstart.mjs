// Cold-start budget: the time `import('flanks-sdk')` adds to a fresh Node process. Spawns pairs of
// processes, one empty and one importing the built ESM entry, in alternating order, after a warm-up
// (file cache, node binary); the cost is the median of the per-pair differences. Fails `npm run
// check` and CI when it exceeds the budget. Run after `npm run build`.
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const BUDGET_MS = 30;
const entry = pathToFileURL(fileURLToPath(new URL('../dist/index.js', import.meta.url))).href;

function run(code) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', code], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`node -e ${JSON.stringify(code)} exited with ${result.status}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** `{ medianMs, minMs, maxMs, emptyMs, pairs }`: what importing the package adds to a fresh process. */
export function measureColdStart({ pairs = 20, warmup = 3 } = {}) {
  const empty = '';
  const load = `await import(${JSON.stringify(entry)});`;
  const diffs = [];
  const emptyTimes = [];
  for (let i = 0; i < warmup + pairs; i++) {
    const [first, second] = i % 2 === 0 ? [empty, load] : [load, empty];
    const a = run(first);
    const b = run(second);
    if (i < warmup) continue;
    const [emptyMs, loadMs] = i % 2 === 0 ? [a, b] : [b, a];
    emptyTimes.push(emptyMs);
    diffs.push(loadMs - emptyMs);
  }
  return {
    medianMs: median(diffs),
    minMs: Math.min(...diffs),
    maxMs: Math.max(...diffs),
    emptyMs: median(emptyTimes),
    pairs,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = measureColdStart();
  console.log(
    `coldstart: import('flanks-sdk') adds ${r.medianMs.toFixed(1)} ms to a fresh node process (median of ${r.pairs} pairs, range ${r.minMs.toFixed(1)}–${r.maxMs.toFixed(1)} ms; empty process ${r.emptyMs.toFixed(1)} ms); budget ${BUDGET_MS} ms`,
  );
  if (r.medianMs > BUDGET_MS) {
    console.error(`coldstart: over budget by ${(r.medianMs - BUDGET_MS).toFixed(1)} ms`);
    process.exit(1);
  }
}
