/**
 * `flanks-sdk/stores/postgres`: a {@link CredentialStore} over PostgreSQL. It takes any object with
 * a node-postgres style `query` method (a `pg.Pool`, a `pg.Client` or a checked-out pool client), so
 * it does not import `pg` itself.
 *
 * @module flanks-sdk/stores/postgres
 */
import {
  type CredentialRecord,
  CredentialRecordSchema,
  checkStoreListOptions,
  type ListableCredentialStore,
  type StoreListOptions,
} from '../core/credential-store';
import { FlanksStoreError, FlanksValidationError } from '../core/errors';
import { Paginator } from '../core/pagination';
import {
  argumentError,
  checkArg,
  hasLoneSurrogate,
  jsonOf,
  requireKey,
  requireMethods,
  requireObject,
} from '../internal/args';
import { hash32 } from '../internal/hash';
import { redactString } from '../internal/redact';

// The main entry's types this entry's signatures use, so they can be named from here too.
export type {
  CredentialRecord,
  CredentialRecordSchema,
  CredentialStore,
  ListableCredentialStore,
  StoreListOptions,
} from '../core/credential-store';
export type { Page, Paginator } from '../core/pagination';

/*
 * Storage rules:
 * - One row per credentials token (the primary key). `save` is one INSERT … ON CONFLICT DO UPDATE,
 *   so concurrent saves of a token, from any number of processes, leave one row: the last write.
 * - The `record` column holds the whole record as JSON and is what reads return, so fields the SDK
 *   does not know yet round-trip untouched and `createdAt` comes back as the very string saved. The
 *   other columns are copies for your SQL (indexes, reports); `user_id` and `credentials_token` are
 *   checked against the record on every read, and a row whose copies disagree is refused.
 * - Every row read is validated; a bad one is a FlanksValidationError naming the column.
 * - `list` walks the table by `seq`, a bigserial that numbers rows in insertion order and that an
 *   upsert keeps. Its cursor is `pg1.<seq>`: a position, never the credentials token (the primary
 *   key), so a cursor saved in a job queue or a log holds no secret. `migrate()` adds `seq` to a
 *   table created before it existed, numbering the rows already there.
 * - PostgreSQL cannot store U+0000 in text or jsonb, and silently turns unpaired UTF-16 surrogates
 *   into U+FFFD in text: a record holding either is refused before any I/O, and a lookup by such a
 *   string finds nothing, instead of a database error or a record that comes back different.
 * - Database errors become FlanksStoreError with the SQLSTATE and the server's primary message, with
 *   every value the call sent scrubbed. The driver's error is not attached: its `detail` and `where`
 *   quote rows and JSON input, credentials tokens included.
 */

/**
 * What {@link PostgresCredentialStore} needs from a database client: node-postgres' `query(text,
 * values)`. A `pg.Pool`, a `pg.Client` and a `PoolClient` (e.g. inside your own transaction) all fit.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * const pool: Queryable = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * ```
 * @see https://docs.flanks.io/pages/concepts/credentials
 */
