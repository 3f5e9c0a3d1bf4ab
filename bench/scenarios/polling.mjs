// Scenario 4: polling. A credential becomes ready T seconds after it is created (the sandbox's
// `pendingMs`); `waitUntilReady` polls it with the default policy. The poller takes no clock, so this
// runs in real time scaled down by SCALE: the sandbox delay and the poll bounds (pollIntervalMs 1 s,
// maxPollIntervalMs 30 s) are both divided by it, and the policy (each wait a fifth of the time
// waited) is scale-free, so polls are the same and lags scale back exactly; only request latency
// (≈1 ms on loopback) counts SCALE times more. The three T run at once, each on its own sandbox.
import { FlanksClient, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, startSandbox } from '../lib/sdk.mjs';
import { summary } from '../lib/stats.mjs';

export const SCALE = 20;

/** The policy with zero request latency: polls made and lag for data ready after `t` seconds. */
export function modelPolling(t, { min = 1, max = 30, ratio = 0.2 } = {}) {
  let now = 0;
  let polls = 1;
  while (now < t) {
    now += Math.min(max, Math.max(min, Math.round(now * ratio * 1000) / 1000));
    polls++;
  }
  return { polls, lagS: now - t };
}

async function once(t) {
  const running = await startSandbox({ pendingMs: (t * 1000) / SCALE, seed: 1 });
  try {
    const flanks = new FlanksClient({
      clientId: SANDBOX_CLIENT_ID,
      clientSecret: SANDBOX_CLIENT_SECRET,
      baseUrl: running.url,
    });
    // Token and first connection before the clock starts.
    await flanks.credentials.getStatus(running.sandbox.createCredential({ pendingPolls: 0 }));
    const started = performance.now();
    const token = running.sandbox.createCredential();
    let polls = 0;
    await flanks.credentials.waitUntilReady(token, {
      pollIntervalMs: 1000 / SCALE,
      maxPollIntervalMs: 30_000 / SCALE,
      timeoutMs: 300_000 / SCALE,
      onStatus: (_status, attempt) => {
        polls = attempt;
      },
    });
    const lagS = ((performance.now() - started) * SCALE) / 1000 - t;
    return { polls, lagS };
  } finally {
    await running.close();
  }
}

export async function polling({ targets = [5, 30, 120], rounds = 3 } = {}) {
  const runs = Object.fromEntries(targets.map((t) => [t, []]));
  for (let round = 0; round < rounds; round++) {
    const results = await Promise.all(targets.map(once));
    for (const [i, t] of targets.entries()) runs[t].push(results[i]);
  }
  return targets.map((t) => ({
    t,
    polls: summary(runs[t].map((r) => r.polls)),
    lagS: summary(runs[t].map((r) => r.lagS)),
    goalLagS: Math.max(1, 0.2 * t),
    model: modelPolling(t),
  }));
}
