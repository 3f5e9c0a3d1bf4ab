/*
 * The daily sync on a fleet (`npm run example:fleet`): a producer enqueues one BullMQ job per
 * credential stored in PostgreSQL, and several worker processes (./worker.ts) sync them, sharing one
 * Flanks access token through Redis.
 *
 * Run directly it plays the whole thing against the embedded sandbox: it seeds FLEET_CREDENTIALS
 * (default 2,000) credentials, starts FLEET_WORKERS (default 3) workers, optionally SIGKILLs one of
 * them once FLEET_KILL_AT (a fraction, e.g. 0.3) of the jobs are done, then checks every credential
 * landed exactly once and prints throughput and token requests. FLEET_TOKEN_TTL_S shortens the
 * sandbox's access-token lifetime to run through expiries. It uses FLEET_REDIS_URL and
 * FLEET_DATABASE_URL, or starts throwaway local servers when they are not set.
 *
 * Each worker serves Prometheus metrics on its own `/metrics` (./metrics.ts); at the end of the run
 * the monitor scrapes every live worker and sums the samples, as Prometheus would.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, startSandbox } from 'flanks-sdk/testing';
import type { Redis } from 'ioredis';
import { parseExposition, type Sample, total } from './metrics';
import { enqueueRun } from './producer';
import {
  credentialStore,
  type FleetConfig,
  fleetEnv,
  pgPool,
  RESULTS_SQL,
  redisConnection,
  type SyncJob,
} from './shared';

export interface FleetRunOptions {
  redisUrl: string;
  databaseUrl: string;
  credentials?: number;
  workers?: number;
  /** How many of the credentials are still pending at their first status check. Default 0. */
  pending?: number;
  /** SIGKILL the first worker once this fraction of the jobs has completed. */
  killAt?: number;
  /** Job lock lifetime: how soon a killed worker's jobs are run again. Default 30 s. */
  lockMs?: number;
  /** Sandbox access-token lifetime in seconds, to run the fleet through token expiries. */
  tokenTtlSeconds?: number;
  queue?: string;
  log?: (line: string) => void;
}

export interface FleetRunSummary {
  credentials: number;
  workers: number;
  /** Credentials with a row in flanks_sync_results for this run. */
  synced: number;
  /** Rows for this run: equals `synced` because of the primary key; checked anyway. */
  rows: number;
  /** Deliveries beyond the first: jobs that ran again after a write (a killed worker's jobs). */
  redeliveries: number;
  /** Completed jobs BullMQ took back from a dead worker (its lock expired). */
  recoveredJobs: number;
  /** Completed jobs that found their credential pending and went back to the queue first. */
  delayedJobs: number;
  failedJobs: number;
  killedWorker: number | undefined;
  durationMs: number;
  credentialsPerSecond: number;
  tokenRequests: number;
  /**
   * CPU time of this process (the sandbox, the producer and the monitor) over wall time: near 1
   * means the single-threaded sandbox, not the fleet, is what limits throughput.
   */
  sandboxCpuShare: number;
  /** Result rows holding, anywhere, one of the sampled credentials tokens (every 100th) in clear: must be 0. */
  rowsWithClearTokens: number;
  /** Sampled credentials tokens found anywhere in the queue's Redis keys (job data, ids, logs): must be 0. */
  tokensInRedis: number;
  /** Access tokens the sandbox issued found anywhere in Redis (the shared token cache seals them): must be 0. */
  accessTokensInRedis: number;
  /** Rows written by each worker process (pid → rows). */
  perWorker: Record<string, number>;
  /** Status reads the sandbox received. */
  statusRequestsServed: number;
  /** What the live workers' `/metrics` said at the end of the run, summed over them. */
  metrics: FleetMetrics;
}

/** Sums over the workers' Prometheus expositions (a SIGKILLed worker's metrics died with it). */
export interface FleetMetrics {
  /** Workers whose `/metrics` was scraped. */
  scraped: number;
  /** `flanks_requests_total` of the status endpoint with status 200: one per status read. */
  statusOk: number;
  /** `flanks_requests_total` of the status endpoint that got an answer (any HTTP status). */
  statusAnswered: number;
  /** `flanks_requests_total` of the status endpoint, answered or not (`status="none"`). */
  statusRequests: number;
  /** Observations of the status endpoint in `flanks_request_duration_seconds`. */
  statusLatencyCount: number;
  /** `flanks_requests_total` of the portfolio endpoint with status 200. */
  portfolioOk: number;
  /** `flanks_requests_total` of `/v0/token` with status 200: tokens the workers got from Flanks. */
  tokenOk: number;
  /** `flanks_tokens_total`, by action (fetched, refreshed, shared). */
  tokens: Record<string, number>;
  /** `flanks_retries_total`, by reason. */
  retries: Record<string, number>;
  /** `flanks_call_failures_total`. */
  failures: number;
  /** Sampled credentials tokens, access tokens, the client secret or the store key found in any exposition: must be 0. */
  secretsInMetrics: number;
}

