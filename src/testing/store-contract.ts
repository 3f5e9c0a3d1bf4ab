import type { CredentialRecord, CredentialStore } from '../core/credential-store';
import { argumentError } from '../internal/args';

/**
 * The test functions the contract registers its cases with: pass your runner's `describe` and `it`
 * (vitest, jest, mocha and node:test all fit). When omitted, the globals of the same names are used.
 *
 * @example
 * ```ts
 * import { describe, it } from 'vitest';
 * runCredentialStoreContract(() => new PgStore(pool), { describe, it });
 * ```
 * @see https://docs.flanks.io/pages/concepts/credentials
 */
export interface ContractRunner {
  describe: (name: string, body: () => void) => unknown;
  it: (name: string, body: () => Promise<void>) => unknown;
}

/**
 * Options of {@link runCredentialStoreContract}.
 *
 * @example
 * ```ts
 * runCredentialStoreContract(makeStore, { name: 'RedisStore', describe, it });
 * ```
 * @see https://docs.flanks.io/pages/concepts/credentials
 */
export interface CredentialStoreContractOptions extends Partial<ContractRunner> {
  /** Suite title. Default `CredentialStore contract`. */
  name?: string;
}

class ContractViolation extends Error {
  override readonly name = 'CredentialStoreContractViolation';
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

function expectEqual(actual: unknown, expected: unknown, what: string): void {
  if (canonical(actual) !== canonical(expected)) {
    throw new ContractViolation(`${what}: expected ${canonical(expected)}, got ${canonical(actual)}`);
  }
}

function expectTrue(condition: boolean, what: string): void {
  if (!condition) throw new ContractViolation(what);
}

let counter = 0;
function record(overrides: Partial<CredentialRecord> = {}): CredentialRecord {
  counter++;
  return {
    userId: `user-${counter}`,
    credentialsToken: `ct_contract_${counter}_${Math.random().toString(36).slice(2)}`,
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, counter % 60)).toISOString(),
    extra: { campaign: 'spring', nested: { n: counter, list: [1, 'two'] } },
    linkToken: 'lt_contract',
    externalId: `ext-${counter}`,
    ...overrides,
  };
}

const byToken = (a: CredentialRecord, b: CredentialRecord) =>
  a.credentialsToken.localeCompare(b.credentialsToken);

/**
 * Registers a test suite proving that a {@link CredentialStore} implementation keeps the contract
 * the SDK relies on: upsert by token, per-user listing, delete semantics, isolation from caller
 * mutations, faithful round-trips and safe concurrent writes. `makeStore` is called once per case
 * and must return an empty store.
 *
 * @example
 * ```ts
 * import { describe, it } from 'vitest';
 * import { runCredentialStoreContract } from 'flanks-sdk/testing';
 *
 * runCredentialStoreContract(async () => {
 *   await pool.query('truncate flanks_credentials');
 *   return new PostgresCredentialStore({ pool });
 * }, { describe, it });
 * ```
 * @see https://docs.flanks.io/pages/concepts/credentials
 */
export function runCredentialStoreContract(
  makeStore: () => CredentialStore | Promise<CredentialStore>,
  options: CredentialStoreContractOptions = {},
): void {
  const g = globalThis as unknown as Partial<ContractRunner>;
  const describe = options.describe ?? g.describe;
  const it = options.it ?? g.it;
  if (!describe || !it) {
    throw argumentError('options', 'must give { describe, it } from your test runner (none are global).');
  }

  describe(options.name ?? 'CredentialStore contract', () => {
    it('get() resolves undefined for an unknown token', async () => {
      const store = await makeStore();
      expectEqual(await store.get('ct_does_not_exist'), undefined, 'get(unknown)');
    });

    it('save() then get() returns an equal record', async () => {
      const store = await makeStore();
      const r = record();
      await store.save(r);
      expectEqual(await store.get(r.credentialsToken), r, 'get after save');
    });

    it('round-trips optional fields set to null, unicode and nested extra', async () => {
      const store = await makeStore();
      const r = record({
        linkToken: null,
        externalId: null,
        userId: 'usuário-ñ-😀',
        extra: { nota: 'Año nuevo "€"', deep: { a: [true, null, 3.5] } },
      });
      await store.save(r);
      expectEqual(await store.get(r.credentialsToken), r, 'round trip');
    });

    it('save() is an upsert keyed by credentialsToken: last write wins, one record', async () => {
      const store = await makeStore();
      const first = record();
      const second = { ...first, extra: { campaign: 'autumn' } };
      await store.save(first);
      await store.save(second);
      expectEqual(await store.get(first.credentialsToken), second, 'get after second save');
      expectEqual(await store.listByUser(first.userId), [second], 'listByUser after upsert');
    });

    it('listByUser() returns every record of that user and only those', async () => {
      const store = await makeStore();
      const a1 = record({ userId: 'alice-contract' });
      const a2 = record({ userId: 'alice-contract' });
      const b1 = record({ userId: 'bob-contract' });
      for (const r of [a1, a2, b1]) await store.save(r);
      expectEqual((await store.listByUser('alice-contract')).sort(byToken), [a1, a2].sort(byToken), 'alice');
      expectEqual(await store.listByUser('bob-contract'), [b1], 'bob');
      expectEqual(await store.listByUser('nobody-contract'), [], 'unknown user');
    });

    it('delete() resolves true once, then false; the record is gone everywhere', async () => {
      const store = await makeStore();
      const r = record();
      await store.save(r);
      expectEqual(await store.delete(r.credentialsToken), true, 'first delete');
      expectEqual(await store.delete(r.credentialsToken), false, 'second delete');
      expectEqual(await store.get(r.credentialsToken), undefined, 'get after delete');
      expectEqual(await store.listByUser(r.userId), [], 'listByUser after delete');
    });

    it('does not share mutable objects with callers', async () => {
      const store = await makeStore();
      const r = record();
      const snapshot = structuredClone(r);
      await store.save(r);
      (r.extra as Record<string, unknown>).campaign = 'mutated-after-save';
      const read = await store.get(r.credentialsToken);
      expectEqual(read, snapshot, 'mutating the saved object changed the store');
      (read!.extra as Record<string, unknown>).campaign = 'mutated-after-get';
      expectEqual(await store.get(r.credentialsToken), snapshot, 'mutating a read record changed the store');
    });

    it('concurrent saves of distinct tokens all land', async () => {
      const store = await makeStore();
      const records = Array.from({ length: 50 }, () => record({ userId: 'concurrent-contract' }));
      await Promise.all(records.map((r) => store.save(r)));
      expectEqual(
        (await store.listByUser('concurrent-contract')).length,
        50,
        'records after 50 parallel saves',
      );
    });

    it('concurrent saves of the same token leave exactly one record', async () => {
      const store = await makeStore();
      const base = record({ userId: 'same-token-contract' });
      await Promise.all(Array.from({ length: 20 }, (_, i) => store.save({ ...base, extra: { writer: i } })));
      const list = await store.listByUser('same-token-contract');
      expectEqual(list.length, 1, 'records after 20 parallel saves of one token');
      expectTrue(typeof list[0]?.extra.writer === 'number', 'the surviving record is one of the writes');
    });
  });
}
