import { describe, expect, inject, it } from 'vitest';
import { runFleet } from '../../examples/sync-fleet/main';

// The sync fleet end to end: the sandbox on loopback, real Redis (BullMQ + the shared token cache),
// real PostgreSQL (the credential store and the results), three worker processes, each serving
// Prometheus metrics (prom-client, fed by the SDK's events) that the run scrapes at the end.
describe('examples/sync-fleet', () => {
  it('syncs 2,000 credentials exactly once each with 3 workers, one token request per expiry', async () => {
    const tokenTtlSeconds = 4;
    const summary = await runFleet({
      redisUrl: inject('redisUrl'),
      databaseUrl: inject('postgresUrl'),
      credentials: 2_000,
      workers: 3,
      tokenTtlSeconds,
      pending: 20,
      queue: 'fleet-test-a',
    });
    // Pending credentials went back to the queue once, then synced.
    expect(summary.delayedJobs).toBe(20);
    expect(summary).toMatchObject({ credentials: 2_000, synced: 2_000, rows: 2_000, failedJobs: 0 });
    // The store is encrypted: the results must not hold the tokens it protects in clear either.
    expect(summary.rowsWithClearTokens).toBe(0);
    expect(summary.tokensInRedis).toBe(0);
    // The shared token cache seals the access token: Redis holds none of them in clear.
    expect(summary.accessTokensInRedis).toBe(0);
    expect(Object.keys(summary.perWorker)).toHaveLength(3);
    // Tokens are refreshed when 10 % of their life is left: at most one request per 0.9 × TTL for
    // the whole fleet (plus the first), where three processes fetching their own would triple it.
    const lifetimes = summary.durationMs / (0.9 * tokenTtlSeconds * 1000);
    expect(summary.tokenRequests).toBeGreaterThanOrEqual(2);
    expect(summary.tokenRequests).toBeLessThanOrEqual(Math.floor(lifetimes) + 2);

    // The workers' /metrics (scraped once every worker is drained) agree with the run: every
    // status read the sandbox received was counted (an attempt that got no answer shows as
    // status="none"), each credential was read at least once and a pending one twice (a job run
    // again, after a retry or taken over from a stalled worker, reads again), every response was
    // timed, each token from Flanks is one token event, and no secret is in any exposition.
    const m = summary.metrics;
    expect(m.scraped).toBe(3);
    expect(m.statusAnswered).toBeLessThanOrEqual(summary.statusRequestsServed);
    expect(summary.statusRequestsServed).toBeLessThanOrEqual(m.statusRequests);
    expect(m.statusOk).toBeGreaterThanOrEqual(summary.synced + summary.delayedJobs);
    expect(m.portfolioOk).toBeGreaterThanOrEqual(summary.synced);
    expect(m.statusLatencyCount).toBe(m.statusRequests);
    expect((m.tokens.fetched ?? 0) + (m.tokens.refreshed ?? 0)).toBe(m.tokenOk);
    expect(m.tokenOk).toBeLessThanOrEqual(summary.tokenRequests);
    expect(m.tokens.shared).toBeGreaterThan(0);
    expect(m.secretsInMetrics).toBe(0);
    console.log(
      `fleet: ${summary.credentialsPerSecond.toFixed(0)} credentials/s over ${(summary.durationMs / 1000).toFixed(1)} s, ${summary.tokenRequests} token requests, sandbox CPU ${(summary.sandboxCpuShare * 100).toFixed(0)} %; metrics: ${JSON.stringify(m)}`,
    );
  });

  it('survives a worker SIGKILLed mid-run: its jobs are taken over and still land exactly once', async () => {
    const summary = await runFleet({
      redisUrl: inject('redisUrl'),
      databaseUrl: inject('postgresUrl'),
      credentials: 2_000,
      workers: 3,
      killAt: 0.3,
      lockMs: 2_000,
      queue: 'fleet-test-b',
    });
    expect(summary.killedWorker).toBeTypeOf('number');
    expect(summary).toMatchObject({ credentials: 2_000, synced: 2_000, rows: 2_000, failedJobs: 0 });
    expect(summary.recoveredJobs).toBeGreaterThan(0);
    expect(summary.perWorker[String(summary.killedWorker)]).toBeLessThan(2_000);
    expect(summary.tokenRequests).toBe(1);
    // The killed worker's metrics died with it; the survivors still serve theirs, secret-free.
    expect(summary.metrics.scraped).toBe(2);
    expect(summary.metrics.statusOk).toBeGreaterThan(0);
    expect(summary.metrics.secretsInMetrics).toBe(0);
    console.log(
      `fleet with a kill: ${summary.recoveredJobs} jobs recovered, ${summary.redeliveries} redeliveries, ${summary.credentialsPerSecond.toFixed(0)} credentials/s`,
    );
  });
});
