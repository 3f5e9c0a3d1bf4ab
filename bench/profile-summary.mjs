// Summarises a V8 .cpuprofile (from `node --cpu-prof`): the top functions by self time and by total
// time, and self time grouped by package (ky, p-retry, zod, the SDK, node internals). Times are
// µs per request when `--requests N` is given, otherwise ms.
// `--callers NAME` adds who calls functions named NAME, by total time, three frames up.
// `node bench/profile-summary.mjs FILE.cpuprofile [--requests N] [--top N] [--callers NAME]`
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    requests: { type: 'string' },
    top: { type: 'string', default: '30' },
    callers: { type: 'string' },
  },
});
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));
const per = values.requests ? Number(values.requests) : undefined;
const unit = per ? 'µs/req' : 'ms';
const scale = (us) => (per ? us / per : us / 1000);

const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
// Sample durations: timeDeltas[i] is the time before sample i.
const selfUs = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}

function where(frame) {
  const url = frame.url ?? '';
  if (url.includes('node_modules/ky/')) return 'ky';
  if (url.includes('node_modules/p-retry/') || url.includes('is-network-error')) return 'p-retry';
  if (url.includes('/dist/')) return 'sdk (dist)';
  if (url.startsWith('node:') || url === '')
    return frame.functionName.startsWith('(') ? frame.functionName : 'node/native';
  if (url.includes('/bench/')) return 'bench';
  return url.replace(/^.*node_modules\//, '').split('/')[0];
}
const key = (f) =>
  `${f.functionName || '(anonymous)'} ${where(f)} ${(f.url ?? '').split('/').pop()}:${f.lineNumber + 1}`;

const self = new Map();
const total = new Map();
const byPackage = new Map();
for (const [id, us] of selfUs) {
  const n = nodes.get(id);
  self.set(key(n.callFrame), (self.get(key(n.callFrame)) ?? 0) + us);
  byPackage.set(where(n.callFrame), (byPackage.get(where(n.callFrame)) ?? 0) + us);
  // Total: count each function once per sample even when recursive.
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const k = key(nodes.get(cur).callFrame);
    if (seen.has(k)) continue;
    seen.add(k);
    total.set(k, (total.get(k) ?? 0) + us);
  }
}

const top = Number(values.top);
const print = (title, map) => {
  console.log(`\n${title} (${unit})`);
  for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${scale(us).toFixed(1).padStart(9)}  ${k}`);
  }
};
print('self time by package', byPackage);
print('self time', self);
print('total time', total);

if (values.callers) {
  const chains = new Map();
  for (const [id, us] of selfUs) {
    const stack = [];
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) stack.push(nodes.get(cur).callFrame);
    const at = stack.findIndex((f) => f.functionName === values.callers);
    if (at < 0) continue;
    const chain = stack
      .slice(at + 1, at + 4)
      .map(key)
      .join(' < ');
    chains.set(chain, (chains.get(chain) ?? 0) + us);
  }
  print(`callers of ${values.callers}`, chains);
}