const STATUS = '/v0/bank/credentials/status';

function byLabel(samples: readonly Sample[], name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) {
    const key = s.labels[label];
    if (s.name === name && key !== undefined) out[key] = (out[key] ?? 0) + s.value;
  }
  return out;
}

function fleetMetrics(texts: readonly string[], secrets: readonly string[]): FleetMetrics {
  const samples = texts.flatMap(parseExposition);
  return {
    scraped: texts.length,
    statusOk: total(samples, 'flanks_requests_total', { path: STATUS, status: '200' }),
    statusAnswered:
      total(samples, 'flanks_requests_total', { path: STATUS }) -
      total(samples, 'flanks_requests_total', { path: STATUS, status: 'none' }),
    statusRequests: total(samples, 'flanks_requests_total', { path: STATUS }),
    statusLatencyCount: total(samples, 'flanks_request_duration_seconds_count', { path: STATUS }),
    portfolioOk: total(samples, 'flanks_requests_total', {
      path: '/v0/bank/credentials/portfolio',
      status: '200',
    }),
    tokenOk: total(samples, 'flanks_requests_total', { path: '/v0/token', status: '200' }),
    tokens: byLabel(samples, 'flanks_tokens_total', 'action'),
    retries: byLabel(samples, 'flanks_retries_total', 'reason'),
    failures: total(samples, 'flanks_call_failures_total'),
    secretsInMetrics: secrets.filter((secret) => texts.some((text) => text.includes(secret))).length,
  };
}

/** Everything stored under the keys matching `pattern`, as one string, to search for secrets. */
async function redisContents(redis: Redis, pattern: string): Promise<string> {
  const read: Record<string, (key: string) => Promise<unknown>> = {
    string: (key) => redis.get(key),
    hash: (key) => redis.hgetall(key),
    list: (key) => redis.lrange(key, 0, -1),
    set: (key) => redis.smembers(key),
    zset: (key) => redis.zrange(key, '0', '-1'),
    stream: (key) => redis.xrange(key, '-', '+'),
  };
  const parts: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', '1000');
    cursor = next;
    for (const key of keys) parts.push(key, JSON.stringify(await read[await redis.type(key)]?.(key)));
  } while (cursor !== '0');
  return parts.join('\n');
}

