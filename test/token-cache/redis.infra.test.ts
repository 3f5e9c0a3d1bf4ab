import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../examples/lib/services';
import { FlanksAuthError, FlanksClient, FlanksValidationError } from '../../src';
import {
  type RunningSandbox,
  runTokenCacheContract,
  SANDBOX_CLIENT_ID,
  SANDBOX_CLIENT_SECRET,
  type StartSandboxOptions,
  startSandbox,
} from '../../src/testing';
import { fromNodeRedis, RedisTokenCache, type RedisTokenCacheClient } from '../../src/token-cache/redis';
import type { FleetResult } from './fleet-worker';

// RedisTokenCache against the real Redis of the infrastructure suite, and the fleet it exists for:
// five Node processes, each with its own client and Redis connection, share one sandbox (which, like
// Flanks, revokes a client's previous token when it issues a new one).

let redis: Redis;
const prefix = () => `test:${randomUUID()}:`;

beforeAll(async () => {
  redis = new Redis(inject('redisUrl'));
  await redis.ping();
});
afterAll(async () => {
  await redis.quit();
});

runTokenCacheContract(() => new RedisTokenCache({ redis, prefix: prefix() }), {
  name: 'RedisTokenCache contract',
  describe,
  it,
});

// The same contract through node-redis (the `redis` package) and the fromNodeRedis adapter.
let nodeRedis: Awaited<ReturnType<typeof connectNodeRedis>>;
const connectNodeRedis = () => createClient({ url: inject('redisUrl') }).connect();
beforeAll(async () => {
  nodeRedis = await connectNodeRedis();
});
afterAll(async () => {
  await nodeRedis.close();
});
runTokenCacheContract(() => new RedisTokenCache({ redis: fromNodeRedis(nodeRedis), prefix: prefix() }), {
  name: 'RedisTokenCache over node-redis (fromNodeRedis) contract',
  describe,
  it,
});

describe('fromNodeRedis', () => {
  it('rejects something that is not a node-redis client', () => {
    expect(() => fromNodeRedis({} as never)).toThrow(FlanksValidationError);
  });

  it('shares one token between two clients through node-redis', async () => {
    const running = await startSandbox();
    try {
      const shared = new RedisTokenCache({ redis: fromNodeRedis(nodeRedis), prefix: `nr:${randomUUID()}:` });
      const make = () =>
        new FlanksClient({
          clientId: SANDBOX_CLIENT_ID,
          clientSecret: SANDBOX_CLIENT_SECRET,
          baseUrl: running.url,
          tokenCache: shared,
        });
      const [a, b] = [make(), make()];
      await Promise.all([a.entities.list(), b.entities.list(), a.entities.list(), b.entities.list()]);
      expect(running.sandbox.stats.tokenRequests).toBe(1);
    } finally {
      await running.close();
    }
  });
});

