import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CredentialRecord,
  EncryptedCredentialStore,
  FlanksValidationError,
  MemoryCredentialStore,
  MemoryTokenCache,
} from '../../src';
import { PostgresCredentialStore, type Queryable } from '../../src/stores/postgres';
import { FlanksSandbox } from '../../src/testing';
import { fromNodeRedis, RedisTokenCache, type RedisTokenCacheClient } from '../../src/token-cache/redis';
import {
  anyValue,
  expectFlanksErrorIfFailed,
  hostileString,
  type Outcome,
  outcomeOf,
  runSync,
  stringOrAnything,
  watchUnhandledRejections,
} from './support';

// Hostile arguments on every public method of the stores and token caches the SDK ships, and on the
// sandbox's option checks: whatever the arguments, a call gives a result or a FlanksError, and an
// argument error is a FlanksValidationError naming the argument. No TypeError, no raw zod error.
// The stores' backends are in-process: a Queryable that answers no rows, a Redis that keeps strings
// in a Map (arguments are checked before any I/O; the real servers are in the infra suite).

watchUnhandledRejections();

const KEY = new Uint8Array(32).fill(7);

const emptyDb: Queryable = { query: async () => ({ rows: [], rowCount: 0 }) };

/** The commands RedisTokenCache sends, over a Map: enough for SET NX, PX and the two Lua scripts' effect. */
function mapRedis(): RedisTokenCacheClient {
  const data = new Map<string, string>();
  return {
    get: async (key) => data.get(key) ?? null,
    set: (async (key: string, value: string, _px: 'PX', _ms: number, nx?: 'NX') => {
      if (nx && data.has(key)) return null;
      data.set(key, value);
      return 'OK';
    }) as RedisTokenCacheClient['set'],
    del: async (key) => Number(data.delete(key)),
    eval: async (_script, _n, key, id) => {
      if (data.get(key!) !== id) return 0;
      data.delete(key!);
      return 1;
    },
  };
}

const goodRecord = (): CredentialRecord => ({
  userId: 'user-1',
  credentialsToken: `ct_${Math.random().toString(36).slice(2)}`,
  createdAt: '2026-12-01T10:00:00.000Z',
  extra: {},
});

/** A record with any one field replaced by anything, or anything at all. */
const anyRecord: fc.Arbitrary<unknown> = fc.oneof(
  anyValue,
  fc
    .tuple(
      fc.constantFrom('userId', 'credentialsToken', 'createdAt', 'extra', 'linkToken', 'externalId'),
      stringOrAnything,
    )
    .map(([field, value]) => ({ ...goodRecord(), [field]: value })),
  fc.constant(undefined).map(goodRecord),
);

const anyListOptions: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(undefined),
  anyValue,
  fc.record(
    {
      batchSize: fc.oneof(fc.integer({ min: -2, max: 20_000 }), anyValue),
      cursor: fc.oneof(fc.constantFrom('pg1.5', 'mem1.1', 'pg1.0'), stringOrAnything),
      pageToken: hostileString,
    },
    { requiredKeys: [] },
  ),
);

type StoreCall = [string, (store: never) => unknown];
const STORE_CALLS = (record: unknown, key: unknown, options: unknown): StoreCall[] => [
  ['save', (s: { save(r: unknown): unknown }) => s.save(record)],
  ['get', (s: { get(k: unknown): unknown }) => s.get(key)],
  ['listByUser', (s: { listByUser(k: unknown): unknown }) => s.listByUser(key)],
  ['delete', (s: { delete(k: unknown): unknown }) => s.delete(key)],
  [
    'list',
    (s: { list(o: unknown): { toArray(o: { limit: number }): Promise<unknown> } }) =>
      Promise.resolve().then(() => s.list(options).toArray({ limit: 5 })),
  ],
];

/** A failure, if any, is a FlanksError; an argument error names its argument. */
function expectTypedFailure(outcome: Outcome): void {
  expectFlanksErrorIfFailed(outcome);
  if (!outcome.ok && outcome.error instanceof FlanksValidationError) {
    expect(outcome.error.path).toEqual(expect.any(String));
  }
}