function startWorkerProcess(env: Record<string, string>): ChildProcess {
  return fork(join(__dirname, 'worker.ts'), [], {
    env: { ...process.env, ...env, TS_NODE_PROJECT: join(__dirname, '..', 'tsconfig.json') },
    execArgv: ['-r', 'ts-node/register/transpile-only'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

export async function runFleet(options: FleetRunOptions): Promise<FleetRunSummary> {
  const log = options.log ?? (() => {});
  const n = options.credentials ?? 2_000;
  const workerCount = options.workers ?? 3;
  const config: FleetConfig = {
    redisUrl: options.redisUrl,
    databaseUrl: options.databaseUrl,
    queue: options.queue ?? 'flanks-sync-demo',
    runId: `run-${Date.now().toString(36)}`,
    jobConcurrency: 32,
    maxConcurrency: 16,
    lockMs: options.lockMs ?? 30_000,
    // A demo table of its own, emptied each run (the sandbox forgets its credentials when it stops),
    // and a fresh key; production reads the key from its secret manager.
    storeTable: 'flanks_credentials_fleet_demo',
    storeKey: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64'),
    // Every worker on a free port of its own (they share the machine here).
    metricsPort: 0,
  };
  const sandbox = await startSandbox(
    options.tokenTtlSeconds === undefined ? {} : { tokenTtlSeconds: options.tokenTtlSeconds },
  );
  const pool = pgPool(config.databaseUrl);
  const connection = redisConnection(config.redisUrl);
  const queue = new Queue<SyncJob>(config.queue, {
    connection,
    // Finished jobs are kept an hour, to inspect a run; their ids make a re-enqueue within it a no-op.
    defaultJobOptions: {
      attempts: 5,
      backoff: { type: 'exponential', delay: 1_000 },
      removeOnComplete: { age: 3_600 },
      removeOnFail: { age: 24 * 3_600 },
    },
  });
  const workers: ChildProcess[] = [];
  const metricsUrls = new Map<ChildProcess, string>();
  try {
    const { postgres, store } = credentialStore(pool, config);
    await postgres.migrate();
    await pool.query('TRUNCATE flanks_credentials_fleet_demo');
    await pool.query(RESULTS_SQL);
    await queue.obliterate({ force: true });
    log(`seeding ${n} credentials in the sandbox and in PostgreSQL …`);
    const sampled: string[] = [];
    for (let i = 0; i < n; i += 100) {
      await Promise.all(
        Array.from({ length: Math.min(100, n - i) }, (_, k) => {
          // The first `pending` credentials are still extracting at their first status check.
          const pendingPolls = i + k < (options.pending ?? 0) ? 1 : 0;
          const credentialsToken = sandbox.sandbox.createCredential({ pendingPolls });
          // Every 100th token is kept, to look for afterwards where no token should be.
          if (k === 0) sampled.push(credentialsToken);
          return store.save({
            userId: `user-${Math.floor((i + k) / 2)}`,
            credentialsToken,
            createdAt: new Date().toISOString(),
            extra: {},
          });
        }),
      );
    }
    const env = {
      ...fleetEnv(config),
      FLANKS_BASE_URL: sandbox.url,
      FLANKS_CLIENT_ID: SANDBOX_CLIENT_ID,
      FLANKS_CLIENT_SECRET: SANDBOX_CLIENT_SECRET,
    };
    for (let i = 0; i < workerCount; i++) workers.push(startWorkerProcess(env));
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            w.once('message', (message: { metricsUrl?: string }) => {
              if (message.metricsUrl) metricsUrls.set(w, message.metricsUrl);
              resolve();
            });
            w.once('exit', (code, signal) =>
              reject(new Error(`sync-fleet: a worker exited during start-up (${signal ?? `code ${code}`})`)),
            );
          }),
      ),
    );
    log(`${workerCount} workers ready; enqueueing run ${config.runId}`);
    const started = performance.now();
    const cpuAtStart = process.cpuUsage();
    const enqueued = await enqueueRun(store, queue, config.runId);
    let killedWorker: number | undefined;
    let lastProgress = performance.now();
    for (;;) {
      const counts = await queue.getJobCounts('completed', 'failed');
      const done = (counts.completed ?? 0) + (counts.failed ?? 0);
      if (options.killAt !== undefined && killedWorker === undefined && done >= options.killAt * enqueued) {
        const victim = workers[0];
        victim?.kill('SIGKILL');
        killedWorker = victim?.pid;
        log(`SIGKILL worker ${killedWorker} after ${done} jobs; its jobs wait for their locks to expire`);
      }
      if (performance.now() - lastProgress >= 2_000) {
        lastProgress = performance.now();
        log(`${((lastProgress - started) / 1000).toFixed(0)} s: ${done}/${enqueued} jobs done`);
      }
      if (done >= enqueued) break;
      if (performance.now() - started > 10 * 60_000)
        throw new Error('sync-fleet: run did not finish in 10 min');
      await new Promise((r) => setTimeout(r, 100));
    }
    const durationMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuAtStart);
    const live = workers.filter((w) => w.exitCode === null && w.signalCode === null);
    // Drained first: a job taken over from a worker that lost its lock may still be running in it.
    await Promise.all(
      live.map(
        (w) =>
          new Promise<void>((resolve) => {
            const onMessage = (message: { drained?: boolean }) => {
              if (!message?.drained) return;
              w.off('message', onMessage);
              resolve();
            };
            w.on('message', onMessage);
            w.send({ drain: true });
          }),
      ),
    );
    const expositions = await Promise.all(
      live.flatMap((w) => {
        const url = metricsUrls.get(w);
        return url ? [fetch(url).then((r) => r.text())] : [];
      }),
    );
    const { rows } = await pool.query<{ rows: string; synced: string; deliveries: string }>(
      `SELECT count(*) AS rows, count(DISTINCT credential_key) AS synced, coalesce(sum(deliveries), 0) AS deliveries
         FROM flanks_sync_results WHERE run_id = $1`,
      [config.runId],
    );
    const perWorkerRows = await pool.query<{ worker_pid: number; n: string }>(
      'SELECT worker_pid, count(*) AS n FROM flanks_sync_results WHERE run_id = $1 GROUP BY worker_pid',
      [config.runId],
    );
    const clear = await pool.query<{ n: string }>(
      `SELECT count(DISTINCT r) AS n FROM flanks_sync_results r, unnest($2::text[]) AS t
        WHERE r.run_id = $1 AND strpos(r::text, t) > 0`,
      [config.runId, sampled],
    );
    const completed = await queue.getJobs(['completed'], 0, -1);
    const redisText = await redisContents(connection, `bull:${config.queue}:*`);
    const everythingInRedis = await redisContents(connection, '*');
    const accessTokens = new Set(
      sandbox.sandbox.requests.flatMap((r) =>
        r.authorization ? [r.authorization.replace(/^Bearer /, '')] : [],
      ),
    );
    const totals = rows[0] ?? { rows: '0', synced: '0', deliveries: '0' };
    const synced = Number(totals.synced);
    return {
      credentials: enqueued,
      workers: workerCount,
      synced,
      rows: Number(totals.rows),
      redeliveries: Number(totals.deliveries) - Number(totals.rows),
      recoveredJobs: completed.filter((job) => job.stalledCounter > 0).length,
      delayedJobs: completed.filter((job) => (job.data.pendingChecks ?? 0) > 0).length,
      failedJobs: (await queue.getJobCounts('failed')).failed ?? 0,
      killedWorker,
      durationMs,
      credentialsPerSecond: synced / (durationMs / 1000),
      tokenRequests: sandbox.sandbox.stats.tokenRequests,
      sandboxCpuShare: (cpu.user + cpu.system) / 1000 / durationMs,
      rowsWithClearTokens: Number(clear.rows[0]?.n ?? 0),
      tokensInRedis: sampled.filter((token) => redisText.includes(token)).length,
      accessTokensInRedis: [...accessTokens].filter((token) => everythingInRedis.includes(token)).length,
      perWorker: Object.fromEntries(perWorkerRows.rows.map((r) => [String(r.worker_pid), Number(r.n)])),
      statusRequestsServed: sandbox.sandbox.stats.requests[STATUS] ?? 0,
      metrics: fleetMetrics(expositions, [
        ...sampled,
        ...accessTokens,
        SANDBOX_CLIENT_SECRET,
        config.storeKey,
      ]),
    };
  } finally {
    await Promise.all(
      workers
        .filter((w) => w.exitCode === null && w.signalCode === null)
        .map(async (w) => {
          const exited = once(w, 'exit');
          w.kill('SIGTERM');
          await exited;
        }),
    );
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await connection.quit();
    await pool.end();
    await sandbox.close();
  }
}