export interface Queryable {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

/**
 * Options of {@link PostgresCredentialStore}.
 *
 * @example
 * ```ts
 * const options: PostgresCredentialStoreOptions = { pool, table: 'app.flanks_credentials' };
 * ```
 * @see https://docs.flanks.io/pages/concepts/credentials
 */
export interface PostgresCredentialStoreOptions {
  /** A `pg.Pool`, `pg.Client` or checked-out `PoolClient`; the store never ends or releases it. */
  pool: Queryable;
  /**
   * Table name, optionally schema-qualified (`app.flanks_credentials`). Lower-case letters, digits and
   * `_`, starting with a letter or `_`; the table part at most 51 characters (its index is named
   * `<table>_user_id_idx`). Default `flanks_credentials`.
   */
  table?: string | undefined;
}

const DEFAULT_TABLE = 'flanks_credentials';
const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
/** A list cursor: `pg1.` and a `seq` (a positive bigint, so at most 19 digits). */
const CURSOR = /^pg1\.[1-9][0-9]{0,18}$/;
const MAX_SEQ = 9_223_372_036_854_775_807n;
const MAX_TABLE_LENGTH = 63 - '_user_id_idx'.length;
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

interface TableName {
  /** As given, for messages: `app.flanks_credentials`. */
  plain: string;
  /** Quoted for SQL: `"app"."flanks_credentials"`. */
  sql: string;
  /** Quoted name of the user_id index (it lives in the table's schema). */
  index: string;
  /** Quoted name of the unique index on `seq`. */
  seqIndex: string;
}

function parseTable(value: unknown, path: string): TableName {
  const plain = value ?? DEFAULT_TABLE;
  const parts = typeof plain === 'string' ? plain.split('.') : [];
  const table = parts.at(-1) ?? '';
  if (
    parts.length < 1 ||
    parts.length > 2 ||
    !parts.every((p) => IDENTIFIER.test(p) && p.length <= 63) ||
    table.length > MAX_TABLE_LENGTH
  ) {
    throw argumentError(
      path,
      `must be a table name like "flanks_credentials" or "app.flanks_credentials": lower-case letters, digits and _, the table part at most ${MAX_TABLE_LENGTH} characters.`,
    );
  }
  return {
    plain: plain as string,
    sql: parts.map((p) => `"${p}"`).join('.'),
    index: `"${table}_user_id_idx"`,
    seqIndex: `"${table}_seq_idx"`,
  };
}

/*
 * The schema. `seq` is in CREATE TABLE for new tables; the ALTER adds it to a table created by an
 * earlier version (PostgreSQL numbers the existing rows). Plain SQL for a migration tool, which runs it
 * once; `migrate()`, which runs on every start, only issues the ALTER when the column is missing,
 * because even a no-op ALTER TABLE waits for an exclusive lock on the table.
 */
function ddl(table: TableName, guarded = false): string {
  const addSeq = `ALTER TABLE ${table.sql} ADD COLUMN IF NOT EXISTS seq bigserial;`;
  return `CREATE TABLE IF NOT EXISTS ${table.sql} (
  credentials_token text PRIMARY KEY,
  user_id text NOT NULL,
  created_at timestamptz,
  link_token text,
  external_id text,
  extra jsonb NOT NULL,
  record jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  seq bigserial
);
${
  guarded
    ? `IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = '${table.sql}'::regclass AND attname = 'seq' AND NOT attisdropped) THEN
  ${addSeq}
END IF;`
    : addSeq
}
CREATE INDEX IF NOT EXISTS ${table.index} ON ${table.sql} (user_id);
CREATE UNIQUE INDEX IF NOT EXISTS ${table.seqIndex} ON ${table.sql} (seq);
`;
}

/**
 * The SQL that creates the store's table and its indexes, or upgrades a table created by an earlier
 * version (idempotent: `IF NOT EXISTS`), for your own migration tool.
 * {@link PostgresCredentialStore.migrate} runs the same statements.
 *
 * Columns: `credentials_token` (primary key), `user_id` (indexed), `created_at` (the record's
 * `createdAt` as a timestamp, NULL if it is not a date), `link_token`, `external_id`, `extra`
 * (jsonb), `record` (jsonb, the whole record: what reads return), `updated_at` (last save) and `seq`
 * (bigserial, unique: the order `list()` walks in and what its cursors point to).
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * writeFileSync('migrations/0007_flanks_credentials.sql', postgresCredentialStoreSql('app.flanks_credentials'));
 * ```
 * @see https://docs.flanks.io/pages/concepts/credentials
 */
export function postgresCredentialStoreSql(table: string = DEFAULT_TABLE): string {
  return ddl(parseTable(table, 'table'));
}

/** The first place in a JSON value PostgreSQL would refuse or alter, as a path, if any. */
function unstorableAt(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return unstorable(value) ? path : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, v] of Object.entries(value)) {
    const at = `${path}.${key}`;
    if (unstorable(key)) return at;
    const found = unstorableAt(v, at);
    if (found) return found;
  }
  return undefined;
}