describe('credential stores with arbitrary arguments', () => {
  const stores: Record<string, () => unknown> = {
    MemoryCredentialStore: () => new MemoryCredentialStore(),
    EncryptedCredentialStore: () =>
      new EncryptedCredentialStore(new MemoryCredentialStore(), { keys: { k1: KEY }, currentKeyId: 'k1' }),
    PostgresCredentialStore: () => new PostgresCredentialStore({ pool: emptyDb }),
  };

  it.each(Object.keys(stores))('%s: every call resolves or rejects with a FlanksError', async (name) => {
    await fc.assert(
      fc.asyncProperty(anyRecord, stringOrAnything, anyListOptions, async (record, key, options) => {
        for (const [, call] of STORE_CALLS(record, key, options)) {
          const store = stores[name]!();
          expectTypedFailure(await outcomeOf(() => call(store as never)));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('EncryptedCredentialStore.save refuses a malformed record with a FlanksValidationError naming the field', async () => {
    const store = new EncryptedCredentialStore(new MemoryCredentialStore(), {
      keys: { k1: KEY },
      currentKeyId: 'k1',
    });
    const err = await store.save({ ...goodRecord(), credentialsToken: 42 } as never).catch((e) => e);
    expect(err).toBeInstanceOf(FlanksValidationError);
    expect(err.path).toBe('record.credentialsToken');
  });

  it('constructors throw a FlanksError or build a store', () => {
    const options = fc.oneof(
      anyValue,
      fc.record(
        {
          keys: fc.oneof(
            anyValue,
            fc.dictionary(hostileString, fc.oneof(fc.constant(KEY), fc.uint8Array(), stringOrAnything)),
          ),
          currentKeyId: stringOrAnything,
          pool: fc.oneof(fc.constant(emptyDb), anyValue),
          table: stringOrAnything,
        },
        { requiredKeys: [] },
      ),
    );
    const inner = fc.oneof(fc.constant(new MemoryCredentialStore()), anyValue);
    fc.assert(
      fc.property(inner, options, (i, o) => {
        expectTypedFailure(runSync(() => new EncryptedCredentialStore(i as never, o as never)));
        expectTypedFailure(runSync(() => new PostgresCredentialStore(o as never)));
      }),
      { numRuns: 300 },
    );
  });
});

describe('token caches with arbitrary arguments', () => {
  const caches: Record<string, () => { get: unknown; set: unknown; lock: unknown }> = {
    MemoryTokenCache: () => new MemoryTokenCache(),
    RedisTokenCache: () => new RedisTokenCache({ redis: mapRedis() }),
  };
  const anyToken = fc.oneof(
    anyValue,
    fc.record(
      {
        value: stringOrAnything,
        issuedAt: fc.oneof(fc.integer(), anyValue),
        expiresAt: fc.oneof(fc.constant(Date.now() + 60_000), fc.integer(), anyValue),
      },
      { requiredKeys: [] },
    ),
  );
  const anyTtl = fc.oneof(fc.integer({ min: -5, max: 3_000_000_000 }), fc.double(), anyValue);

  it.each(Object.keys(caches))('%s: every call resolves or rejects with a FlanksError', async (name) => {
    await fc.assert(
      fc.asyncProperty(stringOrAnything, anyToken, anyTtl, async (key, token, ttl) => {
        const cache = caches[name]!() as unknown as {
          get(k: unknown): Promise<unknown>;
          set(k: unknown, t: unknown): Promise<unknown>;
          lock(k: unknown, ttl: unknown): Promise<{ extend?(ms: unknown): Promise<boolean> } | undefined>;
        };
        expectTypedFailure(await outcomeOf(() => cache.get(key)));
        expectTypedFailure(await outcomeOf(() => cache.set(key, token)));
        const locked = await outcomeOf(() => cache.lock(key, ttl));
        expectTypedFailure(locked);
        const lock = locked.ok
          ? (locked.value as { extend?(ms: unknown): Promise<boolean> } | undefined)
          : undefined;
        if (lock?.extend) expectTypedFailure(await outcomeOf(() => lock.extend!(ttl)));
      }),
      { numRuns: 200 },
    );
  });

  it('constructors and fromNodeRedis throw a FlanksError or build a cache', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anyValue,
          fc.record({ redis: fc.oneof(fc.constant(mapRedis()), anyValue), prefix: stringOrAnything }),
        ),
        (options) => {
          expectTypedFailure(runSync(() => new RedisTokenCache(options as never)));
          expectTypedFailure(runSync(() => fromNodeRedis(options as never)));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('sandbox option checks with arbitrary arguments', () => {
  it('new FlanksSandbox(any) and failNext(any) throw a FlanksError or work', () => {
    const options = fc.oneof(
      anyValue,
      fc.record(
        {
          pageSize: fc.oneof(fc.integer({ min: -1, max: 50 }), anyValue),
          pendingPolls: fc.oneof(fc.integer({ min: -1, max: 5 }), anyValue),
          apiBaseUrl: fc.oneof(fc.webUrl(), stringOrAnything),
          clients: fc.oneof(
            anyValue,
            fc.array(fc.record({ clientId: stringOrAnything, clientSecret: stringOrAnything })),
          ),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(
        options,
        stringOrAnything,
        fc.oneof(fc.integer({ min: -1, max: 3 }), anyValue),
        anyValue,
        (o, match, times, fault) => {
          expectTypedFailure(runSync(() => new FlanksSandbox(o as never)));
          const sandbox = new FlanksSandbox();
          expectTypedFailure(runSync(() => sandbox.failNext(match as never, times as never, fault as never)));
          expectTypedFailure(runSync(() => sandbox.stayPending(match as never, times as never)));
        },
      ),
      { numRuns: 300 },
    );
  });
});
