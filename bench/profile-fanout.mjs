// The SDK side of scenario 3 (fan-out) alone, for profiling: `node bench/profile-fanout.mjs
// [--rounds N] [--credentials N] [--raw]`, or under `node --cpu-prof` (then `node
// bench/profile-summary.mjs <file.cpuprofile>`). Runs against the built package (`npm run build`
// first) and the sandbox in its own process, and prints the client's CPU time per request of each
// round. `--raw` runs the bare-fetch baseline of the bench instead, for the same figure.
import { parseArgs } from 'node:util';
import { startChild } from './lib/child.mjs';
import { sdkFanOut } from './scenarios/fan-out.mjs';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '4' },
    credentials: { type: 'string', default: '1000' },
    raw: { type: 'boolean', default: false },
  },
});
const rounds = Number(values.rounds);
const KINDS = ['status', 'portfolio', 'investment', 'account'];
const cap = 32;

const server = await startChild('../sandbox-process.mjs');
try {
  const url = await server.call('url');
  const tokens = await server.call('createCredentials', { count: Number(values.credentials) });
  const sdk = () => sdkFanOut(url, cap, tokens);
  const raw = async () => {
    const authorization = await server.call('lastAuthorization');
    const tasks = tokens.flatMap((token) =>
      KINDS.map((kind) => async () => {
        const response = await fetch(`${url}/v0/bank/credentials/${kind}`, {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ credentials_token: token }),
          signal: AbortSignal.timeout(30_000),
        });
        JSON.parse(await response.text());
      }),
    );
    let next = 0;
    const worker = async () => {
      while (next < tasks.length) await tasks[next++]();
    };
    await Promise.all(Array.from({ length: cap }, worker));
  };
  // The SDK's first run also makes the sandbox generate the data and gives the baseline its token.
  await sdk();
  const run = values.raw ? raw : sdk;
  const requests = tokens.length * KINDS.length;
  for (let round = 0; round < rounds; round++) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    await run();
    const wall = performance.now() - started;
    const { user, system } = process.cpuUsage(cpu);
    console.log(
      `${values.raw ? 'raw' : 'sdk'} round ${round}: ${((user + system) / requests).toFixed(0)} µs CPU/request (user ${(user / requests).toFixed(0)}), ${((requests / wall) * 1000).toFixed(0)} req/s`,
    );
  }
} finally {
  await server.stop();
}
