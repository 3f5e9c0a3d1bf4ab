/*
 * One worker process of the sync fleet. It takes sync jobs from BullMQ, finds the credential in the
 * encrypted store (a job names it by user and hash, never by token), reads its status, fetches
 * portfolios, investments and accounts, and writes them to PostgreSQL.
 *
 * - A credential still pending (first extraction running) goes back to the queue for 5 s, up to 12
 *   times; after that it is recorded as `pending` and left to the next run, so a run always drains.
 * - A credential that needs its user (blocked login, SCA) is written with its state and no data.
 * - Any other error fails the attempt; BullMQ retries it with backoff (`attempts` on the job). The
 *   SDK has already retried what was safe to retry, so these are rare.
 * - SIGTERM/SIGINT: finish the jobs in hand, then exit. SIGKILL: BullMQ's lock on those jobs
 *   expires after `lockMs` and another worker runs them again; the idempotent write keeps it once.
 *   A job may stall up to 3 times (BullMQ's default, 1, fails a job caught by two kills in a row,
 *   e.g. a rolling deploy; re-running it is harmless since the write is idempotent).
 * - Metrics: the client's events feed Prometheus counters and a latency histogram (./metrics.ts),
 *   served on `/metrics` at FLEET_METRICS_PORT (default 9464; 0 picks a free port). A `drain`
 *   message from the parent stops taking jobs and answers once the jobs in hand are done, so a last
 *   scrape sees every request the worker made.
 */
import { DelayedError, type Job, Worker } from 'bullmq';
import { type CredentialStore, credentialState, type FlanksClient } from 'flanks-sdk';
import { Registry } from 'prom-client';
import { flanksMetrics, serveMetrics } from './metrics';
import {
  credentialKey,
  credentialStore,
  type FleetConfig,
  fleetClient,
  fleetConfigFromEnv,
  pgPool,
  RESULTS_SQL,
  redisConnection,
  type SyncJob,
} from './shared';

const PENDING_RETRY_MS = 5_000;
const MAX_PENDING_CHECKS = 12;

async function syncOne(
  flanks: FlanksClient,
  store: CredentialStore,
  write: (row: unknown[]) => Promise<void>,
  job: Job<SyncJob>,
) {
  const { userId, credentialKey: key } = job.data;
  const record = (await store.listByUser(userId)).find((r) => credentialKey(r.credentialsToken) === key);
  // Deleted since the run was enqueued (the user disconnected the bank): nothing to sync.
  if (!record) return;
  const { credentialsToken } = record;
  const { state } = credentialState(await flanks.credentials.getStatus(credentialsToken));
  const pendingChecks = job.data.pendingChecks ?? 0;
  if (state === 'pending' && pendingChecks < MAX_PENDING_CHECKS) {
    await job.updateData({ ...job.data, pendingChecks: pendingChecks + 1 });
    await job.moveToDelayed(Date.now() + PENDING_RETRY_MS, job.token);
    throw new DelayedError();
  }
  if (state === 'pending' || state === 'needs_reset' || state === 'needs_sca') {
    await write([key, userId, state, [], [], []]);
    return;
  }
  const [portfolios, investments, accounts] = await Promise.all([
    flanks.aggregation.portfolios(credentialsToken),
    flanks.aggregation.investments(credentialsToken),
    flanks.aggregation.accounts(credentialsToken),
  ]);
  await write([key, userId, state, portfolios, investments, accounts]);
}

export async function startWorker(config: FleetConfig) {
  const pool = pgPool(config.databaseUrl, Math.min(config.jobConcurrency, 10));
  await pool.query(RESULTS_SQL);
  const cacheRedis = redisConnection(config.redisUrl);
  const flanks = fleetClient(config, cacheRedis);
  const metrics = await serveMetrics(flanksMetrics(flanks, new Registry()), config.metricsPort);
  const { store } = credentialStore(pool, config);
  const write = async ([key, userId, state, portfolios, investments, accounts]: unknown[]) => {
    await pool.query(
      `INSERT INTO flanks_sync_results
         (run_id, credential_key, user_id, state, portfolios, investments, accounts, worker_pid)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (run_id, credential_key)
       DO UPDATE SET deliveries = flanks_sync_results.deliveries + 1`,
      [
        config.runId,
        key,
        userId,
        state,
        JSON.stringify(portfolios),
        JSON.stringify(investments),
        JSON.stringify(accounts),
        process.pid,
      ],
    );
  };
  const queueRedis = redisConnection(config.redisUrl);
  const worker = new Worker<SyncJob>(config.queue, (job) => syncOne(flanks, store, write, job), {
    connection: queueRedis,
    concurrency: config.jobConcurrency,
    lockDuration: config.lockMs,
    maxStalledCount: 3,
    stalledInterval: Math.max(500, Math.floor(config.lockMs / 2)),
  });
  worker.on('error', (error) => console.error(`worker ${process.pid}: ${error.message}`));
  return {
    worker,
    metricsUrl: metrics.url,
    async close() {
      await worker.close();
      metrics.server.close();
      await Promise.all([pool.end(), queueRedis.quit(), cacheRedis.quit()]);
    },
  };
}

if (require.main === module) {
  startWorker(fleetConfigFromEnv()).then(
    (running) => {
      const stop = () => void running.close().then(() => process.exit(0));
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
      process.on('message', (message: { drain?: boolean }) => {
        if (message?.drain) void running.worker.close().then(() => process.send?.({ drained: true }));
      });
      process.send?.({ ready: true, metricsUrl: running.metricsUrl });
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