function unstorable(text: string): boolean {
  return text.includes('\u0000') || hasLoneSurrogate(text);
}

/** `createdAt` as an ISO timestamp PostgreSQL accepts, or null when it is not a (4-digit-year) date. */
function timestampOf(createdAt: string): string | null {
  const ms = Date.parse(createdAt);
  if (Number.isNaN(ms)) return null;
  const year = new Date(ms).getUTCFullYear();
  return year >= 1 && year <= 9999 ? new Date(ms).toISOString() : null;
}

/**
 * A {@link CredentialStore} over a PostgreSQL table: one row per credential, upserts that are safe
 * across processes, lookups by token and by user, and {@link PostgresCredentialStore.list} for
 * walking every credential (a nightly sync enqueuing one job per credential). For production, wrap
 * it in `EncryptedCredentialStore` so credentials tokens are not stored in clear.
 *
 * Queries use `$n` parameters and a table name validated at construction; nothing from a record is
 * ever spliced into SQL. Requires PostgreSQL 9.6 or newer.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * import { EncryptedCredentialStore, FlanksClient } from 'flanks-sdk';
 * import { PostgresCredentialStore } from 'flanks-sdk/stores/postgres';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * const postgres = new PostgresCredentialStore({ pool, table: 'app.flanks_credentials' });
 * await postgres.migrate();
 * const store = new EncryptedCredentialStore(postgres, {
 *   keys: { '2026-11': process.env.FLANKS_STORE_KEY_2026_11! },
 *   currentKeyId: '2026-11',
 * });
 * const flanks = new FlanksClient({ store });
 * ```
 * @see https://docs.flanks.io/pages/concepts/credentials
 */
export class PostgresCredentialStore implements ListableCredentialStore {
  readonly #db: Queryable;
  readonly #table: TableName;

