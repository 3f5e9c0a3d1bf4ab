import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type CredentialRecord,
  EncryptedCredentialStore,
  FlanksClient,
  FlanksError,
  FlanksStoreError,
  FlanksValidationError,
  type Paginator,
} from '../../src';
import { PostgresCredentialStore, type Queryable } from '../../src/stores/postgres';
import {
  runCredentialStoreContract,
  SANDBOX_CLIENT_ID,
  SANDBOX_CLIENT_SECRET,
  startSandbox,
} from '../../src/testing';
import { readPages } from '../pages';
import type { RaceJob, RaceOutcome } from './fixtures/postgres-race-worker';

// PostgresCredentialStore against the real PostgreSQL of the infrastructure suite. Every describe
// works in its own fresh schema, dropped at the end, so runs and files never see each other's rows.

const postgresUrl = inject('postgresUrl');
const admin = new pg.Pool({ connectionString: postgresUrl, max: 4 });
const schemas: string[] = [];

async function freshSchema(): Promise<string> {
  const name = `flanks_test_${randomBytes(6).toString('hex')}`;
  await admin.query(`CREATE SCHEMA ${name}`);
  schemas.push(name);
  return name;
}

afterAll(async () => {
  for (const name of schemas) await admin.query(`DROP SCHEMA ${name} CASCADE`);
  await admin.end();
});

let serial = 0;
function aRecord(overrides: Partial<CredentialRecord> = {}): CredentialRecord {
  serial++;
  return {
    userId: `user-${serial}`,
    credentialsToken: `ct_${randomBytes(12).toString('hex')}`,
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, serial % 60)).toISOString(),
    extra: { campaign: 'spring' },
    linkToken: 'lt_test',
    externalId: `ext-${serial}`,
    ...overrides,
  };
}

/** A secret-looking credentials token, to prove no error or output quotes it. */
const SECRET_TOKEN = 'ct_live_5f0c2a9e7b1d4c3aa8e6f2b9d0c7e1f4';

function expectNoSecret(value: unknown, secrets: string[]): void {
  const views = [String(value), JSON.stringify(value), inspect(value, { depth: 10 })];
  if (value instanceof Error) views.push(inspect(value.cause, { depth: 10 }), value.stack ?? '');
  for (const secret of secrets) for (const view of views) expect(view).not.toContain(secret);
}

/**
 * Reads two pages with one store, drops it (its pool ends), then finishes the walk with a new store
 * from the saved cursor. Returns every token read and the cursors from the saved one on.
 */
async function walkInTwoLives(
  makeStore: (pool: pg.Pool) => {
    list(o: { batchSize: number; cursor?: string }): Paginator<CredentialRecord>;
  },
): Promise<{ tokens: string[]; cursors: Array<string | null> }> {
  const firstPool = new pg.Pool({ connectionString: postgresUrl, max: 2 });
  const first = await readPages(makeStore(firstPool).list({ batchSize: 10 }), 2);
  await firstPool.end();
  const tokens = first.items.map((r) => r.credentialsToken);
  const cursors: Array<string | null> = [first.cursor];
  const secondPool = new pg.Pool({ connectionString: postgresUrl, max: 2 });
  try {
    const resumed = makeStore(secondPool).list({ batchSize: 10, cursor: cursors.at(-1)! });
    for await (const page of resumed.pages()) {
      tokens.push(...page.items.map((r) => r.credentialsToken));
      cursors.push(page.nextCursor);
    }
  } finally {
    await secondPool.end();
  }
  return { tokens, cursors };
}

