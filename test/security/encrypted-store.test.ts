import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  type CredentialRecord,
  EncryptedCredentialStore,
  FlanksError,
  FlanksValidationError,
  MemoryCredentialStore,
} from '../../src';
import { runCredentialStoreContract } from '../../src/testing/store-contract';
import { readPages } from '../pages';

const key = (fill: number) => new Uint8Array(32).fill(fill);
const K1 = Buffer.from(key(1)).toString('base64');
const K2 = key(2);

/** An inner store that exposes what it holds, to check what reaches it in clear. */
class Spy extends MemoryCredentialStore {
  readonly saved: CredentialRecord[] = [];
  override async save(record: CredentialRecord) {
    this.saved.push(structuredClone(record));
    await super.save(record);
  }
}

const record = (overrides: Partial<CredentialRecord> = {}): CredentialRecord => ({
  userId: 'alice',
  credentialsToken: 'ct_live_9f8e7d6c5b4a',
  createdAt: '2026-11-25T10:00:00.000Z',
  extra: { campaign: 'spring', iban: 'ES9121000418450200051332' },
  linkToken: 'lt_1',
  externalId: 'ext-alice',
  ...overrides,
});

runCredentialStoreContract(
  () => new EncryptedCredentialStore(new MemoryCredentialStore(), { keys: { k1: K1 }, currentKeyId: 'k1' }),
  { name: 'EncryptedCredentialStore over MemoryCredentialStore', describe, it },
);

