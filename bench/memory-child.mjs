// One peak-heap measurement of scenario 2, in a fresh process started by bench/scenarios/large-payload.mjs
// with --expose-gc --trace-gc. The SDK (or the baseline) is warmed up on a small call first, so the
// measured call pays no module loading, token or connection set-up; then two full GCs set the base.
// The parent reads the peak from two sources: V8's own heap size before every GC during the call
// (--trace-gc lines between the markers below), and heapUsed sampled every millisecond and at the end.
import { FlanksClient } from 'flanks-sdk';

const [mode, url, token] = process.argv.slice(2);
const headers = {
  authorization: `Bearer ${token}`,
  'content-type': 'application/json',
  accept: 'application/json',
};
const rawCall = async (path) => {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ credentials_token: 'ct_bench' }),
    signal: AbortSignal.timeout(60_000),
  });
  return JSON.parse(await response.text());
};
const flanks =
  mode === 'raw'
    ? undefined
    : new FlanksClient({
        clientId: 'bench',
        clientSecret: 'bench',
        baseUrl: url,
        validation: mode,
        timeoutMs: 60_000,
      });
const warm = () =>
  flanks ? flanks.credentials.getStatus('ct_bench') : rawCall('/v0/bank/credentials/status');
const measured = () =>
  flanks ? flanks.aggregation.accountTransactions('ct_bench') : rawCall('/v0/bank/credentials/data');

await warm();
await warm();
globalThis.gc();
globalThis.gc();
const base = process.memoryUsage().heapUsed;
let peak = base;
const sample = () => {
  peak = Math.max(peak, process.memoryUsage().heapUsed);
};
const timer = setInterval(sample, 1);
console.log('BENCH-MEMORY-BEGIN');
const data = await measured();
sample();
console.log('BENCH-MEMORY-END');
clearInterval(timer);
const held = process.memoryUsage().heapUsed;
globalThis.gc();
const retained = process.memoryUsage().heapUsed;
console.log(`BENCH-MEMORY ${JSON.stringify({ base, peak, held, retained, items: data.length })}`);