describe('PostgresCredentialStore over a pg.Pool', () => {
  let schema: string;
  let store: PostgresCredentialStore;
  const pool = new pg.Pool({ connectionString: postgresUrl, max: 10 });

  beforeAll(async () => {
    schema = await freshSchema();
    store = new PostgresCredentialStore({ pool, table: `${schema}.credentials` });
    await store.migrate();
  });
  afterAll(() => pool.end());

  runCredentialStoreContract(
    async () => {
      await pool.query(`TRUNCATE ${schema}.credentials`);
      return store;
    },
    { describe, it, name: 'CredentialStore contract (pg.Pool)' },
  );

  it('fills the SQL columns from the record and keeps the record itself in `record`', async () => {
    await pool.query(`TRUNCATE ${schema}.credentials`);
    const r = aRecord({ createdAt: '2026-03-04T05:06:07Z', extra: { campaign: 'autumn', n: 1 } });
    await store.save(r);
    const { rows } = await pool.query(`SELECT * FROM ${schema}.credentials`);
    expect(rows).toEqual([
      {
        credentials_token: r.credentialsToken,
        user_id: r.userId,
        created_at: new Date('2026-03-04T05:06:07Z'),
        link_token: 'lt_test',
        external_id: r.externalId,
        extra: { campaign: 'autumn', n: 1 },
        record: r,
        updated_at: expect.any(Date),
        seq: expect.stringMatching(/^\d+$/),
      },
    ]);
  });

  it('round-trips createdAt strings exactly, unknown fields and a createdAt that is not a date', async () => {
    const records = [
      aRecord({ createdAt: '2026-03-04T05:06:07Z' }), // no milliseconds: a timestamp would add them
      aRecord({ createdAt: '2026-03-04T07:06:07.123456+02:00' }), // offset and microseconds
      aRecord({ createdAt: 'yesterday', linkToken: null, externalId: null }),
      { ...aRecord(), futureField: { nested: [1, 'two', null] }, anotherOne: 42 },
      aRecord({ extra: { quote: '"\'\\', line: 'a\u2028b', emoji: '👩‍👩‍👧', n: 1e21, tiny: 5e-324 } }),
    ];
    for (const r of records) await store.save(r);
    for (const r of records) expect(await store.get(r.credentialsToken)).toStrictEqual(r);
    const { rows } = await pool.query(
      `SELECT created_at FROM ${schema}.credentials WHERE credentials_token = $1`,
      [records[2]!.credentialsToken],
    );
    expect(rows[0].created_at).toBeNull();
  });

  it('round-trips any JSON record (property, 150 runs)', async () => {
    const text = fc.string({
      unit: fc.oneof(
        fc.constantFrom('"', '\\', '/', '\u2028', '\ufeff', '€', '😀', 'é', '\u0001', '\t'),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((c) => c !== '\u0000'),
      ),
      maxLength: 12,
    });
    const record = fc.record({
      userId: text.filter((s) => s.length > 0),
      credentialsToken: text.filter((s) => s.length > 0),
      createdAt: fc.oneof(
        text,
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      ),
      extra: fc.dictionary(text, fc.jsonValue({ stringUnit: 'binary', maxDepth: 3 })),
      linkToken: fc.option(text),
      externalId: fc.option(text),
    });
    await fc.assert(
      fc.asyncProperty(
        // PostgreSQL cannot hold U+0000 or lone surrogates; the refusal of those has its own test.
        record.filter((r) => !/\\u(0000|d[89a-f])/i.test(JSON.stringify(r))),
        async (r) => {
          await store.save(r);
          expect(await store.get(r.credentialsToken)).toEqual(JSON.parse(JSON.stringify(r)));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('refuses, before any query, a record PostgreSQL would reject or alter', async () => {
    const seen: string[] = [];
    const spy: Queryable = {
      query: (text, values) => {
        seen.push(text);
        return pool.query(text, values);
      },
    };
    const spied = new PostgresCredentialStore({ pool: spy, table: `${schema}.credentials` });
    const cases: Array<[CredentialRecord, string]> = [
      [aRecord({ extra: { note: 'a\u0000b' } }), 'record.extra.note'],
      [aRecord({ userId: 'lone \ud800 surrogate' }), 'record.userId'],
      [aRecord({ extra: { '\udc00': 1 } }), 'record.extra.\udc00'],
      [{ ...aRecord(), credentialsToken: '' }, 'record.credentialsToken'],
    ];
    for (const [r, path] of cases) {
      const err = await spied.save(r).catch((e) => e);
      expect(err).toBeInstanceOf(FlanksValidationError);
      expect(err.path).toBe(path);
    }
    expect(await spied.get('ct_\u0000')).toBeUndefined();
    expect(await spied.delete('ct_\ud800')).toBe(false);
    expect(seen).toEqual([]);
  });

  it('list() walks 2,500 records in keyset batches, each exactly once', async () => {
    await pool.query(`TRUNCATE ${schema}.credentials`);
    const tokens = new Set<string>();
    for (let batch = 0; batch < 25; batch++) {
      const records = Array.from({ length: 100 }, () => aRecord({ userId: `fleet-${batch % 7}` }));
      await Promise.all(records.map((r) => store.save(r)));
      for (const r of records) tokens.add(r.credentialsToken);
    }
    const queries: string[] = [];
    const spy: Queryable = {
      query: (text, values) => {
        queries.push(text);
        return pool.query(text, values);
      },
    };
    const listing = new PostgresCredentialStore({ pool: spy, table: `${schema}.credentials` });

    const started = performance.now();
    const pageSizes: number[] = [];
    const seen: string[] = [];
    for await (const page of listing.list({ batchSize: 300 }).pages()) {
      pageSizes.push(page.items.length);
      seen.push(...page.items.map((r) => r.credentialsToken));
    }
    const ms = performance.now() - started;

    expect(seen).toHaveLength(2500);
    expect(new Set(seen)).toEqual(tokens);
    expect(pageSizes).toEqual([300, 300, 300, 300, 300, 300, 300, 300, 100]);
    expect(queries).toHaveLength(9);
    expect(queries.every((q) => q.includes('WHERE seq > $1 ORDER BY seq'))).toBe(true);
    // The default batch (500) divides 2,500: the walk ends on one empty query, still once per record.
    let count = 0;
    for await (const _ of listing.list()) count++;
    expect(count).toBe(2500);
    console.info(`list(): 2,500 records in 9 batches of ≤300 in ${ms.toFixed(0)} ms`);
  });

  it('list() resumes from a saved cursor with a new store: every record once, none twice', async () => {
    await pool.query(`TRUNCATE ${schema}.credentials`);
    const records = Array.from({ length: 35 }, () =>
      aRecord({ credentialsToken: `ct_live_${randomBytes(16).toString('hex')}` }),
    );
    for (const r of records) await store.save(r);
    // An upsert keeps a record's place: re-saving one already walked past does not bring it back.
    await store.save({ ...records[3]!, extra: { resaved: true } });

    const { tokens, cursors } = await walkInTwoLives(
      (p) => new PostgresCredentialStore({ pool: p, table: `${schema}.credentials` }),
    );

    expect(tokens).toEqual(records.map((r) => r.credentialsToken));
    expect(cursors.slice(0, -1).every((c) => typeof c === 'string' && /^pg1\.\d+$/.test(c))).toBe(true);
    expect(cursors.at(-1)).toBeNull();
    expectNoSecret(cursors, tokens);
  });
});

describe('PostgresCredentialStore over a checked-out PoolClient', () => {
  const pool = new pg.Pool({ connectionString: postgresUrl, max: 2 });
  let client: pg.PoolClient;
  let schema: string;
  let store: PostgresCredentialStore;

  beforeAll(async () => {
    schema = await freshSchema();
    client = await pool.connect();
    store = new PostgresCredentialStore({ pool: client, table: `${schema}.credentials` });
    await store.migrate();
  });
  afterAll(async () => {
    client.release();
    await pool.end();
  });

  runCredentialStoreContract(
    async () => {
      await client.query(`TRUNCATE ${schema}.credentials`);
      return store;
    },
    { describe, it, name: 'CredentialStore contract (PoolClient)' },
  );

  it("takes part in the caller's transaction", async () => {
    const kept = aRecord();
    const rolledBack = aRecord();
    await client.query('BEGIN');
    await store.save(kept);
    await client.query('SAVEPOINT s');
    await store.save(rolledBack);
    await client.query('ROLLBACK TO SAVEPOINT s');
    await client.query('COMMIT');
    expect(await store.get(kept.credentialsToken)).toEqual(kept);
    expect(await store.get(rolledBack.credentialsToken)).toBeUndefined();
  });
});

describe('EncryptedCredentialStore over PostgresCredentialStore (the production setup)', () => {
  const pool = new pg.Pool({ connectionString: postgresUrl, max: 10 });
  const KEY = randomBytes(32).toString('base64');
  let schema: string;
  let store: EncryptedCredentialStore;

  beforeAll(async () => {
    schema = await freshSchema();
    const postgres = new PostgresCredentialStore({ pool, table: `${schema}.credentials` });
    await postgres.migrate();
    store = new EncryptedCredentialStore(postgres, { keys: { k1: KEY }, currentKeyId: 'k1' });
  });
  afterAll(() => pool.end());

  runCredentialStoreContract(
    async () => {
      await pool.query(`TRUNCATE ${schema}.credentials`);
      return store;
    },
    { describe, it, name: 'CredentialStore contract (encrypted, over PostgreSQL)' },
  );

  it('stores no credentials token, link token or extra in clear', async () => {
    await pool.query(`TRUNCATE ${schema}.credentials`);
    const r = aRecord({
      credentialsToken: SECRET_TOKEN,
      linkToken: 'lt_secret_link',
      extra: { iban: 'ES91 2100' },
    });
    await store.save(r);
    const { rows } = await pool.query(`SELECT * FROM ${schema}.credentials`);
    const dump = JSON.stringify(rows);
    for (const secret of [SECRET_TOKEN, 'lt_secret_link', 'ES91 2100']) expect(dump).not.toContain(secret);
    expect(rows[0].user_id).toBe(r.userId);
    expect(await store.get(SECRET_TOKEN)).toEqual(r);
  });

  it('list() resumes from a saved cursor with a new store: every record once, decrypted, none twice', async () => {
    await pool.query(`TRUNCATE ${schema}.credentials`);
    const records = Array.from({ length: 25 }, () =>
      aRecord({ credentialsToken: `ct_live_${randomBytes(16).toString('hex')}` }),
    );
    for (const r of records) await store.save(r);

    const { tokens, cursors } = await walkInTwoLives(
      (p) =>
        new EncryptedCredentialStore(
          new PostgresCredentialStore({ pool: p, table: `${schema}.credentials` }),
          {
            keys: { k1: KEY },
            currentKeyId: 'k1',
          },
        ),
    );

    expect(tokens).toEqual(records.map((r) => r.credentialsToken));
    expect(cursors).toEqual([expect.stringMatching(/^pg1\./), null]);
    expectNoSecret(cursors, tokens);
  });
});

describe('PostgresCredentialStore tables and migrations', () => {
  const pool = new pg.Pool({ connectionString: postgresUrl, max: 10 });
  afterAll(() => pool.end());

  async function tableExists(qualified: string): Promise<boolean> {
    const { rows } = await pool.query('SELECT to_regclass($1) IS NOT NULL AS found', [qualified]);
    return rows[0].found;
  }

  it('migrate() twice is harmless and keeps the rows', async () => {
    const schema = await freshSchema();
    const store = new PostgresCredentialStore({ pool, table: `${schema}.credentials` });
    await store.migrate();
    const r = aRecord();
    await store.save(r);
    await store.migrate();
    expect(await store.get(r.credentialsToken)).toEqual(r);
    const { rows } = await pool.query('SELECT indexname FROM pg_indexes WHERE schemaname = $1 ORDER BY 1', [
      schema,
    ]);
    expect(rows.map((i) => i.indexname)).toEqual([
      'credentials_pkey',
      'credentials_seq_idx',
      'credentials_user_id_idx',
    ]);
  });

  it('migrate() upgrades a table created by the previous version: its rows get a place in list()', async () => {
    const schema = await freshSchema();
    // The schema of the first version, before `seq`.
    await pool.query(`CREATE TABLE ${schema}.credentials (
  credentials_token text PRIMARY KEY,
  user_id text NOT NULL,
  created_at timestamptz,
  link_token text,
  external_id text,
  extra jsonb NOT NULL,
  record jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX credentials_user_id_idx ON ${schema}.credentials (user_id);`);
    const store = new PostgresCredentialStore({ pool, table: `${schema}.credentials` });
    const old = Array.from({ length: 7 }, () => aRecord());
    for (const r of old) await store.save(r);
    const before = await store
      .list()
      .toArray({ limit: 10 })
      .catch((e) => e);
    expect(before).toMatchObject({ name: 'FlanksStoreError', code: '42703' });
    expect(before.message).toMatch(/migrate\(\)/);

    await store.migrate();
    await store.migrate();
    const added = aRecord();
    await store.save(added);

    const listed = await store.list({ batchSize: 3 }).toArray({ limit: 100 });
    expect(listed.map((r) => r.credentialsToken).sort()).toEqual(
      [...old, added].map((r) => r.credentialsToken).sort(),
    );
    expect(listed.at(-1)).toEqual(added);
    const { rows } = await pool.query(
      `SELECT count(*)::int AS n, count(DISTINCT seq)::int AS distinct_seq FROM ${schema}.credentials`,
    );
    expect(rows[0]).toEqual({ n: 8, distinct_seq: 8 });
  });

  it('migrate() on an up-to-date table does not queue behind a reader (no exclusive lock)', async () => {
    const schema = await freshSchema();
    const store = new PostgresCredentialStore({ pool, table: `${schema}.credentials` });
    await store.migrate();
    // A transaction still reading the table holds ACCESS SHARE, which an ALTER TABLE would wait for.
    const reader = await pool.connect();
    const migrator = new pg.Client({ connectionString: postgresUrl });
    await migrator.connect();
    try {
      await reader.query(`BEGIN; SELECT count(*) FROM ${schema}.credentials`);
      // Fails at once, instead of waiting, if migrate() needs a lock the reader blocks.
      await migrator.query("SET lock_timeout = '1ms'");
      await new PostgresCredentialStore({ pool: migrator, table: `${schema}.credentials` }).migrate();
    } finally {
      await reader.query('ROLLBACK');
      reader.release();
      await migrator.end();
    }
  });

  it('migrate() from eight connections at once creates one table and no error', async () => {
    const schema = await freshSchema();
    const stores = Array.from(
      { length: 8 },
      () => new PostgresCredentialStore({ pool, table: `${schema}.raced` }),
    );
    await Promise.all(stores.map((s) => s.migrate()));
    expect(await tableExists(`${schema}.raced`)).toBe(true);
  });

  it('a schema-qualified name puts the table in that schema only', async () => {
    const schema = await freshSchema();
    const table = `t_${randomBytes(4).toString('hex')}`;
    const store = new PostgresCredentialStore({ pool, table: `${schema}.${table}` });
    await store.migrate();
    expect(await tableExists(`${schema}.${table}`)).toBe(true);
    expect(await tableExists(`public.${table}`)).toBe(false);
    const r = aRecord();
    await store.save(r);
    expect(await store.listByUser(r.userId)).toEqual([r]);
  });

  it('a reserved word is a valid table name: names are quoted', async () => {
    const schema = await freshSchema();
    const store = new PostgresCredentialStore({ pool, table: `${schema}.user` });
    await store.migrate();
    const r = aRecord();
    await store.save(r);
    expect(await store.get(r.credentialsToken)).toEqual(r);
  });

  it('a missing schema or table is a FlanksStoreError that says what to do', async () => {
    const store = new PostgresCredentialStore({ pool, table: 'no_such_schema_x.credentials' });
    const noSchema = await store.migrate().catch((e) => e);
    expect(noSchema).toBeInstanceOf(FlanksStoreError);
    expect(noSchema).toMatchObject({ code: '3F000', operation: 'migrate' });
    expect(noSchema.message).toMatch(/CREATE SCHEMA/);

    const noTable = await new PostgresCredentialStore({ pool, table: 'never_migrated' })
      .get(SECRET_TOKEN)
      .catch((e) => e);
    expect(noTable).toBeInstanceOf(FlanksError);
    expect(noTable).toMatchObject({ name: 'FlanksStoreError', code: '42P01', operation: 'get' });
    expect(noTable.message).toMatch(/never_migrated.*migrate\(\)/);
    expectNoSecret(noTable, [SECRET_TOKEN]);
  });
});

describe('PostgresCredentialStore keeps secrets out of errors and output', () => {
  const pool = new pg.Pool({ connectionString: postgresUrl, max: 4 });
  let schema: string;
  afterAll(() => pool.end());
  beforeAll(async () => {
    schema = await freshSchema();
  });

  it('a database message quoting the token, and details quoting the row, never reach the error', async () => {
    const store = new PostgresCredentialStore({ pool, table: `${schema}.guarded` });
    await store.migrate();
    // A trigger that quotes the token in its message and the whole row in its detail and hint.
    await pool.query(`
      CREATE FUNCTION ${schema}.refuse() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'refused %', NEW.credentials_token USING DETAIL = NEW.record::text, HINT = NEW.link_token;
      END $$;
      CREATE TRIGGER refuse BEFORE INSERT ON ${schema}.guarded FOR EACH ROW EXECUTE FUNCTION ${schema}.refuse();`);
    const r = aRecord({ credentialsToken: SECRET_TOKEN, linkToken: 'lt_secret_link_9c1d' });
    const err = await store.save(r).catch((e) => e);
    expect(err).toBeInstanceOf(FlanksStoreError);
    expect(err).toMatchObject({ code: 'P0001', operation: 'save' });
    expect(err.message).toContain('refused [REDACTED]');
    expect(err.cause).toBeUndefined();
    expectNoSecret(err, [SECRET_TOKEN, 'lt_secret_link_9c1d']);
  });

  it('get() and delete() errors that quote the looked-up token are scrubbed', async () => {
    // A table someone created with the wrong column type: PostgreSQL quotes the bad input back.
    await pool.query(
      `CREATE TABLE ${schema}.wrong (credentials_token integer PRIMARY KEY, user_id text, record jsonb)`,
    );
    const store = new PostgresCredentialStore({ pool, table: `${schema}.wrong` });
    const direct = await pool
      .query(`SELECT 1 FROM ${schema}.wrong WHERE credentials_token = $1`, [SECRET_TOKEN])
      .catch((e) => e);
    expect(direct.message).toContain(SECRET_TOKEN); // what pg alone would put in a log
    for (const call of [() => store.get(SECRET_TOKEN), () => store.delete(SECRET_TOKEN)]) {
      const err = await call().catch((e) => e);
      expect(err).toBeInstanceOf(FlanksStoreError);
      expect(err.code).toBe('22P02');
      expect(err.message).toContain('invalid input syntax for type integer: "[REDACTED]"');
      expectNoSecret(err, [SECRET_TOKEN]);
    }
  });

  it('a database it cannot reach is a FlanksStoreError with the driver code', async () => {
    const closed = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:1/postgres', max: 1 });
    const err = await new PostgresCredentialStore({ pool: closed, table: 'x' })
      .get(SECRET_TOKEN)
      .catch((e) => e);
    await closed.end();
    expect(err).toBeInstanceOf(FlanksStoreError);
    expect(err.code).toBe('ECONNREFUSED');
    expectNoSecret(err, [SECRET_TOKEN]);
  });

  it('a corrupt row is a FlanksValidationError naming the column, never a raw schema error', async () => {
    const store = new PostgresCredentialStore({ pool, table: `${schema}.corrupt` });
    await store.migrate();
    const r = aRecord({ credentialsToken: SECRET_TOKEN, userId: 'corrupt-user' });
    const table = `${schema}.corrupt`;
    const cases: Array<[string, string]> = [
      [`UPDATE ${table} SET record = jsonb_set(record, '{userId}', '5')`, 'record.userId'],
      [`UPDATE ${table} SET record = '"just text"'`, 'record'],
      [`UPDATE ${table} SET record = record - 'extra'`, 'record.extra'],
      [`UPDATE ${table} SET user_id = 'someone-else'`, 'user_id'],
      [`UPDATE ${table} SET credentials_token = 'ct_other'`, 'credentials_token'],
    ];
    for (const [corrupt, path] of cases) {
      await pool.query(`TRUNCATE ${table}`);
      await store.save(r);
      await pool.query(corrupt);
      const reads = [
        () => store.get(path === 'credentials_token' ? 'ct_other' : SECRET_TOKEN),
        () => store.listByUser(path === 'user_id' ? 'someone-else' : 'corrupt-user'),
        () => store.list().toArray({ limit: 10 }),
      ];
      for (const read of reads) {
        const err = await read().catch((e) => e);
        expect(err, corrupt).toBeInstanceOf(FlanksValidationError);
        expect(err.path, corrupt).toBe(path);
        expect(err.message).toMatch(new RegExp(`column ${path.split('.')[0]}`));
        expectNoSecret(err, [SECRET_TOKEN]);
      }
    }
  });
});

// Cross-process races: each worker is a separate Node process with its own pg Pool.
const WORKER = fileURLToPath(new URL('./fixtures/postgres-race-worker.ts', import.meta.url));

interface Worker {
  ready: Promise<void>;
  outcome: Promise<RaceOutcome>;
  child: ChildProcessByStdio<Writable, Readable, Readable>;
}

function startWorker(job: RaceJob): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify(job)], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, FLANKS_STATE_SECRET: '', FLANKS_CLIENT_ID: '', FLANKS_CLIENT_SECRET: '' },
  });
  let out = '';
  let err = '';
  let onReady: () => void;
  const ready = new Promise<void>((resolve) => {
    onReady = resolve;
  });
  child.stderr.on('data', (chunk) => {
    err += chunk;
  });
  child.stdout.on('data', (chunk) => {
    out += chunk;
    if (out.startsWith('ready\n')) onReady();
  });
  const outcome = new Promise<RaceOutcome>((resolve, reject) => {
    child.on('exit', (code) => {
      const line = out.split('\n')[1];
      if (code === 0 && line) resolve(JSON.parse(line));
      else reject(new Error(`worker ${job.writer} exited ${code}: ${out}\n${err}`));
    });
  });
  return { ready, outcome, child };
}

