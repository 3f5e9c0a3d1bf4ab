import { createHash } from 'node:crypto';
import { EncryptedCredentialStore, FlanksClient } from 'flanks-sdk';
import { PostgresCredentialStore } from 'flanks-sdk/stores/postgres';
import { RedisTokenCache } from 'flanks-sdk/token-cache/redis';
import { Redis } from 'ioredis';
import { Pool } from 'pg';

/**
 * What one sync job carries: who, and which of their credentials, named by a hash. Never the token:
 * job data sits in Redis and shows in queue dashboards; the worker reads the token from the
 * (encrypted) store.
 */
export interface SyncJob {
  userId: string;
  credentialKey: string;
  /** Status checks that found the credential still pending (the worker sets it). */
  pendingChecks?: number;
}

/** Settings every process of the fleet reads from its environment. */
export interface FleetConfig {
  redisUrl: string;
  databaseUrl: string;
  /** BullMQ queue name; one run at a time per queue. */
  queue: string;
  /** Identifies one daily run: a credential is written at most once per run. */
  runId: string;
  /** Jobs a worker process runs at once. */
  jobConcurrency: number;
  /** The FlanksClient's cap on requests in flight, per process. */
  maxConcurrency: number;
  /** How long a job's lock lives without renewal: how fast a dead worker's jobs are taken over. */
  lockMs: number;
  /** The credential store's table and its encryption key (32 bytes, base64; from a secret manager). */
  storeTable: string;
  storeKey: string;
  /** Port of each worker's Prometheus `/metrics` (0: any free port, reported to the parent). */
  metricsPort: number;
}

export function fleetConfigFromEnv(env: NodeJS.ProcessEnv = process.env): FleetConfig {
  const need = (name: string) => {
    const value = env[name];
    if (!value) throw new Error(`sync-fleet: set ${name}`);
    return value;
  };
  return {
    redisUrl: need('FLEET_REDIS_URL'),
    databaseUrl: need('FLEET_DATABASE_URL'),
    queue: env.FLEET_QUEUE ?? 'flanks-sync',
    runId: need('FLEET_RUN_ID'),
    jobConcurrency: Number(env.FLEET_JOB_CONCURRENCY ?? 32),
    maxConcurrency: Number(env.FLEET_MAX_CONCURRENCY ?? 16),
    lockMs: Number(env.FLEET_LOCK_MS ?? 30_000),
    storeTable: env.FLEET_STORE_TABLE ?? 'flanks_credentials',
    storeKey: need('FLEET_STORE_KEY'),
    metricsPort: Number(env.FLEET_METRICS_PORT ?? 9464),
  };
}

export function fleetEnv(config: FleetConfig): Record<string, string> {
  return {
    FLEET_REDIS_URL: config.redisUrl,
    FLEET_DATABASE_URL: config.databaseUrl,
    FLEET_QUEUE: config.queue,
    FLEET_RUN_ID: config.runId,
    FLEET_JOB_CONCURRENCY: String(config.jobConcurrency),
    FLEET_MAX_CONCURRENCY: String(config.maxConcurrency),
    FLEET_LOCK_MS: String(config.lockMs),
    FLEET_STORE_TABLE: config.storeTable,
    FLEET_STORE_KEY: config.storeKey,
    FLEET_METRICS_PORT: String(config.metricsPort),
  };
}

/** BullMQ needs `maxRetriesPerRequest: null` on its connections so blocking commands wait. */
export function redisConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null });
}

export function pgPool(url: string, max = 10): Pool {
  return new Pool({ connectionString: url, max });
}

/**
 * The user ↔ credentials mapping: PostgreSQL, encrypted (only user ids, dates and keyed hashes of the
 * tokens reach the table in clear). Production takes the key from a secret manager; rotate it by
 * adding a key id (see docs/security.md, "Encrypting stored credentials").
 */
export function credentialStore(pool: Pool, config: Pick<FleetConfig, 'storeTable' | 'storeKey'>) {
  const postgres = new PostgresCredentialStore({ pool, table: config.storeTable });
  return {
    postgres,
    store: new EncryptedCredentialStore(postgres, { keys: { k1: config.storeKey }, currentKeyId: 'k1' }),
  };
}

/**
 * One client per process. Every process shares one access token through Redis (a new token may
 * revoke the previous one, so a fleet fetching its own tokens would knock itself out), and each
 * caps its own requests in flight. Credentials and the API address come from FLANKS_CLIENT_ID,
 * FLANKS_CLIENT_SECRET and FLANKS_BASE_URL.
 */
export function fleetClient(config: FleetConfig, redis: Redis): FlanksClient {
  return new FlanksClient({
    maxConcurrency: config.maxConcurrency,
    tokenCache: new RedisTokenCache({ redis, prefix: `${config.queue}:` }),
  });
}

/**
 * Names a credential without exposing its token, for job ids (they show up in dashboards) and the
 * results table (the store is encrypted; the results must not hold the tokens it protects). Tokens
 * are long random strings, so their SHA-256 cannot be reversed by guessing.
 */
export function credentialKey(credentialsToken: string): string {
  return createHash('sha256').update(credentialsToken).digest('hex');
}

export function jobId(runId: string, key: string): string {
  return `${runId}-${key.slice(0, 32)}`;
}

/**
 * Where the workers write what they fetched, per credential key (never the token). The primary key
 * makes the write idempotent: BullMQ delivers a job at least once (a worker that dies mid-job has
 * its job run again), and a second delivery only bumps `deliveries`, so each credential lands
 * exactly once per run.
 */
export const RESULTS_SQL = `
CREATE TABLE IF NOT EXISTS flanks_sync_results (
  run_id            text        NOT NULL,
  credential_key    text        NOT NULL,
  user_id           text        NOT NULL,
  state             text        NOT NULL,
  portfolios        jsonb       NOT NULL,
  investments       jsonb       NOT NULL,
  accounts          jsonb       NOT NULL,
  worker_pid        integer     NOT NULL,
  deliveries        integer     NOT NULL DEFAULT 1,
  synced_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, credential_key)
)`;
