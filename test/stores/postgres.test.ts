import { inspect } from 'node:util';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { FlanksError, FlanksStoreError, FlanksValidationError } from '../../src';
import {
  PostgresCredentialStore,
  postgresCredentialStoreSql,
  type Queryable,
} from '../../src/stores/postgres';

// What PostgresCredentialStore decides before any database is involved: argument checks, the SQL it
// would run, its printed form, and how it words a failing driver's errors. The behaviour against a
// real PostgreSQL is in postgres.infra.test.ts (`npm run test:infra`).

const SECRET_TOKEN = 'ct_live_5f0c2a9e7b1d4c3aa8e6f2b9d0c7e1f4';

/** A driver that fails every query the way `fail` says, recording what it was asked. */
function failingDriver(fail: (text: string, values: unknown[]) => unknown) {
  const calls: Array<{ text: string; values: unknown[] }> = [];
  const pool: Queryable = {
    async query(text, values = []) {
      calls.push({ text, values });
      throw fail(text, values);
    },
  };
  return { pool, calls };
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('PostgresCredentialStore construction', () => {
  const pool: Queryable = { query: async () => ({ rows: [], rowCount: 0 }) };

  it.each([
    [undefined, 'options'],
    [{}, 'options.pool'],
    [{ pool: {} }, 'options.pool'],
    [{ pool: { query: 'SELECT' } }, 'options.pool'],
    [{ pool, table: 5 }, 'options.table'],
  ])('%j is refused naming %s', (options, path) => {
    const err = thrown(() => new PostgresCredentialStore(options as never));
    expect(err).toBeInstanceOf(FlanksValidationError);
    expect((err as FlanksValidationError).path).toBe(path);
  });

  it.each(['x; DROP TABLE y', 'a"b', 'a.b.c', '.t', '', 'Credentials', '1abc', 'a'.repeat(52)])(
    'the table name %j is refused',
    (table) => {
      const err = thrown(() => new PostgresCredentialStore({ pool, table }));
      expect(err).toBeInstanceOf(FlanksValidationError);
      expect((err as FlanksValidationError).path).toBe('options.table');
      expect(() => postgresCredentialStoreSql(table)).toThrow(FlanksValidationError);
    },
  );

  it('accepts plain, schema-qualified, reserved-word and 51-character names', () => {
    for (const table of ['flanks_credentials', 'app.flanks_credentials', 'user', '_t1', 'a'.repeat(51)]) {
      expect(() => new PostgresCredentialStore({ pool, table })).not.toThrow();
    }
  });

  it('inspect and JSON show the table only, never the pool or its password', async () => {
    const withPassword = new pg.Pool({ connectionString: 'postgres://app:pw_hunter2_secret@127.0.0.1:5/db' });
    const store = new PostgresCredentialStore({ pool: withPassword, table: 'app.flanks_credentials' });
    expect(inspect(store)).toBe("PostgresCredentialStore { table: 'app.flanks_credentials' }");
    expect(JSON.stringify(store)).toBe('{"table":"app.flanks_credentials"}');
    expect(JSON.stringify({ store })).not.toContain('hunter2');
    await withPassword.end();
  });

  it('list() checks its options when called, not on the first read', () => {
    const store = new PostgresCredentialStore({ pool });
    expect(() => store.list({ batchSize: 0 })).toThrow(FlanksValidationError);
    expect(() => store.list({ batchSize: 2.5 })).toThrow(/options\.batchSize/);
    expect(() => store.list({ batchSize: 10_001 })).toThrow(FlanksValidationError);
    expect(() => store.list('x' as never)).toThrow(FlanksValidationError);
  });

  it('save() refuses a record it could not store faithfully, before any query', async () => {
    const { pool: driver, calls } = failingDriver(() => new Error('no query expected'));
    const store = new PostgresCredentialStore({ pool: driver });
    const base = { userId: 'u1', credentialsToken: SECRET_TOKEN, createdAt: '2026-01-01', extra: {} };
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const cases: Array<[unknown, string]> = [
      [undefined, 'record'],
      [null, 'record'],
      [{ ...base, extra: { big: 10n } }, 'record'],
      [{ ...base, extra: cyclic }, 'record'],
      [{ ...base, userId: undefined }, 'record.userId'],
      [{ ...base, extra: { toJSON: () => 'not an object' } }, 'record.extra'],
      [{ ...base, externalId: 5 }, 'record.externalId'],
      [{ ...base, extra: { note: 'nul \u0000 inside' } }, 'record.extra.note'],
    ];
    for (const [record, path] of cases) {
      const err = await store.save(record as never).catch((e) => e);
      expect(err, path).toBeInstanceOf(FlanksValidationError);
      expect(err.path).toBe(path);
      expect(err.message).not.toContain(SECRET_TOKEN);
    }
    expect(calls).toEqual([]);
  });

  it('save() says why a record cannot be written as JSON', async () => {
    const store = new PostgresCredentialStore({
      pool: failingDriver(() => new Error('no query expected')).pool,
    });
    const base = { userId: 'u1', credentialsToken: SECRET_TOKEN, createdAt: '2026-01-01' };
    const err = await store.save({ ...base, extra: { big: 10n } } as never).catch((e) => e);
    expect(err.message).toBe('record must be JSON-serialisable (no cycles, no BigInt).');
  });

  it('get, listByUser and delete refuse a non-string key', async () => {
    const store = new PostgresCredentialStore({ pool });
    await expect(store.get(42 as never)).rejects.toMatchObject({ path: 'credentialsToken' });
    await expect(store.delete('' as never)).rejects.toBeInstanceOf(FlanksValidationError);
    await expect(store.listByUser(undefined as never)).rejects.toMatchObject({ path: 'userId' });
  });
});

describe('postgresCredentialStoreSql', () => {
  it('is the idempotent DDL of the default table', () => {
    expect(postgresCredentialStoreSql()).toBe(`CREATE TABLE IF NOT EXISTS "flanks_credentials" (
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
ALTER TABLE "flanks_credentials" ADD COLUMN IF NOT EXISTS seq bigserial;
CREATE INDEX IF NOT EXISTS "flanks_credentials_user_id_idx" ON "flanks_credentials" (user_id);
CREATE UNIQUE INDEX IF NOT EXISTS "flanks_credentials_seq_idx" ON "flanks_credentials" (seq);
`);
  });

  it('quotes a schema-qualified name; the index goes to the same schema', () => {
    const sql = postgresCredentialStoreSql('app.creds');
    expect(sql).toContain('CREATE TABLE IF NOT EXISTS "app"."creds" (');
    expect(sql).toContain('CREATE INDEX IF NOT EXISTS "creds_user_id_idx" ON "app"."creds" (user_id);');
    expect(sql).toContain('CREATE UNIQUE INDEX IF NOT EXISTS "creds_seq_idx" ON "app"."creds" (seq);');
  });
});

describe('PostgresCredentialStore driver errors', () => {
  it('become FlanksStoreError with the code, every sent value scrubbed and no cause', async () => {
    const { pool } = failingDriver((_text, values) =>
      Object.assign(new Error(`value ${String(values[0])} rejected`), {
        code: '23514',
        detail: `Failing row contains (${String(values[0])}).`,
      }),
    );
    const err = await new PostgresCredentialStore({ pool }).get(SECRET_TOKEN).catch((e) => e);
    expect(err).toBeInstanceOf(FlanksStoreError);
    expect(err).toBeInstanceOf(FlanksError);
    expect(err).toMatchObject({ code: '23514', operation: 'get' });
    expect(err.cause).toBeUndefined();
    expect(err.message).toBe(
      'PostgresCredentialStore.get on flanks_credentials failed (23514): value [REDACTED] rejected.',
    );
    for (const view of [JSON.stringify(err), inspect(err), err.stack])
      expect(view).not.toContain(SECRET_TOKEN);
  });

  it('scrub the strings of a saved record, extra keys included', async () => {
    const secrets = ['ct_secret_token_1', 'user-secret-9', 'lt_link_secret', 'iban_ES91', 'key_secret_k'];
    const { pool } = failingDriver(() => new Error(`echo ${secrets.join(' ')}`));
    const err = await new PostgresCredentialStore({ pool })
      .save({
        credentialsToken: secrets[0]!,
        userId: secrets[1]!,
        linkToken: secrets[2]!,
        createdAt: '2026-01-01T00:00:00.000Z',
        extra: { nested: [secrets[3]], [secrets[4]!]: true },
      })
      .catch((e) => e);
    expect(err).toBeInstanceOf(FlanksStoreError);
    expect(err.message).toBe(
      `PostgresCredentialStore.save on flanks_credentials failed: echo ${secrets.map(() => '[REDACTED]').join(' ')}.`,
    );
  });

  it('a thrown non-Error and an answer without rows are FlanksStoreErrors too', async () => {
    const throwsString = failingDriver(() => `socket closed for ${SECRET_TOKEN}`).pool;
    const err = await new PostgresCredentialStore({ pool: throwsString })
      .delete(SECRET_TOKEN)
      .catch((e) => e);
    expect(err).toBeInstanceOf(FlanksStoreError);
    expect(err.message).not.toContain(SECRET_TOKEN);

    const noRows = { query: async () => ({ rowCount: 0 }) } as unknown as Queryable;
    await expect(new PostgresCredentialStore({ pool: noRows }).get('ct_x')).rejects.toThrow(/without rows/);
  });

  it('list() pages are keyset queries on seq; the cursor names the last seq, never a token', async () => {
    const rows = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => {
        const record = {
          userId: 'u',
          credentialsToken: `ct_${String(from + i).padStart(3, '0')}`,
          createdAt: 'now',
          extra: {},
        };
        return {
          seq_text: String(101 + from + i),
          credentials_token: record.credentialsToken,
          user_id: 'u',
          record,
        };
      });
    const calls: Array<{ text: string; values: unknown[] | undefined }> = [];
    const pages = [rows(0, 2), rows(2, 2), rows(4, 1)];
    const pool: Queryable = {
      async query(text, values) {
        calls.push({ text, values });
        const page = pages.shift() ?? [];
        return { rows: page, rowCount: page.length };
      },
    };
    const seen: unknown[] = [];
    for await (const page of new PostgresCredentialStore({ pool }).list({ batchSize: 2 }).pages()) {
      seen.push([page.items.map((r) => r.credentialsToken), page.nextCursor]);
    }
    expect(seen).toEqual([
      [['ct_000', 'ct_001'], 'pg1.102'],
      [['ct_002', 'ct_003'], 'pg1.104'],
      [['ct_004'], null],
    ]);
    expect(calls.map((c) => c.values)).toEqual([
      ['0', 2],
      ['102', 2],
      ['104', 2],
    ]);
    expect(calls.every((c) => c.text.includes('WHERE seq > $1 ORDER BY seq LIMIT $2'))).toBe(true);
  });

  it('list({ cursor }) resumes after the cursor; a cursor of another shape is refused before any query', async () => {
    const calls: unknown[] = [];
    const pool: Queryable = {
      async query(_text, values) {
        calls.push(values);
        return { rows: [], rowCount: 0 };
      },
    };
    const store = new PostgresCredentialStore({ pool });
    await expect(store.list({ cursor: 'pg1.9223372036854775807' }).toArray({ limit: 5 })).resolves.toEqual(
      [],
    );
    expect(calls).toEqual([['9223372036854775807', 500]]);
    for (const cursor of ['ct_secret', 'pg1.0', 'pg1.-1', 'pg1.9223372036854775808', 'pg1.1 ', 5, null]) {
      expect(() => store.list({ cursor } as never), String(cursor)).toThrow(
        expect.objectContaining({ name: 'FlanksValidationError', path: 'options.cursor' }),
      );
    }
    expect(() => store.list({ pageToken: 'pg1.5' } as never)).toThrow(/options\.pageToken/);
    expect(calls).toHaveLength(1);
  });
});