describe('RedisTokenCache', () => {
  it('stores JSON under <prefix><key> that Redis expires with the token, and a PX lock', async () => {
    const p = prefix();
    const cache = new RedisTokenCache({ redis, prefix: p });
    const now = Date.now();
    const token = { value: 'at_redis_1', issuedAt: now, expiresAt: now + 60_000 };
    await cache.set('k', token);
    expect(JSON.parse((await redis.get(`${p}k`)) ?? '')).toEqual(token);
    const ttl = await redis.pttl(`${p}k`);
    expect(ttl).toBeGreaterThan(55_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    const lock = await cache.lock('k', 5_000);
    expect(await redis.pttl(`${p}k:lock`)).toBeGreaterThan(4_000);
    await lock?.release();
    expect(await redis.exists(`${p}k:lock`)).toBe(0);
  });

  it('treats a foreign or corrupt value as absent', async () => {
    const p = prefix();
    const cache = new RedisTokenCache({ redis, prefix: p });
    await redis.set(`${p}a`, 'not json');
    await redis.set(`${p}b`, JSON.stringify({ value: 'x' }));
    expect(await cache.get('a')).toBeUndefined();
    expect(await cache.get('b')).toBeUndefined();
  });

  it('validates its options and prints no token', async () => {
    for (const [options, path] of [
      [undefined, 'options'],
      [{}, 'options.redis'],
      [{ redis: { get() {}, set() {} } }, 'options.redis'],
      [{ redis, prefix: 7 }, 'options.prefix'],
    ] as const) {
      let err: unknown;
      try {
        new RedisTokenCache(options as unknown as { redis: RedisTokenCacheClient });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(FlanksValidationError);
      expect((err as FlanksValidationError).path).toBe(path);
    }
    const cache = new RedisTokenCache({ redis, prefix: 'shown:' });
    expect(inspect(cache)).toBe(`RedisTokenCache { prefix: 'shown:' }`);
    expect(JSON.stringify(cache)).toBe('{"prefix":"shown:"}');
  });

  it('Redis down: the client warns and works with its own token', async () => {
    const running = await startSandbox({ pendingPolls: 0 });
    const dead = new Redis(`redis://127.0.0.1:${await freePort()}`, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    dead.on('error', () => undefined); // the refused connection is the point of the test
    const warnings: string[] = [];
    try {
      const flanks = new FlanksClient({
        clientId: SANDBOX_CLIENT_ID,
        clientSecret: SANDBOX_CLIENT_SECRET,
        baseUrl: running.url,
        tokenCache: new RedisTokenCache({ redis: dead }),
        logger: { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} },
      });
      const ct = running.sandbox.createCredential({ pendingPolls: 0 });
      await expect(flanks.credentials.getStatus(ct)).resolves.toMatchObject({ pending: false });
      await expect(flanks.credentials.getStatus(ct)).resolves.toMatchObject({ pending: false });
      expect(running.sandbox.stats.tokenRequests).toBe(1);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/token cache get failed/);
    } finally {
      dead.disconnect();
      await running.close();
    }
  });
});

// Security review (issue 12, finding 3), against a real Redis: whoever can read Redis must not find
// an access token, whoever can write to it must not get one used, and a process with the right client
// id but a wrong secret must not be served the fleet's token.
describe('RedisTokenCache: what a reader or writer of Redis can do', () => {
  let running: RunningSandbox;
  beforeAll(async () => {
    running = await startSandbox({ pendingPolls: 0 });
  });
  afterAll(() => running.close());

  const issued = () => [
    ...new Set(running.sandbox.requests.flatMap((r) => (r.authorization ? [r.authorization.slice(7)] : []))),
  ];
  /** Every key under `p` with its value, read straight from Redis. */
  const dump = async (p: string) => {
    const keys = await redis.keys(`${p}*`);
    return Promise.all(keys.map(async (k) => ({ key: k, value: (await redis.get(k)) ?? '' })));
  };
  const client = (p: string, clientSecret = SANDBOX_CLIENT_SECRET) =>
    new FlanksClient({
      clientId: SANDBOX_CLIENT_ID,
      clientSecret,
      baseUrl: running.url,
      tokenCache: new RedisTokenCache({ redis, prefix: p }),
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });

  it('no access token in clear anywhere in Redis, across a refresh', async () => {
    const p = prefix();
    const ct = running.sandbox.createCredential({ pendingPolls: 0 });
    await Promise.all([client(p).credentials.getStatus(ct), client(p).credentials.getStatus(ct)]);
    running.sandbox.expireTokens();
    await client(p).credentials.getStatus(ct);
    const tokens = issued();
    expect(tokens.length).toBeGreaterThanOrEqual(2);
    const stored = await dump(p);
    expect(stored.length).toBeGreaterThan(0);
    const text = JSON.stringify(stored);
    for (const token of tokens) expect(text).not.toContain(token);
    expect(text).not.toContain(SANDBOX_CLIENT_SECRET);
    expect(text).not.toContain(SANDBOX_CLIENT_ID);
  });

  it('a token planted in Redis is never sent', async () => {
    const p = prefix();
    const ct = running.sandbox.createCredential({ pendingPolls: 0 });
    await client(p).credentials.getStatus(ct);
    const [entry] = await dump(p);
    const planted = 'at_planted_in_redis_by_an_attacker';
    const parsed = JSON.parse(entry!.value) as { issuedAt: number; expiresAt: number };
    await redis.set(entry!.key, JSON.stringify({ ...parsed, value: planted }), 'PX', 3_600_000);
    const before = running.sandbox.stats.tokenRequests;
    await client(p).credentials.getStatus(ct);
    expect(running.sandbox.requests.some((r) => r.authorization === `Bearer ${planted}`)).toBe(false);
    expect(running.sandbox.stats.tokenRequests).toBe(before + 1);
    expect(await redis.get(entry!.key)).not.toContain(planted);
  });

  it('the right client id with a wrong secret is not served the fleet token', async () => {
    const p = prefix();
    const ct = running.sandbox.createCredential({ pendingPolls: 0 });
    await client(p).credentials.getStatus(ct);
    const fleet = issued();
    const from = running.sandbox.requests.length;
    const err = await client(p, 'a-wrong-secret-for-the-right-client-id')
      .credentials.getStatus(ct)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksAuthError);
    const sent = running.sandbox.requests.slice(from);
    expect(sent.map((r) => r.path)).toEqual(['/v0/token']);
    for (const token of fleet) expect(JSON.stringify(sent)).not.toContain(token);
  });
});