  constructor(options: PostgresCredentialStoreOptions) {
    const o = requireObject(options, 'options');
    this.#db = requireMethods<Queryable>(
      o.pool,
      ['query'],
      'options.pool',
      'a pg.Pool, pg.Client or PoolClient',
    );
    this.#table = parseTable(o.table, 'options.table');
  }

  /**
   * Creates the table and its indexes if they do not exist, and upgrades a table created by an
   * earlier version; safe to run on every start, from several processes at once (a
   * transaction-scoped advisory lock serialises them). The schema of a qualified name must exist
   * already. Prefer your own migration tool? Use {@link postgresCredentialStoreSql}.
   */
  async migrate(): Promise<void> {
    // One DO statement, so the lock and the DDL statements share a transaction under any driver mode.
    const [namespace, key] = advisoryLockKey(this.#table.plain);
    await this.#query(
      'migrate',
      `DO $flanks$ BEGIN
PERFORM pg_advisory_xact_lock(${namespace}, ${key});
${ddl(this.#table, true)}END $flanks$;`,
      [],
    );
  }

  async save(record: CredentialRecord): Promise<void> {
    // Validation runs on what will be stored: JSON drops undefined values and calls toJSON. The
    // caller's object is serialised, not the schema's copy, which drops an own `__proto__` key.
    const json = jsonOf(record, 'record');
    const stored = JSON.parse(json) as CredentialRecord;
    checkArg(CredentialRecordSchema, stored, 'record');
    const bad = unstorableAt(stored, 'record');
    if (bad) {
      throw argumentError(
        bad,
        'contains U+0000 or an unpaired UTF-16 surrogate, which PostgreSQL cannot store; nothing was saved.',
      );
    }
    const values = [
      stored.credentialsToken,
      stored.userId,
      timestampOf(stored.createdAt),
      stored.linkToken ?? null,
      stored.externalId ?? null,
      JSON.stringify(stored.extra),
      json,
    ];
    await this.#query(
      'save',
      `INSERT INTO ${this.#table.sql}
  (credentials_token, user_id, created_at, link_token, external_id, extra, record, updated_at)
VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, now())
ON CONFLICT (credentials_token) DO UPDATE SET
  user_id = EXCLUDED.user_id, created_at = EXCLUDED.created_at, link_token = EXCLUDED.link_token,
  external_id = EXCLUDED.external_id, extra = EXCLUDED.extra, record = EXCLUDED.record,
  updated_at = EXCLUDED.updated_at`,
      values,
      [...stringsIn(stored), ...stringsIn(stored.extra, true)],
    );
  }

  async get(credentialsToken: string): Promise<CredentialRecord | undefined> {
    const token = requireKey(credentialsToken, 'credentialsToken');
    if (unstorable(token)) return undefined;
    const rows = await this.#query(
      'get',
      `SELECT credentials_token, user_id, record FROM ${this.#table.sql} WHERE credentials_token = $1`,
      [token],
    );
    return rows[0] === undefined ? undefined : this.#decode(rows[0]);
  }

  async listByUser(userId: string): Promise<CredentialRecord[]> {
    const user = requireKey(userId, 'userId');
    if (unstorable(user)) return [];
    const rows = await this.#query(
      'listByUser',
      `SELECT credentials_token, user_id, record FROM ${this.#table.sql} WHERE user_id = $1 ORDER BY credentials_token`,
      [user],
    );
    return rows.map((row) => this.#decode(row));
  }

  async delete(credentialsToken: string): Promise<boolean> {
    const token = requireKey(credentialsToken, 'credentialsToken');
    if (unstorable(token)) return false;
    const result = await this.#run(
      'delete',
      `DELETE FROM ${this.#table.sql} WHERE credentials_token = $1`,
      [token],
      [token],
    );
    return (result.rowCount ?? 0) > 0;
  }

  /**
   * Every record in the table, read lazily in batches in the order they were first saved (keyset
   * pagination on `seq`: each batch is one indexed query, however deep the walk). Each record present
   * for the whole walk is yielded exactly once; records saved or deleted meanwhile may or may not be.
   * `.pages()` gives the batches, each with its `nextCursor`: an opaque string that holds no secret,
   * to save and hand back as `cursor` (to this or another instance over the same table) to resume
   * right after that batch, for instance after a crash.
   *
   * @example
   * ```ts
   * for await (const record of store.list()) await queue.add('sync', { token: record.credentialsToken });
   * for await (const { items, nextCursor } of store.list({ batchSize: 1000, cursor: saved }).pages()) {
   *   await queue.addBulk(items.map(toJob));
   *   await progress.save(nextCursor); // null once the walk is done
   * }
   * ```
   */
  list(options: StoreListOptions = {}): Paginator<CredentialRecord, string> {
    const { batchSize, cursor: start } = checkStoreListOptions(options, CURSOR, 'pg1.1234');
    if (start !== undefined && BigInt(start.slice('pg1.'.length)) > MAX_SEQ) {
      throw argumentError('options.cursor', 'is past the largest position a table can have.');
    }
    // `seq` is read as text (a bigint may not fit a JS number) under another name, so that ORDER BY
    // sorts by the bigint column, not by that text.
    const select = `SELECT seq::text AS seq_text, credentials_token, user_id, record FROM ${this.#table.sql}`;
    return new Paginator<CredentialRecord, string>(async (cursor) => {
      // The starting cursor was checked above; the others are this store's own.
      const after = cursor === undefined ? '0' : cursor.slice('pg1.'.length);
      const rows = await this.#query(
        'list',
        `${select} WHERE seq > $1 ORDER BY seq LIMIT $2`,
        [after, batchSize],
        [],
      );
      const items = rows.map((row) => this.#decode(row));
      const last = (rows.at(-1) as { seq_text?: unknown } | undefined)?.seq_text;
      return { items, nextCursor: items.length === batchSize ? `pg1.${String(last)}` : null };
    }, start);
  }

  async #query(
    operation: string,
    text: string,
    values: unknown[],
    secrets: string[] = values.filter((v): v is string => typeof v === 'string'),
  ): Promise<unknown[]> {
    const { rows } = await this.#run(operation, text, values, secrets);
    if (!Array.isArray(rows)) {
      throw new FlanksStoreError(
        `PostgresCredentialStore.${operation}: options.pool.query answered without rows.`,
        {
          operation,
        },
      );
    }
    return rows;
  }

  async #run(
    operation: string,
    text: string,
    values: unknown[],
    secrets: string[],
  ): Promise<{ rows: unknown[]; rowCount: number | null }> {
    try {
      return await this.#db.query(text, values);
    } catch (error) {
      throw storeError(error, operation, this.#table.plain, secrets);
    }
  }

  #decode(row: unknown): CredentialRecord {
    const r = (row ?? {}) as { credentials_token?: unknown; user_id?: unknown; record?: unknown };
    const where = `a row of ${this.#table.plain}`;
    let value = r.record;
    if (typeof value === 'string') {
      try {
        value = JSON.parse(value);
      } catch {
        value = undefined;
      }
    }
    const parsed = CredentialRecordSchema.safeParse(value);
    if (!parsed.success) {
      const field = parsed.error.issues[0]?.path.join('.');
      const path = field ? `record.${field}` : 'record';
      throw new FlanksValidationError(
        `${where} is corrupt: column record${field ? `, field ${field},` : ''} is not a valid credential record. Fix or delete the row.`,
        { path },
      );
    }
    for (const [column, field] of [
      ['credentials_token', 'credentialsToken'],
      ['user_id', 'userId'],
    ] as const) {
      if (r[column] !== parsed.data[field]) {
        throw new FlanksValidationError(
          `${where} is corrupt: column ${column} differs from record.${field} (the row was edited outside the store). Save the record again or fix the row.`,
          { path: column },
        );
      }
    }
    // The stored JSON itself, freshly parsed, rather than the schema's copy (see `save`).
    return value as CredentialRecord;
  }

  /** Shows the table only. */
  [INSPECT](): string {
    return `PostgresCredentialStore { table: '${this.#table.plain}' }`;
  }

  /** The table only: the pool (and its connection string) stays out of JSON logs. */
  toJSON(): { table: string } {
    return { table: this.#table.plain };
  }
}

