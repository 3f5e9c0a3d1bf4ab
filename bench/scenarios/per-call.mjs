// Scenario 1: per-call overhead. 2,000 sequential getStatus calls per variant and round against the
// sandbox (in its own process); the baselines send the same request: same Authorization header (the
// SDK's own token), same JSON body, a 30 s timeout signal on each, and parse the JSON. `sdk` has no
// event listener (the goal applies to it); `sdkListener` is a second client with one `response`
// listener, which gets a payload (trace id lookup included) on every call.

import ky from 'ky';
import { startChild } from '../lib/child.mjs';
import { FlanksClient, MemoryTokenCache, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET } from '../lib/sdk.mjs';
import { alternate, ratios, summary } from '../lib/stats.mjs';

export async function perCall({ calls = 2000, rounds = 5, warmup = 1 } = {}) {
  const server = await startChild('../sandbox-process.mjs');
  try {
    const url = await server.call('url');
    const [token] = await server.call('createCredentials', { count: 1 });
    // Both clients share one access token (a new token revokes the previous one); each keeps its
    // own copy, so the cache is not on the path of a call.
    const tokenCache = new MemoryTokenCache();
    const flanks = new FlanksClient({
      clientId: SANDBOX_CLIENT_ID,
      clientSecret: SANDBOX_CLIENT_SECRET,
      baseUrl: url,
      tokenCache,
    });
    const listened = new FlanksClient({
      clientId: SANDBOX_CLIENT_ID,
      clientSecret: SANDBOX_CLIENT_SECRET,
      baseUrl: url,
      tokenCache,
    });
    let responses = 0;
    listened.on('response', (event) => {
      if (event.status === 200) responses++;
    });
    await listened.credentials.getStatus(token);
    await flanks.credentials.getStatus(token);
    const authorization = await server.call('lastAuthorization');
    const endpoint = `${url}/v0/bank/credentials/status`;
    const json = { credentials_token: token };
    const headers = { authorization, 'content-type': 'application/json', accept: 'application/json' };
    const variants = {
      sdk: () => flanks.credentials.getStatus(token),
      sdkListener: () => listened.credentials.getStatus(token),
      // What a user writes by hand.
      fetch: async () => {
        const response = await fetch(endpoint, {
          method: 'POST',
          headers,
          body: JSON.stringify(json),
          signal: AbortSignal.timeout(30_000),
        });
        return JSON.parse(await response.text());
      },
      // ky as its README shows it, with the same options (its default 10 s timeout stays on).
      ky: () =>
        ky.post(endpoint, { headers: { authorization }, json, signal: AbortSignal.timeout(30_000) }).json(),
      // ky configured the way the SDK now uses it: no retries, no timeout of its own, and the body and
      // signal handed to fetch directly, so ky's Request carries no body to clone and re-stream.
      kyTuned: async () => {
        const body = JSON.stringify(json);
        const signal = AbortSignal.timeout(30_000);
        const response = await ky.post(endpoint, {
          headers: { authorization, 'content-type': 'application/json' },
          retry: 0,
          timeout: false,
          fetch: (request) =>
            fetch(request.url, { method: request.method, headers: request.headers, body, signal }),
        });
        return JSON.parse(await response.text());
      },
    };
    const runs = await alternate(Object.keys(variants), { rounds, warmup }, async (name) => {
      const call = variants[name];
      const started = performance.now();
      const cpu = process.cpuUsage();
      for (let i = 0; i < calls; i++) await call();
      const used = process.cpuUsage(cpu);
      return {
        wallUs: ((performance.now() - started) * 1000) / calls,
        cpuUs: (used.user + used.system) / calls,
      };
    });
    const wall = (name) => runs[name].map((r) => r.wallUs);
    const cpu = (name) => runs[name].map((r) => r.cpuUs);
    const diff = (a, b) => a.map((v, i) => v - b[i]);
    return {
      calls,
      rounds,
      wallUs: Object.fromEntries(Object.keys(variants).map((n) => [n, summary(wall(n))])),
      cpuUs: Object.fromEntries(Object.keys(variants).map((n) => [n, summary(cpu(n))])),
      sdkOverKy: summary(ratios(wall('sdk'), wall('ky'))),
      sdkListenerOverKy: summary(ratios(wall('sdkListener'), wall('ky'))),
      cpuSdkOverKy: summary(ratios(cpu('sdk'), cpu('ky'))),
      cpuSdkListenerOverKy: summary(ratios(cpu('sdkListener'), cpu('ky'))),
      listenerResponses: responses,
      sdkOverFetch: summary(ratios(wall('sdk'), wall('fetch'))),
      kyOverFetch: summary(ratios(wall('ky'), wall('fetch'))),
      kyTunedOverFetch: summary(ratios(wall('kyTuned'), wall('fetch'))),
      addedUs: summary(diff(wall('sdk'), wall('fetch'))),
      addedCpuUs: summary(diff(cpu('sdk'), cpu('fetch'))),
    };
  } finally {
    await server.stop();
  }
}
