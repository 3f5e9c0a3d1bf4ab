import * as z from 'zod/mini';
import {
  argumentError,
  checkArg,
  onlyKnownKeys,
  optionalNumber,
  optionalObject,
  requireKey,
  requireUserId,
} from '../internal/args';
import { FlanksCredentialConflictError, FlanksValidationError } from './errors';
import { Paginator } from './pagination';

/**
 * Schema of a {@link CredentialRecord}: what the SDK saves in a {@link CredentialStore} after a
 * Link is completed. Stores that serialise records (SQL rows, JSON documents) can validate what
 * they read back with it.
 *
 * @example
 * ```ts
 * const record = CredentialRecordSchema.parse(JSON.parse(row.json));
 * ```
 * @see https://docs.flanks.io/pages/concepts/credentials
 */
export const CredentialRecordSchema = z.looseObject({
  /** Your application's id for the end user who connected the bank. */
  userId: z.string().check(z.minLength(1)),
  /** The Flanks `credentials_token`: the key for every Credentials and Aggregation call. Secret. */
  credentialsToken: z.string().check(z.minLength(1)),
  /** ISO 8601 time the record was created by the SDK. */
  createdAt: z.string(),
  /**
   * Custom Link URL parameters echoed back by the code exchange (`extra`), without the SDK's own
   * signed `state`; `{}` when Flanks sent none (`extra` absent or `null`).
   */
  extra: z.record(z.string(), z.unknown()),
  /** The Link the user came through, when Flanks reports it. */
  linkToken: z.optional(z.nullable(z.string())),
  /** The `external_id` the Link URL carried, when it had one. */
  externalId: z.optional(z.nullable(z.string())),
});

/**
 * The mapping between one of your users and one Flanks credential. One user may own many records
 * (one per bank login); one record belongs to exactly one user.
 *
 * @example
 * ```ts
 * const record: CredentialRecord = {
 *   userId: 'user-42',
 *   credentialsToken: 'ct_…',
 *   createdAt: new Date().toISOString(),
 *   extra: { campaign: 'spring' },
 * };
 * ```
 * @see https://docs.flanks.io/pages/concepts/credentials
 */
export type CredentialRecord = z.infer<typeof CredentialRecordSchema>;

/**
 * Builds the record to store from what Flanks answered. Whatever the validation mode, a record that
 * would be stored wrong (no token, `extra` not an object) is a FlanksValidationError naming the
 * field, never a raw schema error: a bad record must not reach the store.
 */
export function makeCredentialRecord(fields: Record<string, unknown>, source: string): CredentialRecord {
  const result = CredentialRecordSchema.safeParse(fields);
  if (result.success) return result.data;
  const field = result.error.issues[0]?.path.join('.') ?? 'record';
  throw new FlanksValidationError(
    `Flanks' ${source} answer cannot be stored: ${field} is missing or invalid. Nothing was saved; Flanks may have changed this API, please report it.`,
    { path: `response.${field}` },
  );
}

/*
 * A connection belongs to the user it was first saved for. `completeLink` and
 * `connect.completeSession` save through here: a token the store already holds for another user is
 * refused (FlanksCredentialConflictError) and the stored record is left as it is, so no redirect,
 * replayed or forged, can move a connection (and its data) from one user to another. The same user
 * saving again is an update. The check and the save are two store calls: two users completing the
 * same connection within the same few milliseconds are not told apart.
 */
export async function saveForUser(
  store: CredentialStore,
  record: CredentialRecord,
  what: string,
): Promise<CredentialRecord> {
  const held = await store.get(record.credentialsToken);
  if (held && held.userId !== record.userId) {
    throw new FlanksCredentialConflictError(
      `${what} led to a bank connection your store already holds for another user (a replayed redirect?); nothing was saved or changed. Do not retry for this user; if one person really has two accounts, move the record yourself once confirmed.`,
    );
  }
  await store.save(record);
  return record;
}

/**
 * Where your application keeps the user ↔ `credentials_token` mapping. Implement it over your own
 * database; {@link MemoryCredentialStore} is the reference implementation, and
 * `runCredentialStoreContract` from `flanks-sdk/testing` checks any implementation.
 *
 * The contract:
 * - `save` is an upsert keyed by `credentialsToken`: saving the same token twice leaves one record
 *   (the last one written).
 * - `get` resolves to `undefined` for an unknown token; it never throws for "not found".
 * - `listByUser` resolves to every record of that user (order not significant), `[]` if none.
 * - `delete` resolves to `true` if a record was removed, `false` if there was none.
 * - Records come back equal (deeply) to what was saved; the store must not share mutable objects
 *   with its callers.
 *
 * @example
 * ```ts
 * class PgStore implements CredentialStore {
 *   async save(r: CredentialRecord) { await sql`insert … on conflict (credentials_token) do update …`; }
 *   async get(token: string) { … }
 *   async listByUser(userId: string) { … }
 *   async delete(token: string) { … }
 * }
 * ```
 * @see https://docs.flanks.io/pages/concepts/credentials
 */
export interface CredentialStore {
  save(record: CredentialRecord): Promise<void>;
  get(credentialsToken: string): Promise<CredentialRecord | undefined>;
  listByUser(userId: string): Promise<CredentialRecord[]>;
  delete(credentialsToken: string): Promise<boolean>;
}

/** The methods that make an object a {@link CredentialStore}, for the structural checks of arguments. */
export const CREDENTIAL_STORE_METHODS: readonly string[] = ['save', 'get', 'listByUser', 'delete'];

