// `npm run bench`: measures what flanks-sdk costs on top of the HTTP calls a user would write by hand,
// against the built package (run `npm run build` first; the npm script does). Prints one table and
// writes it, with the machine and the command, into docs/benchmarks.md between the bench markers.
// Ratios are only ever taken between runs of the same round of the same invocation.
import { execSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { fmt, spread } from './lib/stats.mjs';
import { fanOut } from './scenarios/fan-out.mjs';
import { coldStart, size } from './scenarios/footprint.mjs';
import { largePayload } from './scenarios/large-payload.mjs';
import { perCall } from './scenarios/per-call.mjs';
import { polling, SCALE } from './scenarios/polling.mjs';

if (typeof globalThis.gc !== 'function') {
  console.error('bench: run with node --expose-gc (npm run bench does)');
  process.exit(2);
}

const DOC = new URL('../docs/benchmarks.md', import.meta.url);
const started = Date.now();
const log = (line) => console.error(`bench: ${line} (${((Date.now() - started) / 1000).toFixed(0)} s)`);

function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  let commit = 'unknown';
  try {
    commit = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    const dirty = execSync('git status --porcelain -- src bench scripts package.json tsup.config.ts', {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    if (dirty.length > 0) commit += ' with uncommitted changes';
  } catch {}
  return {
    cpu: `${model}, ${cpus().length} cores`,
    node: process.version,
    load: loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
    commit,
    date: new Date().toISOString().slice(0, 16).replace('T', ' '),
  };
}

const us = (v) => `${fmt(v, 0)} µs`;
const ms = (v) => `${fmt(v, 0)} ms`;
const mb = (bytes) => `${fmt(bytes / 1e6, 1)} MB`;
const ratio = (s) => `${fmt(s.median)} (${spread(s)})`;
const verdict = (ok) => (ok ? 'pass' : '**miss**');

function rows(r) {
  const { perCall: pc, large, fan, poll, cold, bundle } = r;
  const table = [
    [
      '1',
      'per call: `getStatus` ×2,000 sequential, SDK vs bare `ky.post().json()`',
      `${us(pc.wallUs.sdk.median)}/call`,
      `${us(pc.wallUs.ky.median)}/call`,
      ratio(pc.sdkOverKy),
      '≤ 1.10',
      verdict(pc.sdkOverKy.median <= 1.1),
    ],
    [
      '1',
      'per call: SDK with one `response` listener vs bare `ky.post().json()`',
      `${us(pc.wallUs.sdkListener.median)}/call`,
      `${us(pc.wallUs.ky.median)}/call`,
      `${ratio(pc.sdkListenerOverKy)}; CPU ${fmt(pc.cpuSdkListenerOverKy.median)} (no listener: ${fmt(pc.cpuSdkOverKy.median)})`,
      'report',
      'report',
    ],
    [
      '1',
      'per call: SDK vs bare `fetch`',
      `${us(pc.wallUs.sdk.median)}/call`,
      `${us(pc.wallUs.fetch.median)}/call`,
      ratio(pc.sdkOverFetch),
      `report: +${us(pc.addedUs.median)}/call (+${us(pc.addedCpuUs.median)} CPU)`,
      'report',
    ],
    [
      '1',
      'per call: bare ky (defaults) vs bare fetch',
      `${us(pc.wallUs.ky.median)}/call`,
      `${us(pc.wallUs.fetch.median)}/call`,
      ratio(pc.kyOverFetch),
      'context: 1.3–1.6',
      'report',
    ],
    [
      '1',
      'per call: ky configured as the SDK uses it vs bare fetch',
      `${us(pc.wallUs.kyTuned.median)}/call`,
      `${us(pc.wallUs.fetch.median)}/call`,
      ratio(pc.kyTunedOverFetch),
      'report',
      'report',
    ],
    [
      '2',
      `large payload: \`accountTransactions\`, ${large.count.toLocaleString('en')} items (${mb(large.bytes)}), validation \`warn\` (default) vs fetch + \`JSON.parse\``,
      ms(large.ms.warn.median),
      ms(large.ms.raw.median),
      `${ratio(large.overRaw.warn)}; CPU ${fmt(large.cpuOverRaw.warn.median)}`,
      '≤ 1.5',
      verdict(large.overRaw.warn.median <= 1.5),
    ],
    [
      '2',
      'large payload, validation `off`',
      ms(large.ms.off.median),
      ms(large.ms.raw.median),
      `${ratio(large.overRaw.off)}; CPU ${fmt(large.cpuOverRaw.off.median)}`,
      '≤ 1.05',
      verdict(large.overRaw.off.median <= 1.05),
    ],
    [
      '2',
      'large payload, validation `strict` (every item)',
      ms(large.ms.strict.median),
      ms(large.ms.raw.median),
      `${ratio(large.overRaw.strict)}; CPU ${fmt(large.cpuOverRaw.strict.median)}`,
      'report',
      'report',
    ],
    [
      '2',
      'large payload: peak heap growth, `warn`, × payload size',
      mb(large.memory.warn.peakBytes),
      mb(large.memory.raw.peakBytes),
      `${fmt(large.memory.warn.peakOverPayload.median)}× payload (baseline ${fmt(large.memory.raw.peakOverPayload.median)}×)`,
      '≤ 2.5× payload',
      verdict(large.memory.warn.peakOverPayload.median <= 2.5),
    ],
    [
      '2',
      'large payload: peak heap growth, `off` / `strict`',
      `${mb(large.memory.off.peakBytes)} / ${mb(large.memory.strict.peakBytes)}`,
      mb(large.memory.raw.peakBytes),
      `${fmt(large.memory.off.peakOverPayload.median)}× / ${fmt(large.memory.strict.peakOverPayload.median)}× payload`,
      'report',
      'report',
    ],
    [
      '3',
      `fan-out: ${fan.requests.toLocaleString('en')} requests (1,000 credentials × 4), cap ${fan.cap}, loopback; throughput`,
      `${fmt(fan.sdkPerSecond.median, 0)} req/s`,
      `${fmt(fan.rawPerSecond.median, 0)} req/s`,
      ratio(fan.throughputRatio),
      '≥ 0.9',
      verdict(fan.throughputRatio.median >= 0.9),
    ],
    [
      '3',
      'fan-out: ky as the SDK uses it (no SDK code), same cap',
      `${fmt(fan.kyPerSecond.median, 0)} req/s`,
      `${fmt(fan.rawPerSecond.median, 0)} req/s`,
      ratio(fan.kyThroughputRatio),
      'report',
      'report',
    ],
    [
      '3',
      'fan-out: token requests per SDK run',
      fan.tokenRequests.join(', '),
      '—',
      '—',
      'exactly 1',
      verdict(fan.tokenRequests.every((n) => n === 1)),
    ],
    [
      '3',
      `fan-out with ${fan.remote.latencyMs} ms of server time per request (${fan.remote.requests.toLocaleString('en')} requests)`,
      `${fmt(fan.remote.sdkPerSecond.median, 0)} req/s`,
      `${fmt(fan.remote.rawPerSecond.median, 0)} req/s`,
      ratio(fan.remote.throughputRatio),
      'report',
      'report',
    ],
    ...poll.map((p) => [
      '4',
      `polling: ready after T = ${p.t} s (real time ÷ ${SCALE}); polls, detection lag`,
      `${fmt(p.polls.median, 0)} polls, lag ${fmt(p.lagS.median, 1)} s (${spread(p.lagS, 1)})`,
      `zero-latency model: ${p.model.polls} polls, lag ${fmt(p.model.lagS, 1)} s`,
      '—',
      `lag ≤ ${fmt(p.goalLagS, 0)} s${p.t === 120 ? ', ≤ 15 polls' : ''}`,
      verdict(p.lagS.median <= p.goalLagS && (p.t !== 120 || p.polls.median <= 15)),
    ]),
    [
      '5',
      "cold start: `import('flanks-sdk')` in a fresh node, minus an empty process",
      ms(cold.medianMs),
      `empty process ${ms(cold.emptyMs)}`,
      `range ${fmt(cold.minMs, 0)}–${fmt(cold.maxMs, 0)} ms`,
      `≤ ${cold.goalMs} ms`,
      verdict(cold.medianMs <= cold.goalMs),
    ],
    ...['esm', 'cjs'].map((system) => [
      '5',
      `cold start, counted: what \`${system === 'esm' ? "import('flanks-sdk')" : "require('flanks-sdk')"}\` loads`,
      `${cold[system].files} files, ${fmt(cold[system].kB, 1)} kB`,
      '—',
      '—',
      `≤ ${cold[system].budget.files} files, ≤ ${cold[system].budget.kB} kB, no dependency or fetch probe (enforced)`,
      verdict(cold[system].ok),
    ]),
    [
      '6',
      'size: ESM entry + runtime deps, minified + gzip -9',
      `${fmt(bundle.gzipKb, 1)} kB`,
      '—',
      '—',
      `≤ ${bundle.goalKb} kB (budget ${bundle.budgetKb} kB enforced)`,
      verdict(bundle.gzipKb <= bundle.goalKb),
    ],
  ];
  return table;
}

function markdown(table) {
  const head = ['#', 'scenario', 'SDK', 'baseline', 'ratio: median (min–max)', 'goal', 'result'];
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...table.map(line)].join('\n');
}

const m = machine();
log(`node ${m.node} on ${m.cpu}, load ${m.load}`);

// `npm run bench -- --only fan-out` (or per-call, large-payload, polling, cold-start): one scenario, its raw
// figures printed as JSON; docs/benchmarks.md is left alone, since its table needs every scenario.
const { values: flags } = parseArgs({ options: { only: { type: 'string' } } });
if (flags.only) {
  const one = {
    'per-call': perCall,
    'large-payload': largePayload,
    'fan-out': fanOut,
    polling,
    'cold-start': coldStart,
  }[flags.only];
  if (!one)
    throw new Error(
      `bench: --only takes per-call, large-payload, fan-out, polling or cold-start, not ${flags.only}`,
    );
  console.log(JSON.stringify(await one(), null, 2));
  log(`${flags.only} done; docs/benchmarks.md not updated`);
  process.exit(0);
}

const results = {};
results.perCall = await perCall();
log('1 per-call overhead done');
results.large = await largePayload();
log('2 large payload done');
results.fan = await fanOut();
log('3 fan-out done');
results.poll = await polling();
log('4 polling done');
results.cold = await coldStart();
log('5 cold start done');
results.bundle = await size();
log('6 size done');

const table = markdown(rows(results));
const { perCall: pc, bundle } = results;
const block = [
  '<!-- bench:start (written by `npm run bench`; edits inside are overwritten) -->',
  `Measured ${m.date} UTC at commit ${m.commit} with \`npm run bench\` on ${m.cpu}, Node ${m.node}; load average at start ${m.load}. Took ${fmt((Date.now() - started) / 1000, 0)} s.`,
  '',
  table,
  '',
  `Client CPU per call (scenario 1, median): SDK ${us(pc.cpuUs.sdk.median)}, bare fetch ${us(pc.cpuUs.fetch.median)}, bare ky ${us(pc.cpuUs.ky.median)}, ky as the SDK uses it ${us(pc.cpuUs.kyTuned.median)}.`,
  `Size by part (gzipped kB saved by leaving it out): ${bundle.parts.map((p) => `${p.part} −${fmt(p.savedKb, 1)}`).join('; ')}.`,
  '<!-- bench:end -->',
].join('\n');

console.log(`\n${table}\n`);
const doc = readFileSync(DOC, 'utf8');
const updated = doc.replace(/<!-- bench:start[\s\S]*?<!-- bench:end -->/, block);
if (updated === doc && !doc.includes(block)) throw new Error('docs/benchmarks.md has no bench markers');
writeFileSync(DOC, updated);
log('docs/benchmarks.md updated');