async function main() {
  let redisUrl = process.env.FLEET_REDIS_URL;
  let databaseUrl = process.env.FLEET_DATABASE_URL;
  const stops: Array<() => Promise<void>> = [];
  if (!redisUrl || !databaseUrl) {
    const { startPostgres, startRedis } = await import('../lib/services');
    console.log('FLEET_REDIS_URL / FLEET_DATABASE_URL not set: starting throwaway local servers …');
    const [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
    stops.push(pg.stop, redis.stop);
    databaseUrl = pg.url;
    redisUrl = redis.url;
  }
  try {
    const summary = await runFleet({
      redisUrl,
      databaseUrl,
      credentials: Number(process.env.FLEET_CREDENTIALS ?? 2_000),
      workers: Number(process.env.FLEET_WORKERS ?? 3),
      killAt: process.env.FLEET_KILL_AT === undefined ? undefined : Number(process.env.FLEET_KILL_AT),
      lockMs: process.env.FLEET_LOCK_MS === undefined ? undefined : Number(process.env.FLEET_LOCK_MS),
      tokenTtlSeconds:
        process.env.FLEET_TOKEN_TTL_S === undefined ? undefined : Number(process.env.FLEET_TOKEN_TTL_S),
      log: (line) => console.log(line),
    });
    console.log(
      [
        `credentials      ${summary.credentials}`,
        `synced           ${summary.synced} (rows ${summary.rows}, redeliveries ${summary.redeliveries})`,
        `workers          ${summary.workers}${summary.killedWorker ? ` (one SIGKILLed: ${summary.recoveredJobs} jobs recovered)` : ''}`,
        `failed jobs      ${summary.failedJobs}`,
        `time             ${(summary.durationMs / 1000).toFixed(2)} s`,
        `throughput       ${summary.credentialsPerSecond.toFixed(0)} credentials/s`,
        `token requests   ${summary.tokenRequests}`,
        `metrics          ${summary.metrics.scraped} workers scraped: ${summary.metrics.statusOk} status reads, ${summary.metrics.tokenOk} tokens from Flanks, retries ${JSON.stringify(summary.metrics.retries)}, ${summary.metrics.secretsInMetrics} secrets`,
        `tokens in clear  ${summary.tokensInRedis} in Redis, ${summary.rowsWithClearTokens} in results (of every 100th checked); ${summary.accessTokensInRedis} access tokens in Redis`,
        `sandbox CPU      ${(summary.sandboxCpuShare * 100).toFixed(0)} % of one core`,
      ].join('\n'),
    );
    const leaked =
      summary.tokensInRedis +
      summary.rowsWithClearTokens +
      summary.accessTokensInRedis +
      summary.metrics.secretsInMetrics;
    if (summary.synced !== summary.credentials || summary.failedJobs > 0 || leaked > 0) process.exitCode = 1;
  } finally {
    for (const stop of stops) await stop();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