/**
 * Options of a store's `list()` (`PostgresCredentialStore`, and `EncryptedCredentialStore` over it).
 *
 * @example
 * ```ts
 * const options: StoreListOptions = { batchSize: 1000, cursor: await progress.load() };
 * for await (const page of store.list(options).pages()) await progress.save(page.nextCursor);
 * ```
 * @see https://docs.flanks.io/pages/concepts/credentials
 */
export interface StoreListOptions {
  /** Records read per batch (per query), 1–10,000. Default 500. */
  batchSize?: number | undefined;
  /**
   * Resume right after the batch whose `nextCursor` this is (from `pages()`), instead of from the
   * start. An opaque string that holds no secret: it is fine in a job payload or a log line.
   */
  cursor?: string | undefined;
}

/**
 * A {@link CredentialStore} that can also walk every record it holds, in resumable batches: what a
 * nightly sync needs to enqueue one job per credential. `PostgresCredentialStore` is one;
 * `EncryptedCredentialStore.list` needs its inner store to be one.
 *
 * @example
 * ```ts
 * async function enqueueAll(store: ListableCredentialStore, cursor?: string) {
 *   for await (const page of store.list({ cursor }).pages()) {
 *     await queue.addBulk(page.items.map((r) => ({ name: 'sync', data: { userId: r.userId } })));
 *     await progress.save(page.nextCursor);
 *   }
 * }
 * ```
 * @see https://docs.flanks.io/pages/concepts/credentials
 */
export interface ListableCredentialStore extends CredentialStore {
  /**
   * Every record, lazily, in batches; each batch of `pages()` carries the cursor that resumes after
   * it. Each record present for the whole walk is yielded once.
   */
  list(options?: StoreListOptions): Paginator<CredentialRecord, string>;
}

/**
 * An in-process {@link CredentialStore}, for tests, scripts and single-process prototypes. Data is
 * lost when the process exits; use your database in production. Like the Postgres store it can
 * `list()` its records in resumable batches, in the order they were first saved.
 *
 * @example
 * ```ts
 * const flanks = new FlanksClient({ store: new MemoryCredentialStore() });
 * ```
 * @see https://docs.flanks.io/pages/concepts/credentials
 */
export class MemoryCredentialStore implements ListableCredentialStore {
  // Each record keeps the number it got when first saved: `list()` walks in that order (a Map keeps
  // insertion order, and an upsert keeps the entry's place) and its cursor is `mem1.<number>`.
  readonly #records = new Map<string, { seq: number; record: CredentialRecord }>();
  #seq = 0;

  async save(record: CredentialRecord): Promise<void> {
    const checked = checkArg(CredentialRecordSchema, record, 'record');
    requireUserId(checked.userId, 'record.userId');
    let copy: CredentialRecord;
    try {
      copy = structuredClone(record);
    } catch {
      throw argumentError('record', 'must be plain data (no functions, symbols or class instances).');
    }
    const held = this.#records.get(checked.credentialsToken);
    this.#records.set(checked.credentialsToken, { seq: held?.seq ?? ++this.#seq, record: copy });
  }

  async get(credentialsToken: string): Promise<CredentialRecord | undefined> {
    const held = this.#records.get(requireKey(credentialsToken, 'credentialsToken'));
    return held && structuredClone(held.record);
  }

  async listByUser(userId: string): Promise<CredentialRecord[]> {
    requireUserId(userId, 'userId');
    return [...this.#records.values()]
      .filter(({ record }) => record.userId === userId)
      .map(({ record }) => structuredClone(record));
  }

  async delete(credentialsToken: string): Promise<boolean> {
    return this.#records.delete(requireKey(credentialsToken, 'credentialsToken'));
  }

  /**
   * Every record, in batches, in the order they were first saved; `pages()` gives each batch with
   * the cursor that resumes after it (see {@link StoreListOptions}).
   *
   * @example
   * ```ts
   * for await (const record of store.list({ batchSize: 100 })) console.log(record.userId);
   * ```
   */
  list(options: StoreListOptions = {}): Paginator<CredentialRecord, string> {
    const { batchSize, cursor } = checkStoreListOptions(options, /^mem1\.([1-9][0-9]{0,15})$/, 'mem1.12');
    return new Paginator<CredentialRecord, string>(async (at) => {
      const after = at === undefined ? 0 : Number(at.slice('mem1.'.length));
      const batch = [...this.#records.values()].filter(({ seq }) => seq > after).slice(0, batchSize);
      const last = batch.at(-1);
      return {
        items: batch.map(({ record }) => structuredClone(record)),
        nextCursor: batch.length === batchSize && last ? `mem1.${last.seq}` : null,
      };
    }, cursor);
  }

  /** Number of records held; handy in tests. */
  get size(): number {
    return this.#records.size;
  }

  /** Keeps stored tokens out of `util.inspect` output. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `MemoryCredentialStore { size: ${this.#records.size} }`;
  }
}

/**
 * The options of a store's `list()`: known keys only (a misspelt `cursor` would restart the walk),
 * a batch size of 1–10,000 (default 500), and a cursor of this store's own `shape`.
 */
export function checkStoreListOptions(
  options: unknown,
  shape: RegExp,
  example: string,
): { batchSize: number; cursor: string | undefined } {
  const o = optionalObject(options, 'options') ?? {};
  onlyKnownKeys(o, ['batchSize', 'cursor'], 'options');
  const batchSize =
    optionalNumber(o.batchSize, 'options.batchSize', { min: 1, max: 10_000, integer: true }) ?? 500;
  if (o.cursor !== undefined && !(typeof o.cursor === 'string' && shape.test(o.cursor))) {
    throw argumentError(
      'options.cursor',
      `must be a cursor of this store's list() (a page's nextCursor, like '${example}').`,
    );
  }
  return { batchSize, cursor: o.cursor };
}
