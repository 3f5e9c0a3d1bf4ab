import {
  argumentError,
  checkArg,
  hasMethods,
  jsonOf,
  optionalObject,
  requireKey,
  requireMethods,
  requireObject,
  requireString,
  requireUserId,
} from '../internal/args';
import { fromBase64Url, toBase64Url } from '../internal/encoding';
import {
  CREDENTIAL_STORE_METHODS,
  type CredentialRecord,
  CredentialRecordSchema,
  type CredentialStore,
  type ListableCredentialStore,
  type StoreListOptions,
} from './credential-store';
import { FlanksError } from './errors';
import { Paginator } from './pagination';

/*
 * Encryption at rest for any CredentialStore. Rules:
 * - Each key id maps to 32 random bytes. HKDF-SHA256 derives two keys from them: an AES-256-GCM key
 *   for the record and an HMAC-SHA256 key for lookups.
 * - The inner store sees `credentialsToken = "enc1.<kid>.<HMAC(token)>"` — a deterministic blind
 *   index, so `get`/`delete` by token still work without the token being stored — plus the user id
 *   and `createdAt` in clear (the store must list by user), and everything else (the token, `extra`,
 *   link token, external id) as one AES-GCM ciphertext in `extra.encrypted`.
 * - The ciphertext's associated data is the user id and the index: a ciphertext copied onto another
 *   user's row, or onto another token's row, fails to decrypt instead of being served.
 * - Rotation: `save` writes with `currentKeyId` and deletes the copies under other key ids, so a
 *   record migrates on its next save; `reencrypt(userId)` migrates one user at once. Reads try every
 *   key id. A record whose key id is no longer configured is an error, never silently skipped.
 * - Uses Web Crypto only (globalThis.crypto.subtle), so it runs wherever the SDK runs.
 */

/**
 * Options of {@link EncryptedCredentialStore}.
 *
 * @example
 * ```ts
 * const options: EncryptedCredentialStoreOptions = {
 *   keys: { '2026-11': process.env.FLANKS_STORE_KEY_2026_11!, '2026-05': process.env.FLANKS_STORE_KEY_2026_05! },
 *   currentKeyId: '2026-11',
 * };
 * ```
 * @see https://docs.flanks.io/pages/concepts/credentials
 */
export interface EncryptedCredentialStoreOptions {
  /** Key id → 32 random bytes, as a Uint8Array or a base64 / base64url string. Ids: letters, digits, `_`, `-`. */
  keys: Record<string, Uint8Array | string>;
  /** The key id new records are encrypted with. Keep older ids in `keys` until every record is re-saved. */
  currentKeyId: string;
}

interface DerivedKeys {
  aes: CryptoKey;
  index: CryptoKey;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const PREFIX = 'enc1';

function parseKey(id: string, value: unknown): Uint8Array<ArrayBuffer> {
  if (!/^[\w-]{1,64}$/.test(id)) {
    // The id is not quoted: a mistake here may put key material in the id's place.
    throw argumentError('options.keys', 'has a key id that is not 1–64 letters, digits, _ or -.');
  }
  let bytes: unknown;
  try {
    bytes = typeof value === 'string' ? fromBase64Url(value) : value;
  } catch {
    bytes = undefined;
  }
  if (!(bytes instanceof Uint8Array) || bytes.length !== 32) {
    throw argumentError(
      `options.keys.${id}`,
      'must be 32 random bytes (a Uint8Array, or base64 of 32 bytes: e.g. `openssl rand -base64 32`).',
    );
  }
  // A private copy: the caller's buffer may be reused or shared, and Web Crypto wants an ArrayBuffer.
  return new Uint8Array(bytes);
}

/**
 * Wraps any {@link CredentialStore} and encrypts what it stores (AES-256-GCM, Web Crypto), with key
 * rotation by key id. Only the user id, the creation time and a keyed hash of the credentials token
 * reach the inner store in clear.
 *
 * @example
 * ```ts
 * const store = new EncryptedCredentialStore(new PostgresCredentialStore({ pool }), {
 *   keys: { k2: process.env.FLANKS_KEY_K2!, k1: process.env.FLANKS_KEY_K1! },
 *   currentKeyId: 'k2',
 * });
 * const flanks = new FlanksClient({ store });
 * ```
 * @see https://docs.flanks.io/pages/concepts/credentials
 */
export class EncryptedCredentialStore implements CredentialStore {
  readonly #inner: CredentialStore;
  readonly #rawKeys: Map<string, Uint8Array<ArrayBuffer>>;
  readonly #derived = new Map<string, Promise<DerivedKeys>>();
  readonly #current: string;

