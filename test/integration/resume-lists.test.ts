import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FlanksClient, type Paginator } from '../../src';
import {
  createFlanksHandlers,
  FlanksSandbox,
  SANDBOX_CLIENT_ID,
  SANDBOX_CLIENT_SECRET,
} from '../../src/testing';
import { spyLogger } from '../helpers';
import { readPages } from '../pages';

// Resumable lists against the sandbox (msw at the network layer): a job reads two pages, keeps the
// last page's cursor and stops (its client is dropped); a new client given that cursor finishes the
// list. Together they must see every item once and none twice, for a page-numbered list and for the
// cursor lists of the newer APIs, filters included.

const sandbox = new FlanksSandbox({ seed: 14, pageSize: 4 });
const server = setupServer(...(await createFlanksHandlers(sandbox)));

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
beforeEach(() => sandbox.reset());
afterAll(() => server.close());

function client(): FlanksClient {
  return new FlanksClient({
    clientId: SANDBOX_CLIENT_ID,
    clientSecret: SANDBOX_CLIENT_SECRET,
    validation: 'strict',
    logger: spyLogger(),
  });
}

/** Two pages from one client, then the rest from a new client resumed at the second page's cursor. */
async function readInTwoLives<T, C>(list: (flanks: FlanksClient, cursor?: C) => Paginator<T, C>) {
  const { items, cursor } = await readPages(list(client()), 2);
  expect(cursor).not.toBeNull();
  const rest = await list(client(), cursor!).toArray({ limit: 10_000 });
  return { items: [...items, ...rest], cursor };
}

describe('resuming a list from a saved cursor with a new client', () => {
  it('credentials.list: every credential once', async () => {
    const tokens = Array.from({ length: 11 }, () => sandbox.createCredential({ pendingPolls: 0 }));
    const { items, cursor } = await readInTwoLives((f, c?: number) => f.credentials.list({ cursor: c }));
    expect(cursor).toBe(3);
    expect(items.map((c) => c.credentials_token)).toEqual(tokens);
  });

  it('aggregationV2.listTransactions with a query: every matching transaction once', async () => {
    const [token] = [
      sandbox.createCredential({ pendingPolls: 0 }),
      sandbox.createCredential({ pendingPolls: 0 }),
    ];
    const query = { connection_id_in: [token!], date_from: '2000-01-01' };
    const all = await client().aggregationV2.listTransactions({ query }).toArray({ limit: 10_000 });
    expect(all.length).toBeGreaterThan(8);

    const { items } = await readInTwoLives((f, c?: string) =>
      f.aggregationV2.listTransactions({ query, cursor: c }),
    );
    expect(items.map((t) => t.transaction_id)).toEqual(all.map((t) => t.transaction_id));
    expect(new Set(items.map((t) => t.transaction_id)).size).toBe(items.length);
    expect(items.every((t) => t.connection_id === token)).toBe(true);
  });

  it('connect.listConnectors: every connector once', async () => {
    const all = await client().connect.listConnectors().toArray({ limit: 10_000 });
    const { items } = await readInTwoLives((f, c?: string) => f.connect.listConnectors({ cursor: c }));
    expect(items).toEqual(all);
  });
});