/**
 * The strings of a value, to scrub from database messages. Keys only when asked: the record's own
 * field names are not secret (and scrubbing `extra` would garble "column "extra" does not exist"),
 * but keys inside `extra` come from a URL and could be anything.
 */
function stringsIn(value: unknown, withKeys = false, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (withKeys) out.push(key);
      stringsIn(v, withKeys, out);
    }
  }
  return out;
}

/** Next steps for the errors a new deployment meets first. */
const NEXT_STEPS: Record<string, string> = {
  '42P01':
    ' Create the table first: await store.migrate(), or run postgresCredentialStoreSql() in your migrations.',
  '3F000': ' Create the schema first (CREATE SCHEMA …); migrate() does not create schemas.',
  '42703':
    ' The table may predate this version of the SDK: run await store.migrate(), or the SQL of postgresCredentialStoreSql(), to upgrade it.',
  '42501':
    ' Grant the database role SELECT, INSERT, UPDATE and DELETE on the table (and CREATE for migrate()).',
};

function storeError(error: unknown, operation: string, table: string, secrets: string[]): FlanksStoreError {
  const e = (error ?? {}) as { message?: unknown; code?: unknown };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const message = redactString(typeof e.message === 'string' ? e.message : String(error), secrets);
  return new FlanksStoreError(
    `PostgresCredentialStore.${operation} on ${table} failed${code ? ` (${code})` : ''}: ${message}.${
      (code && NEXT_STEPS[code]) ?? ''
    }`,
    { code, operation },
  );
}

/** Two int4 keys for pg_advisory_xact_lock: a fixed namespace and a hash of the table name. */
function advisoryLockKey(table: string): [number, number] {
  return [0x464c4e4b, hash32(table) | 0];
}