describe('EncryptedCredentialStore', () => {
  it('list() opens every record the inner store lists', async () => {
    const store = new EncryptedCredentialStore(new MemoryCredentialStore(), {
      keys: { k1: K1 },
      currentKeyId: 'k1',
    });
    const saved = [record(), record({ userId: 'bob', credentialsToken: 'ct_live_bob_0001' })];
    for (const r of saved) await store.save(r);
    const listed: CredentialRecord[] = [];
    for await (const r of store.list()) listed.push(r);
    expect(listed).toEqual(saved);
  });

  it('list() resumes from a saved cursor with a new store: every record once, none twice', async () => {
    const inner = new MemoryCredentialStore();
    const options = { keys: { k1: K1 }, currentKeyId: 'k1' };
    const saved = Array.from({ length: 9 }, (_, i) => record({ credentialsToken: `ct_live_${i}_4f2a9c` }));
    for (const r of saved) await new EncryptedCredentialStore(inner, options).save(r);

    const first = await readPages(new EncryptedCredentialStore(inner, options).list({ batchSize: 2 }), 2);
    const seen = first.items.map((r) => r.credentialsToken);
    const cursor = first.cursor;
    for await (const r of new EncryptedCredentialStore(inner, options).list({
      batchSize: 2,
      cursor: cursor!,
    }))
      seen.push(r.credentialsToken);

    expect(seen).toEqual(saved.map((r) => r.credentialsToken));
    expect(cursor).toMatch(/^mem1\.\d+$/);
    for (const r of saved) expect(cursor).not.toContain(r.credentialsToken);
  });

  it('list() over an inner store that cannot list is a FlanksValidationError', () => {
    const plain = new MemoryCredentialStore();
    const inner = {
      save: plain.save.bind(plain),
      get: plain.get.bind(plain),
      listByUser: plain.listByUser.bind(plain),
      delete: plain.delete.bind(plain),
    };
    const store = new EncryptedCredentialStore(inner, { keys: { k1: K1 }, currentKeyId: 'k1' });
    expect(() => store.list()).toThrow(FlanksValidationError);
    expect(() => store.list()).toThrow(/ListableCredentialStore/);
    const oldStyle = { ...inner, list: async function* () {} };
    expect(() =>
      new EncryptedCredentialStore(oldStyle, { keys: { k1: K1 }, currentKeyId: 'k1' }).list(),
    ).toThrow(expect.objectContaining({ name: 'FlanksValidationError', path: 'inner.list' }));
  });

  it('stores no token, extra, link token or external id in clear', async () => {
    const inner = new Spy();
    const store = new EncryptedCredentialStore(inner, { keys: { k1: K1 }, currentKeyId: 'k1' });
    await store.save(record());
    const raw = JSON.stringify(inner.saved);
    for (const secret of [
      'ct_live_9f8e7d6c5b4a',
      'spring',
      'ES9121000418450200051332',
      'lt_1',
      'ext-alice',
    ]) {
      expect(raw).not.toContain(secret);
    }
    expect(inner.saved[0]!.credentialsToken).toMatch(/^enc1\.k1\.[\w-]{43}$/);
    expect(await store.get('ct_live_9f8e7d6c5b4a')).toEqual(record());
  });

  it('rotation: old records stay readable, re-saving migrates them and leaves one copy', async () => {
    const inner = new MemoryCredentialStore();
    const before = new EncryptedCredentialStore(inner, { keys: { k1: K1 }, currentKeyId: 'k1' });
    await before.save(record());
    const after = new EncryptedCredentialStore(inner, { keys: { k1: K1, k2: K2 }, currentKeyId: 'k2' });
    expect(await after.get(record().credentialsToken)).toEqual(record());
    expect(await after.reencrypt('alice')).toBe(1);
    expect(inner.size).toBe(1);
    const k2Only = new EncryptedCredentialStore(inner, { keys: { k2: K2 }, currentKeyId: 'k2' });
    expect(await k2Only.get(record().credentialsToken)).toEqual(record());
    expect(await k2Only.delete(record().credentialsToken)).toBe(true);
    expect(inner.size).toBe(0);
  });

  it('a record under a key id that was removed is an error, not silently skipped', async () => {
    const inner = new MemoryCredentialStore();
    await new EncryptedCredentialStore(inner, { keys: { k1: K1 }, currentKeyId: 'k1' }).save(record());
    const store = new EncryptedCredentialStore(inner, { keys: { k2: K2 }, currentKeyId: 'k2' });
    await expect(store.listByUser('alice')).rejects.toThrow(/key id "k1"/);
  });

  it('tampered ciphertext, or a ciphertext moved to another user, fails to decrypt', async () => {
    const inner = new Spy();
    const store = new EncryptedCredentialStore(inner, { keys: { k1: K1 }, currentKeyId: 'k1' });
    await store.save(record());
    await store.save(record({ userId: 'bob', credentialsToken: 'ct_bob_123456' }));
    const [alice, bob] = inner.saved as [CredentialRecord, CredentialRecord];
    // Move Alice's ciphertext onto Bob's row.
    await inner.save({ ...bob, extra: alice.extra });
    await expect(store.get('ct_bob_123456')).rejects.toBeInstanceOf(FlanksError);
    // Change one character of Alice's ciphertext: the first, whose six bits are all ciphertext (the
    // last characters of unpadded base64url may hold padding bits only, and decode the same).
    const sealed = String(alice.extra.encrypted);
    const at = sealed.lastIndexOf('.') + 1;
    await inner.save({
      ...alice,
      extra: { encrypted: sealed.slice(0, at) + (sealed[at] === 'A' ? 'B' : 'A') + sealed.slice(at + 1) },
    });
    await expect(store.get(record().credentialsToken)).rejects.toThrow(/could not be decrypted/);
  });

  it('validates its keys and never prints them', () => {
    expect(
      () =>
        new EncryptedCredentialStore(new MemoryCredentialStore(), {
          keys: { k1: 'short' },
          currentKeyId: 'k1',
        }),
    ).toThrow(FlanksValidationError);
    expect(
      () =>
        new EncryptedCredentialStore(new MemoryCredentialStore(), { keys: { k1: K1 }, currentKeyId: 'k9' }),
    ).toThrow(/currentKeyId/);
    expect(
      () =>
        new EncryptedCredentialStore(new MemoryCredentialStore(), {
          keys: { 'bad id!': K1 },
          currentKeyId: 'bad id!',
        }),
    ).toThrow(/key id/);
    const store = new EncryptedCredentialStore(new MemoryCredentialStore(), {
      keys: { k1: K1 },
      currentKeyId: 'k1',
    });
    expect(inspect(store, { showHidden: true, depth: 10 })).not.toContain(K1);
  });
});
