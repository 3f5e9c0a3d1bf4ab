import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { type CredentialStore, MemoryCredentialStore } from '../../src';
import { runCredentialStoreContract } from '../../src/testing/store-contract';

runCredentialStoreContract(() => new MemoryCredentialStore(), {
  name: 'MemoryCredentialStore',
  describe,
  it,
});

describe('the contract catches broken stores', () => {
  // A store that keeps one record per user instead of upserting by token: the contract must flag it.
  class OnePerUserStore implements CredentialStore {
    readonly byUser = new Map<string, import('../../src').CredentialRecord>();
    async save(r: import('../../src').CredentialRecord) {
      this.byUser.set(r.userId, r);
    }
    async get(token: string) {
      return [...this.byUser.values()].find((r) => r.credentialsToken === token);
    }
    async listByUser(userId: string) {
      const r = this.byUser.get(userId);
      return r ? [r] : [];
    }
    async delete(token: string) {
      for (const [k, r] of this.byUser) if (r.credentialsToken === token) return this.byUser.delete(k);
      return false;
    }
  }

  it('reports the failing cases of a non-conforming store', async () => {
    const cases: Array<{ name: string; body: () => Promise<void> }> = [];
    runCredentialStoreContract(() => new OnePerUserStore(), {
      describe: (_name, body) => body(),
      it: (name, body) => cases.push({ name, body }),
    });
    const failed: string[] = [];
    for (const c of cases) await c.body().catch(() => failed.push(c.name));
    expect(failed).toContain('listByUser() returns every record of that user and only those');
    expect(failed).toContain('does not share mutable objects with callers');
  });

  it('needs describe/it when the runner has no globals', () => {
    expect(() => runCredentialStoreContract(() => new MemoryCredentialStore())).toThrow(/describe, it/);
  });
});

describe('MemoryCredentialStore', () => {
  it('keeps tokens out of util.inspect', async () => {
    const store = new MemoryCredentialStore();
    await store.save({ userId: 'u', credentialsToken: 'ct_secret_in_store', createdAt: 'x', extra: {} });
    expect(inspect(store)).not.toContain('ct_secret_in_store');
    expect(store.size).toBe(1);
  });

  it('reads back and deletes every key it accepted, spaces included', async () => {
    const store = new MemoryCredentialStore();
    const record = { userId: 'u', credentialsToken: ' ', createdAt: 'x', extra: {} };
    await store.save(record);
    expect(await store.get(' ')).toEqual(record);
    expect(await store.delete(' ')).toBe(true);
  });

  it('list() walks records in the order first saved; an upsert keeps its place', async () => {
    const store = new MemoryCredentialStore();
    const rec = (t: string) => ({ userId: 'u', credentialsToken: t, createdAt: 'x', extra: {} });
    for (const t of ['a', 'b', 'c']) await store.save(rec(t));
    await store.save({ ...rec('a'), extra: { again: true } });
    await store.delete('b');
    await store.save(rec('b'));
    const pages = [];
    for await (const page of store.list({ batchSize: 2 }).pages()) pages.push(page);
    expect(pages.map((p) => [p.items.map((r) => r.credentialsToken), p.nextCursor])).toEqual([
      [['a', 'c'], 'mem1.3'],
      [['b'], null],
    ]);
    expect(await store.list({ cursor: 'mem1.3' }).toArray({ limit: 10 })).toEqual([rec('b')]);
  });
});
