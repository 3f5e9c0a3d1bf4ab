import * as z from 'zod/mini';
import { requireObject, requireUserId } from '../internal/args';
import { FlanksCredentialConflictError, FlanksValidationError } from './errors';

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

/**
 * An in-process {@link CredentialStore}, for tests, scripts and single-process prototypes. Data is
 * lost when the process exits; use your database in production.
 *
 * @example
 * ```ts
 * const flanks = new FlanksClient({ store: new MemoryCredentialStore() });
 * ```
 * @see https://docs.flanks.io/pages/concepts/credentials
 */
export class MemoryCredentialStore implements CredentialStore {
  readonly #records = new Map<string, CredentialRecord>();

  async save(record: CredentialRecord): Promise<void> {
    requireUserId(requireObject(record, 'record').userId, 'record.userId');
    this.#records.set(record.credentialsToken, structuredClone(record));
  }

  async get(credentialsToken: string): Promise<CredentialRecord | undefined> {
    const record = this.#records.get(credentialsToken);
    return record && structuredClone(record);
  }

  async listByUser(userId: string): Promise<CredentialRecord[]> {
    requireUserId(userId, 'userId');
    return [...this.#records.values()].filter((r) => r.userId === userId).map((r) => structuredClone(r));
  }

  async delete(credentialsToken: string): Promise<boolean> {
    return this.#records.delete(credentialsToken);
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
