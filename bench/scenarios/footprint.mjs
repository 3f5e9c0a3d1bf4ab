// Scenarios 5 and 6: cold start and bundle size. The size budget and the counted cold-start budget
// (files, bytes, no fetch probe) are enforced by `npm run size` and `npm run coldstart`; the time an
// import takes is measured here only, because wall-clock time depends on the machine and its load.

import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BUDGET_KB, explainSize, GOAL_KB, measureSize } from '../../scripts/check-size.mjs';
import { BUDGET, countColdStart, violations } from '../../scripts/coldstart.mjs';
import { median } from '../lib/stats.mjs';

/** The time an import may add to a fresh process: a goal the bench reports, not a gate. */
export const COLD_START_GOAL_MS = 30;

const entry = pathToFileURL(fileURLToPath(new URL('../../dist/index.js', import.meta.url))).href;

function run(code) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', code], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`node -e ${JSON.stringify(code)} exited with ${result.status}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/**
 * What `import('flanks-sdk')` adds to a fresh Node process, in ms: pairs of processes, one empty and
 * one importing the built ESM entry, in alternating order, after a warm-up (file cache, node binary);
 * the cost is the median of the per-pair differences.
 */
function timeColdStart({ pairs, warmup }) {
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

export async function coldStart() {
  const loaded = countColdStart();
  const count = (system) => ({
    files: loaded[system].files.length,
    kB: loaded[system].files.reduce((sum, f) => sum + f.bytes, 0) / 1000,
    budget: BUDGET[system],
    ok: violations(loaded[system], BUDGET[system]).length === 0,
  });
  return {
    ...timeColdStart({ pairs: 20, warmup: 3 }),
    goalMs: COLD_START_GOAL_MS,
    esm: count('esm'),
    cjs: count('cjs'),
  };
}

export async function size() {
  const [measured, explained] = [await measureSize(), await explainSize()];
  return { ...measured, ...explained, budgetKb: BUDGET_KB, goalKb: GOAL_KB };
}