describe('PostgresCredentialStore across processes', () => {
  const pool = new pg.Pool({ connectionString: postgresUrl, max: 4 });
  let schema: string;
  afterAll(() => pool.end());
  beforeAll(async () => {
    schema = await freshSchema();
  });

  it('two processes saving one token at the same moment leave exactly one row', async () => {
    const table = `${schema}.race_save`;
    await new PostgresCredentialStore({ pool, table }).migrate();
    const job = {
      mode: 'save',
      postgresUrl,
      table,
      credentialsToken: SECRET_TOKEN,
      userId: 'race-user',
    } as const;
    const workers = [startWorker({ ...job, writer: 1 }), startWorker({ ...job, writer: 2 })];
    await Promise.all(workers.map((w) => w.ready));

    // Hold the table so both INSERTs must queue behind the lock, then release them together: the
    // test sees both statements in flight at once instead of hoping the processes overlap.
    const gate = await pool.connect();
    await gate.query('BEGIN');
    await gate.query(`LOCK TABLE ${table} IN SHARE MODE`);
    for (const w of workers) w.child.stdin.write('go\n');
    const relation = await gate.query(`SELECT $1::regclass::oid AS oid`, [table]);
    for (;;) {
      const { rows } = await gate.query(
        'SELECT count(*)::int AS waiting FROM pg_locks WHERE relation = $1 AND NOT granted',
        [relation.rows[0].oid],
      );
      if (rows[0].waiting === 2) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    await gate.query('COMMIT');
    gate.release();

    const outcomes = await Promise.all(workers.map((w) => w.outcome));
    expect(outcomes).toEqual([
      { ok: true, credentialsToken: SECRET_TOKEN },
      { ok: true, credentialsToken: SECRET_TOKEN },
    ]);
    const { rows } = await pool.query(`SELECT record FROM ${table}`);
    expect(rows).toHaveLength(1);
    expect([1, 2]).toContain(rows[0].record.extra.writer);
  });

  it.each([
    { cache: false, table: 'race_link' },
    { cache: true, table: 'race_link_cached' },
  ])(
    'two processes completing the same link code: one row, and the loser gets a typed FlanksError (shared token cache: $cache)',
    async ({ cache, table: name }) => {
      const table = `${schema}.${name}`;
      await new PostgresCredentialStore({ pool, table }).migrate();
      const running = await startSandbox({ pendingPolls: 0 });
      try {
        // The Link URL the app would have built for race-user: its signed state comes back with the code.
        const linkUrl = new URL(
          new FlanksClient({
            clientId: SANDBOX_CLIENT_ID,
            clientSecret: SANDBOX_CLIENT_SECRET,
          }).links.buildUrl({
            token: running.sandbox.defaultLink.token,
            userId: 'race-user',
          }),
        );
        const issued = running.sandbox.connect({
          params: { external_id: 'race-user', state: linkUrl.searchParams.get('state')! },
        });
        if (!('code' in issued)) throw new Error(`the sandbox issued no code: ${issued.error}`);
        const job = {
          mode: 'complete',
          postgresUrl,
          table,
          sandboxUrl: running.url,
          code: issued.code,
          userId: 'race-user',
          redisUrl: cache ? inject('redisUrl') : undefined,
        } as const;
        const workers = [startWorker({ ...job, writer: 1 }), startWorker({ ...job, writer: 2 })];
        await Promise.all(workers.map((w) => w.ready));
        for (const w of workers) w.child.stdin.write('go\n');
        const outcomes = await Promise.all(workers.map((w) => w.outcome));

        // The code is single-use, so exactly one exchange succeeds. Without a shared token cache the
        // loser's error depends on the interleaving: usually 400 "Invalid code" (FlanksLinkCodeError);
        // but both processes share one client id and a new access token revokes the previous one (the
        // legacy rule the sandbox keeps), so a loser whose token was revoked, and whose one replay was
        // revoked again, gets FlanksAuthError. With the shared cache both hold one token: always the 400.
        const winners = outcomes.filter((o) => o.ok);
        const losers = outcomes.filter((o) => !o.ok);
        expect(winners).toHaveLength(1);
        expect(losers).toHaveLength(1);
        expect(losers[0]).toMatchObject({ isFlanksError: true });
        expect(
          cache
            ? [{ name: 'FlanksLinkCodeError', status: 400 }]
            : [
                { name: 'FlanksLinkCodeError', status: 400 },
                { name: 'FlanksAuthError', status: 401 },
              ],
        ).toContainEqual({ name: losers[0]!.name, status: losers[0]!.status });
        if (cache) expect(running.sandbox.stats.tokenRequests).toBe(1);
        expect(JSON.stringify(losers)).not.toContain(issued.code);
        const exchanges = running.sandbox.requests.filter((r) => r.path === '/v0/platform/link');
        expect(exchanges.length).toBeGreaterThanOrEqual(2);
        console.info(
          `link race: loser got ${losers[0]!.name} ${losers[0]!.status} after ${exchanges.length} exchanges`,
        );

        const { rows } = await pool.query(`SELECT credentials_token, user_id, external_id FROM ${table}`);
        expect(rows).toEqual([
          {
            credentials_token: winners[0]!.ok && winners[0]!.credentialsToken,
            user_id: 'race-user',
            external_id: 'race-user',
          },
        ]);
      } finally {
        await running.close();
      }
    },
  );
});