  constructor(inner: CredentialStore, options: EncryptedCredentialStoreOptions) {
    this.#inner = requireMethods<CredentialStore>(
      inner,
      CREDENTIAL_STORE_METHODS,
      'inner',
      'a CredentialStore',
    );
    const o = requireObject(options, 'options');
    const keys = requireObject(o.keys, 'options.keys');
    if (Object.keys(keys).length === 0) {
      throw argumentError('options.keys', 'must map at least one key id to a key.');
    }
    this.#rawKeys = new Map(Object.entries(keys).map(([id, value]) => [id, parseKey(id, value)]));
    const current = requireString(o.currentKeyId, 'options.currentKeyId');
    if (!this.#rawKeys.has(current)) {
      throw argumentError('options.currentKeyId', 'must be one of the ids in options.keys.');
    }
    this.#current = current;
  }

  async save(record: CredentialRecord): Promise<void> {
    const parsed = checkArg(CredentialRecordSchema, record, 'record');
    requireUserId(parsed.userId, 'record.userId');
    const index = await this.#index(this.#current, parsed.credentialsToken);
    const { userId, createdAt, ...secret } = parsed;
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const { aes } = await this.#keys(this.#current);
    const ciphertext = await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: encoder.encode(`${userId}\n${index}`) },
      aes,
      encoder.encode(jsonOf(secret, 'record')),
    );
    await this.#inner.save({
      userId,
      createdAt,
      credentialsToken: index,
      extra: {
        encrypted: `${PREFIX}.${this.#current}.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(ciphertext))}`,
      },
    });
    for (const id of this.#rawKeys.keys()) {
      if (id !== this.#current) await this.#inner.delete(await this.#index(id, parsed.credentialsToken));
    }
  }

  async get(credentialsToken: string): Promise<CredentialRecord | undefined> {
    requireKey(credentialsToken, 'credentialsToken');
    for (const id of this.#keyIdsCurrentFirst()) {
      const stored = await this.#inner.get(await this.#index(id, credentialsToken));
      if (stored) return this.#open(stored);
    }
    return undefined;
  }

  async listByUser(userId: string): Promise<CredentialRecord[]> {
    const stored = await this.#inner.listByUser(requireUserId(userId, 'userId'));
    return Promise.all(stored.map((r) => this.#open(r)));
  }

  async delete(credentialsToken: string): Promise<boolean> {
    requireKey(credentialsToken, 'credentialsToken');
    let deleted = false;
    for (const id of this.#rawKeys.keys()) {
      if (await this.#inner.delete(await this.#index(id, credentialsToken))) deleted = true;
    }
    return deleted;
  }

  /**
   * Every record, decrypted, in the inner store's order and batches: for a nightly sync that enqueues
   * one job per credential. Needs an inner store that can list (a {@link ListableCredentialStore},
   * such as `PostgresCredentialStore`); what it lists are blind indexes, which this opens back into
   * records. `.pages()` gives each batch with the inner store's `nextCursor`, and `cursor` resumes
   * after it: a cursor names a position in the inner store, never a credentials token.
   *
   * @example
   * ```ts
   * const store = new EncryptedCredentialStore(new PostgresCredentialStore({ pool }), { keys, currentKeyId });
   * for await (const record of store.list({ batchSize: 500 })) await queue.add('sync', { token: record.credentialsToken });
   * for await (const page of store.list({ cursor: saved }).pages()) await progress.save(page.nextCursor);
   * ```
   * @see https://docs.flanks.io/pages/concepts/credentials
   */
  list(options: StoreListOptions = {}): Paginator<CredentialRecord, string> {
    const o = optionalObject(options, 'options') ?? {};
    const inner = requireMethods<ListableCredentialStore>(
      this.#inner,
      ['list'],
      'inner',
      'a ListableCredentialStore for list(), such as PostgresCredentialStore',
    );
    // Built once now so that the inner store checks the options at this call, as its own list does.
    if (!hasMethods(inner.list(o), ['pages'])) {
      throw argumentError('inner.list', 'must return a Paginator (see ListableCredentialStore).');
    }
    return new Paginator<CredentialRecord, string>(
      async (cursor) => {
        // Each batch is the first page of the inner list resumed at this cursor.
        const pages = inner.list({ ...o, cursor }).pages();
        const { value: page } = await pages.next();
        await pages.return(undefined);
        if (!page) return { items: [], nextCursor: null };
        const items = await Promise.all(page.items.map((stored) => this.#open(stored)));
        return { items, nextCursor: page.nextCursor ?? null };
      },
      o.cursor as string | undefined,
    );
  }

  /** Re-encrypts every record of a user with the current key (after a rotation). */
  async reencrypt(userId: string): Promise<number> {
    const records = await this.listByUser(userId);
    for (const record of records) await this.save(record);
    return records.length;
  }

  #keyIdsCurrentFirst(): string[] {
    return [this.#current, ...[...this.#rawKeys.keys()].filter((id) => id !== this.#current)];
  }

  #keys(id: string): Promise<DerivedKeys> {
    let derived = this.#derived.get(id);
    if (!derived) {
      const raw = this.#rawKeys.get(id)!;
      derived = crypto.subtle.importKey('raw', raw, 'HKDF', false, ['deriveKey']).then(async (base) => {
        const hkdf = (info: string) => ({
          name: 'HKDF',
          hash: 'SHA-256',
          salt: new Uint8Array(),
          info: encoder.encode(info),
        });
        return {
          aes: await crypto.subtle.deriveKey(
            hkdf('flanks-sdk/store/aes-gcm'),
            base,
            { name: 'AES-GCM', length: 256 },
            false,
            ['encrypt', 'decrypt'],
          ),
          index: await crypto.subtle.deriveKey(
            hkdf('flanks-sdk/store/index'),
            base,
            { name: 'HMAC', hash: 'SHA-256' },
            false,
            ['sign'],
          ),
        };
      });
      this.#derived.set(id, derived);
    }
    return derived;
  }

  async #index(id: string, credentialsToken: string): Promise<string> {
    const { index } = await this.#keys(id);
    const mac = await crypto.subtle.sign('HMAC', index, encoder.encode(credentialsToken));
    return `${PREFIX}.${id}.${toBase64Url(new Uint8Array(mac))}`;
  }

  async #open(stored: CredentialRecord): Promise<CredentialRecord> {
    const sealed = stored.extra?.encrypted;
    const parts = typeof sealed === 'string' ? sealed.split('.') : [];
    const [prefix, id, iv, data] = parts;
    if (parts.length !== 4 || prefix !== PREFIX || !id || !iv || !data) {
      throw new FlanksError(
        'EncryptedCredentialStore found a record it did not write (no ciphertext): was the inner store shared with unencrypted data?',
      );
    }
    if (!this.#rawKeys.has(id)) {
      throw new FlanksError(
        `A stored credential is encrypted with key id "${id}", which is not in options.keys: add that key back to read it.`,
      );
    }
    try {
      const plain = await crypto.subtle.decrypt(
        {
          name: 'AES-GCM',
          iv: fromBase64Url(iv),
          additionalData: encoder.encode(`${stored.userId}\n${stored.credentialsToken}`),
        },
        (await this.#keys(id)).aes,
        fromBase64Url(data),
      );
      const secret = JSON.parse(decoder.decode(plain)) as Omit<CredentialRecord, 'userId' | 'createdAt'>;
      return CredentialRecordSchema.parse({ ...secret, userId: stored.userId, createdAt: stored.createdAt });
    } catch {
      throw new FlanksError(
        'A stored credential could not be decrypted: the data was altered, moved to another row, or the key for its id changed.',
      );
    }
  }

  /** Keeps keys and records out of `util.inspect` output. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `EncryptedCredentialStore { currentKeyId: '${this.#current}', keyIds: [${[...this.#rawKeys.keys()].map((k) => `'${k}'`).join(', ')}] }`;
  }
}
