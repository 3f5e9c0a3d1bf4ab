// Scenario 3: fan-out. 1,000 credentials × (status + portfolios + investments + accounts) = 4,000
// requests launched at once through one client capped at 32 in flight, against a raw fetch loop with
// the same cap. The SDK run uses a new client each round, which must fetch exactly one access token;
// the baselines reuse that token. A third variant, ky used exactly as the SDK's transport uses it
// (same cap), splits the gap between ky and the SDK's own code. A second pass, on 250 credentials,
// adds 50 ms of server time to every request, as a remote API would, so that the client's CPU no
// longer sets the pace.
import ky from 'ky';
import { startChild } from '../lib/child.mjs';
import { FlanksClient, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET } from '../lib/sdk.mjs';
import { alternate, ratios, summary } from '../lib/stats.mjs';

const KINDS = ['status', 'portfolio', 'investment', 'account'];

/** The SDK side: a new client capped at `cap`, all four calls for every token launched at once. */
export async function sdkFanOut(url, cap, tokens) {
  const flanks = new FlanksClient({
    clientId: SANDBOX_CLIENT_ID,
    clientSecret: SANDBOX_CLIENT_SECRET,
    baseUrl: url,
    maxConcurrency: cap,
  });
  await Promise.all(
    tokens.flatMap((token) => [
      flanks.credentials.getStatus(token),
      flanks.aggregation.portfolios(token),
      flanks.aggregation.investments(token),
      flanks.aggregation.accounts(token),
    ]),
  );
}

/** Runs `tasks` with at most `cap` in flight, first in first out. */
async function capped(tasks, cap) {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await tasks[next++]();
  };
  await Promise.all(Array.from({ length: cap }, worker));
}

export async function fanOut({
  credentials = 1000,
  cap = 32,
  rounds = 3,
  warmup = 1,
  latencyMs = 50,
  latencyCredentials = 250,
  latencyRounds = 2,
} = {}) {
  const server = await startChild('../sandbox-process.mjs');
  try {
    const url = await server.call('url');
    const tokens = await server.call('createCredentials', { count: credentials });
    let active = tokens;
    const requests = () => active.length * KINDS.length;
    const tokenRequests = [];
    let authorization;
    let delayMs = 0;
    const delay = async (count) => {
      if (delayMs > 0) await server.call('delayNext', { count, ms: delayMs });
    };
    const sdk = async () => {
      const before = await server.call('tokenRequests');
      await delay(requests() + 1);
      await sdkFanOut(url, cap, active);
      tokenRequests.push((await server.call('tokenRequests')) - before);
      authorization = await server.call('lastAuthorization');
    };
    const baseline = (send) => async () => {
      await delay(requests());
      const tasks = active.flatMap((token) =>
        KINDS.map((kind) => async () => {
          const { response, text } = await send(
            `${url}/v0/bank/credentials/${kind}`,
            JSON.stringify({ credentials_token: token }),
          );
          const data = JSON.parse(text);
          if (!response.ok) throw new Error(`baseline: HTTP ${response.status} ${JSON.stringify(data)}`);
        }),
      );
      await capped(tasks, cap);
    };
    const variants = {
      sdk,
      raw: baseline(async (endpoint, body) => {
        const response = await fetch(endpoint, {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/json', accept: 'application/json' },
          body,
          signal: AbortSignal.timeout(30_000),
        });
        return { response, text: await response.text() };
      }),
      ky: baseline(async (endpoint, body) => {
        const signal = AbortSignal.timeout(30_000);
        const response = await ky.post(endpoint, {
          headers: { authorization, 'content-type': 'application/json', accept: 'application/json' },
          retry: 0,
          timeout: false,
          throwHttpErrors: false,
          fetch: (request) =>
            fetch(request.url, { method: request.method, headers: request.headers, body, signal }),
        });
        return { response, text: await response.text() };
      }),
    };
    const time = async (name) => {
      const started = performance.now();
      await variants[name]();
      return requests() / ((performance.now() - started) / 1000);
    };
    // The SDK goes first in the warm-up round: the baselines need its token.
    const loopback = await alternate(['sdk', 'raw', 'ky'], { rounds, warmup }, time);
    const sdkTokens = tokenRequests.slice(warmup);
    const loopbackRequests = requests();
    delayMs = latencyMs;
    active = tokens.slice(0, latencyCredentials);
    const remote = await alternate(['sdk', 'raw'], { rounds: latencyRounds, warmup: 0 }, time);
    return {
      requests: loopbackRequests,
      cap,
      rounds,
      sdkPerSecond: summary(loopback.sdk),
      rawPerSecond: summary(loopback.raw),
      kyPerSecond: summary(loopback.ky),
      throughputRatio: summary(ratios(loopback.sdk, loopback.raw)),
      kyThroughputRatio: summary(ratios(loopback.ky, loopback.raw)),
      sdkOverKyThroughput: summary(ratios(loopback.sdk, loopback.ky)),
      tokenRequests: sdkTokens,
      remote: {
        requests: requests(),
        latencyMs,
        sdkPerSecond: summary(remote.sdk),
        rawPerSecond: summary(remote.raw),
        throughputRatio: summary(ratios(remote.sdk, remote.raw)),
      },
    };
  } finally {
    await server.stop();
  }
}
