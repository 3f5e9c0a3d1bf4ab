// One process of the fleet in redis.infra.test.ts, run as `node --import tsx fleet-worker.ts` with an
// IPC channel. It builds its own FlanksClient (with a RedisTokenCache over its own ioredis connection
// when FLEET_REDIS_URL is set), says `ready`, waits for `go`, then makes FLEET_CALLS status calls in
// FLEET_LANES concurrent lanes, FLEET_PACE_MS apart per lane, and sends back what happened.
import { Redis } from 'ioredis';
import { FlanksClient, type Logger } from '../../src';
import { SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET } from '../../src/testing';
import { RedisTokenCache } from '../../src/token-cache/redis';

export interface FleetResult {
  ok: number;
  failed: Record<string, number>;
  warnings: string[];
}

const env = (name: string) => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`fleet-worker needs ${name}`);
  return value;
};
const calls = Number(env('FLEET_CALLS'));
const lanes = Number(env('FLEET_LANES'));
const paceMs = Number(env('FLEET_PACE_MS'));
const credentials = env('FLEET_CREDENTIALS').split(',');
const redisUrl = process.env.FLEET_REDIS_URL;

const redis = redisUrl ? new Redis(redisUrl) : undefined;
const warnings: string[] = [];
const quiet = () => undefined;
const logger: Logger = { debug: quiet, info: quiet, warn: (m: string) => warnings.push(m), error: quiet };
const flanks = new FlanksClient({
  clientId: SANDBOX_CLIENT_ID,
  clientSecret: SANDBOX_CLIENT_SECRET,
  baseUrl: env('FLEET_SANDBOX_URL'),
  logger,
  maxRetries: 0,
  tokenCache: redis ? new RedisTokenCache({ redis, prefix: env('FLEET_PREFIX') }) : undefined,
});

const result: FleetResult = { ok: 0, failed: {}, warnings };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function lane(index: number, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const token = credentials[(index + i) % credentials.length] ?? '';
    try {
      await flanks.credentials.getStatus(token);
      result.ok++;
    } catch (error) {
      const name = error instanceof Error ? error.name : 'unknown';
      result.failed[name] = (result.failed[name] ?? 0) + 1;
    }
    await sleep(paceMs);
  }
}

if (redis) await redis.ping();
process.once('message', async () => {
  const perLane = Math.ceil(calls / lanes);
  await Promise.all(Array.from({ length: lanes }, (_, i) => lane(i, Math.min(perLane, calls - i * perLane))));
  process.send?.({ result }, () => {
    redis?.disconnect();
    process.disconnect();
  });
});
process.send?.('ready');