// --- the fleet ------------------------------------------------------------------------------------

const WORKER = fileURLToPath(new URL('./fleet-worker.ts', import.meta.url));
const PROCESSES = 5;
const CALLS = 200;

interface FleetRun {
  tokenRequests: number[];
  statusRequests: number;
  ok: number;
  failed: Record<string, number>;
  warnings: string[];
  /** 401 answers: every status request beyond one per successful call was answered 401. */
  unauthorized: number;
  ms: number;
}

async function runFleet(options: {
  sandbox: StartSandboxOptions;
  cache: boolean;
  lanes: number;
  paceMs: number;
  /** Called every millisecond while the fleet runs, to inject events (revocations). */
  tick?: (running: RunningSandbox) => void;
}): Promise<FleetRun> {
  const running = await startSandbox({ pendingPolls: 0, ...options.sandbox });
  const credentials = Array.from({ length: 5 }, () => running.sandbox.createCredential({ pendingPolls: 0 }));
  const env = {
    ...process.env,
    FLEET_SANDBOX_URL: running.url,
    FLEET_CREDENTIALS: credentials.join(','),
    FLEET_CALLS: String(CALLS),
    FLEET_LANES: String(options.lanes),
    FLEET_PACE_MS: String(options.paceMs),
    FLEET_PREFIX: prefix(),
    ...(options.cache ? { FLEET_REDIS_URL: inject('redisUrl') } : {}),
  };
  const children = Array.from({ length: PROCESSES }, () =>
    fork(WORKER, [], { execArgv: ['--import', 'tsx'], env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  );
  let timer: ReturnType<typeof setInterval> | undefined;
  try {
    const results = children.map(
      (child) =>
        new Promise<FleetResult>((resolve, reject) => {
          child.on('message', (m: { result?: FleetResult }) => m.result && resolve(m.result));
          child.once('exit', (code) =>
            reject(new Error(`fleet worker exited with ${code} before reporting`)),
          );
        }),
    );
    await Promise.all(children.map((child) => new Promise((resolve) => child.once('message', resolve))));
    const started = Date.now();
    if (options.tick) timer = setInterval(() => options.tick?.(running), 1);
    for (const child of children) child.send('go');
    const reports = await Promise.all(results);
    const ms = Date.now() - started;
    const requests = running.sandbox.requests;
    const ok = reports.reduce((n, r) => n + r.ok, 0);
    const statusRequests = requests.filter((r) => r.path === '/v0/bank/credentials/status').length;
    const failed: Record<string, number> = {};
    for (const r of reports) for (const [k, v] of Object.entries(r.failed)) failed[k] = (failed[k] ?? 0) + v;
    return {
      tokenRequests: requests.filter((r) => r.path === '/v0/token').map((r) => r.at),
      statusRequests,
      ok,
      failed,
      warnings: reports.flatMap((r) => r.warnings),
      unauthorized: statusRequests - ok,
      ms,
    };
  } finally {
    clearInterval(timer);
    for (const child of children) if (child.exitCode === null) child.kill();
    await running.close();
  }
}

function figures(label: string, run: FleetRun): string {
  return `${label}: ${run.tokenRequests.length} token requests, ${run.unauthorized} answers 401, ${run.ok}/${PROCESSES * CALLS} calls ok, failed ${JSON.stringify(run.failed)}, ${run.ms} ms`;
}

describe(`a fleet of ${PROCESSES} processes × ${CALLS} calls on one client id`, () => {
  const TTL_S = 2;
  const SKEW_MS = 200; // min(60 s, 10 % of 2 s)
  let shared: FleetRun | undefined;

  it('with RedisTokenCache: one token request per token lifetime, no failed call', async () => {
    // 4 lanes × 50 calls, 100 ms apart: ~5 s, so 2 s tokens are renewed about twice mid-run.
    const run = await runFleet({ sandbox: { tokenTtlSeconds: TTL_S }, cache: true, lanes: 4, paceMs: 100 });
    shared = run;
    console.info(figures('shared cache, 2 s tokens', run));
    expect(run.ok).toBe(PROCESSES * CALLS);
    expect(run.failed).toEqual({});
    expect(run.warnings).toEqual([]);
    // Renewed mid-run, and every renewal is one request per lifetime: a second process refreshing for
    // the same expiry would put two token requests milliseconds apart.
    expect(run.tokenRequests.length).toBeGreaterThanOrEqual(3);
    const gaps = run.tokenRequests.slice(1).map((at, i) => at - (run.tokenRequests[i] ?? 0));
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(TTL_S * 1000 - SKEW_MS - 300);
  });

  it('with RedisTokenCache: exactly one token request per revocation', async () => {
    const REVOCATIONS = 3;
    let revoked = 0;
    const run = await runFleet({
      sandbox: {},
      cache: true,
      lanes: 4,
      paceMs: 5,
      // Revoke the fleet's token after 250, 500 and 750 calls, each once the previous one was replaced.
      tick: ({ sandbox }) => {
        const calls = sandbox.stats.requests['/v0/bank/credentials/status'] ?? 0;
        if (
          revoked < REVOCATIONS &&
          calls >= 250 * (revoked + 1) &&
          sandbox.stats.tokenRequests === 1 + revoked
        ) {
          sandbox.expireTokens();
          revoked++;
        }
      },
    });
    console.info(figures(`shared cache, ${revoked} revocations`, run));
    expect(revoked).toBe(REVOCATIONS);
    expect(run.tokenRequests).toHaveLength(1 + REVOCATIONS);
    expect(run.ok).toBe(PROCESSES * CALLS);
    expect(run.failed).toEqual({});
  });

  it('without a cache the same fleet needs more token requests (figure for comparison)', async () => {
    const run = await runFleet({ sandbox: { tokenTtlSeconds: TTL_S }, cache: false, lanes: 4, paceMs: 100 });
    console.info(figures('no cache, 2 s tokens', run));
    // Each process fetches at least its own first token, so the fleet pays at least one per process.
    expect(run.tokenRequests.length).toBeGreaterThanOrEqual(PROCESSES);
    expect(run.tokenRequests.length).toBeGreaterThan(shared?.tokenRequests.length ?? 0);
  });
});
