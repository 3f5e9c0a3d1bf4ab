import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningSandbox, SANDBOX_CLIENT_ID, startSandbox } from '../../src/testing';
import { type ApiClient, apiClient, type Json } from './helpers';

let now = Date.parse('2026-03-15T10:00:00Z');
let running: RunningSandbox;
let api: ApiClient;

beforeAll(async () => {
  running = await startSandbox({
    clock: () => now,
    clients: [
      { clientId: SANDBOX_CLIENT_ID, clientSecret: 'sandbox-client-secret' },
      { clientId: 'other-app', clientSecret: 'other-secret' },
    ],
  });
});
afterAll(() => running.close());
beforeEach(async () => {
  now = Date.parse('2026-03-15T10:00:00Z');
  running.sandbox.reset();
  api = apiClient(running.url);
  await api.token();
});
afterEach(() => running.sandbox.reset());

function newCredential(password?: string, extra?: Record<string, string>): Promise<string> {
  const result = running.sandbox.connect({ password, params: extra });
  if (!('code' in result)) throw new Error(result.error);
  return api.exchange(result.code);
}

describe('POST /v0/token', () => {
  it('issues a bearer token', async () => {
    const result = await api.call('POST', '/v0/token', {
      client_id: SANDBOX_CLIENT_ID,
      client_secret: 'sandbox-client-secret',
      grant_type: 'client_credentials',
    });
    expect(result.status).toBe(200);
    expect(result.headers.get('content-type')).toBe('application/json');
    expect(result.body).toEqual({
      access_token: expect.any(String),
      expires_in: 3600,
      token_type: 'Bearer',
      scope: expect.any(String),
    });
  });

  it.each([
    [
      'a wrong secret',
      { client_id: SANDBOX_CLIENT_ID, client_secret: 'nope', grant_type: 'client_credentials' },
    ],
    [
      'an unknown client',
      { client_id: 'ghost', client_secret: 'sandbox-client-secret', grant_type: 'client_credentials' },
    ],
    [
      'a wrong grant',
      { client_id: SANDBOX_CLIENT_ID, client_secret: 'sandbox-client-secret', grant_type: 'password' },
    ],
  ])('answers 403 access_denied for %s', async (_, body) => {
    const result = await api.call('POST', '/v0/token', body);
    expect(result).toMatchObject({ status: 403, body: { error: 'access_denied' } });
  });

  it('revokes the previous token of the same client only', async () => {
    const first = await api.token();
    const otherApp = apiClient(running.url);
    const otherToken = await otherApp.token('other-app', 'other-secret');
    const second = await api.token();
    expect(second).not.toBe(first);
    expect((await api.call('GET', '/v0/bank/available', undefined, first)).status).toBe(401);
    expect((await api.call('GET', '/v0/bank/available', undefined, second)).status).toBe(200);
    expect((await api.call('GET', '/v0/bank/available', undefined, otherToken)).status).toBe(200);
    expect(running.sandbox.stats.tokenRequests).toBe(4); // beforeEach's token, then three here
  });

  it('expires tokens after expires_in seconds of clock time and on expireTokens()', async () => {
    now += 3599_000;
    expect((await api.call('GET', '/v0/bank/available')).status).toBe(200);
    now += 1000;
    expect(await api.call('GET', '/v0/bank/available')).toMatchObject({
      status: 401,
      body: { error: 'Invalid credentials' },
    });
    await api.token();
    running.sandbox.expireTokens();
    expect((await api.call('GET', '/v0/bank/available')).status).toBe(401);
  });

  it('answers 401 without a bearer token', async () => {
    const result = await api.call('POST', '/v0/links/list-links', {}, 'not-a-token');
    expect(result).toMatchObject({ status: 401, body: { error: 'Invalid credentials' } });
    expect((await fetch(`${running.url}/v0/links/list-links`, { method: 'POST' })).status).toBe(401);
  });
});

describe('request handling', () => {
  it('answers 404 for unknown paths, 405 for wrong methods and 400 for bad JSON', async () => {
    expect((await api.call('POST', '/v0/nothing-here')).status).toBe(404);
    expect(await api.call('GET', '/v0/bank/credentials/status')).toMatchObject({
      status: 405,
      body: { error: 'Method not allowed' },
    });
    const bad = await fetch(`${running.url}/v0/bank/credentials/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await api.token()}` },
      body: '{"credentials_token":',
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'Invalid JSON body' });
  });

  it('reports missing fields', async () => {
    expect(await api.post('/v0/bank/credentials/status', {})).toMatchObject({
      status: 400,
      body: { error: 'Missing fields: credentials_token' },
    });
  });

  it('logs requests with their bodies and counts them per path', async () => {
    await api.post('/v0/bank/credentials/list', { page: 1 });
    await api.post('/v0/bank/credentials/list', { page: 1 });
    expect(running.sandbox.stats.requests['/v0/bank/credentials/list']).toBe(2);
    const last = running.sandbox.requests.at(-1);
    expect(last).toMatchObject({ method: 'POST', path: '/v0/bank/credentials/list', body: { page: 1 } });
    expect(last?.authorization).toMatch(/^Bearer /);
  });
});

describe('Links API', () => {
  it('lists the default link', async () => {
    const result = await api.post('/v0/links/list-links');
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ success: true, count: 1, items: [running.sandbox.defaultLink] });
    expect(running.sandbox.defaultLink).toEqual({
      token: expect.any(String),
      name: 'Default link',
      redirect_uri: 'http://localhost:3000/flanks/callback',
      company_name: 'Sandbox Company',
      terms_and_conditions_url: null,
      privacy_policy_url: null,
      active: true,
      pending_code_count: 0,
    });
  });

  it('validates create-link', async () => {
    const missing = await api.post('/v0/links/create-link', { name: 'x' });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({
      success: false,
      error: { code: 'ValidationError', details: [{ error_type: 'missing', field: 'redirect_uri' }] },
      trace_id: expect.any(String),
    });
    const invalid = await api.post('/v0/links/create-link', {
      redirect_uri: 'not a url',
      privacy_policy_url: 'ftp://x',
    });
    expect(invalid.body.error.details).toEqual([
      { error_type: 'invalid_url', field: 'redirect_uri' },
      { error_type: 'invalid_url', field: 'privacy_policy_url' },
    ]);
  });

  it('creates, edits, pauses, resumes and deletes links', async () => {
    const created = await api.post('/v0/links/create-link', {
      redirect_uri: 'https://app.example.com/callback',
      name: 'Onboarding',
      company_name: 'Acme Wealth',
      terms_and_conditions_url: 'https://app.example.com/terms',
    });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({
      success: true,
      data: {
        token: expect.any(String),
        name: 'Onboarding',
        redirect_uri: 'https://app.example.com/callback',
        company_name: 'Acme Wealth',
        terms_and_conditions_url: 'https://app.example.com/terms',
        privacy_policy_url: null,
        active: true,
        pending_code_count: 0,
      },
    });
    const token = created.body.data.token;

    const duplicate = await api.post('/v0/links/create-link', {
      redirect_uri: 'https://x.example',
      name: 'Onboarding',
    });
    expect(duplicate).toMatchObject({
      status: 400,
      body: { success: false, error: { code: 'DuplicatedName' } },
    });

    const unnamed = await api.post('/v0/links/create-link', { redirect_uri: 'https://x.example' });
    expect(unnamed.body.data.name).toBe(unnamed.body.data.token);

    const edited = await api.post('/v0/links/edit-link', {
      token,
      name: 'Renamed',
      terms_and_conditions_url: null,
    });
    expect(edited.body.data).toMatchObject({
      name: 'Renamed',
      terms_and_conditions_url: null,
      company_name: 'Acme Wealth',
    });

    expect((await api.post('/v0/links/pause-link', { token })).body.data.active).toBe(false);
    expect((await api.post('/v0/links/resume-link', { token })).body.data.active).toBe(true);

    expect((await api.post('/v0/links/list-links')).body.count).toBe(3);
    expect(await api.post('/v0/links/delete-link', { token })).toMatchObject({
      status: 200,
      body: { success: true },
    });
    expect(await api.post('/v0/links/edit-link', { token, name: 'Again' })).toMatchObject({
      status: 400,
      body: { error: 'Invalid token' },
    });
  });

  it('refuses to delete a link with pending codes', async () => {
    const { token } = running.sandbox.defaultLink;
    const result = running.sandbox.connect();
    expect(running.sandbox.defaultLink.pending_code_count).toBe(1);
    expect(await api.post('/v0/links/delete-link', { token })).toMatchObject({
      status: 400,
      body: { success: false, error: { code: 'LinkHasPendingCodes' } },
    });
    if ('code' in result) await api.exchange(result.code);
    expect((await api.post('/v0/links/delete-link', { token })).status).toBe(200);
  });

  it('hides links of other applications', async () => {
    const other = apiClient(running.url);
    await other.token('other-app', 'other-secret');
    const list = await other.post('/v0/links/list-links');
    expect(list.body.items.map((l: Json) => l.token)).not.toContain(running.sandbox.defaultLink.token);
    expect(
      (await other.post('/v0/links/pause-link', { token: running.sandbox.defaultLink.token })).status,
    ).toBe(400);
  });
});

describe('link codes', () => {
  it('lists unused codes and exchanges each exactly once', async () => {
    const result = running.sandbox.connect({ params: { external_id: 'user-42', campaign: 'spring' } });
    if (!('code' in result)) throw new Error(result.error);
    const linkToken = running.sandbox.defaultLink.token;
    const unused = await api.call('GET', `/v0/platform/link?link_token=${linkToken}`);
    expect(unused.body).toEqual([
      { code: result.code, extra: { external_id: 'user-42', campaign: 'spring' }, link_token: linkToken },
    ]);
    const exchanged = await api.post('/v0/platform/link', { code: result.code });
    expect(exchanged).toMatchObject({
      status: 200,
      body: {
        credentials_token: expect.any(String),
        message: 'Successfully retrieved',
        extra: { external_id: 'user-42', campaign: 'spring' },
        link_token: linkToken,
      },
    });
    expect(await api.post('/v0/platform/link', { code: result.code })).toMatchObject({
      status: 400,
      body: { error: 'Invalid code' },
    });
    expect((await api.call('GET', '/v0/platform/link')).body).toEqual([]);
  });

  it('answers 202 for SANDBOX_DELAYED and keeps the code unused', async () => {
    const result = running.sandbox.connect({ password: 'SANDBOX_DELAYED' });
    if (!('code' in result)) throw new Error(result.error);
    const delayed = await api.post('/v0/platform/link', { code: result.code });
    expect(delayed).toMatchObject({
      status: 202,
      body: { message: 'Credentials token will be available later' },
    });
    expect((await api.call('GET', '/v0/platform/link')).body).toHaveLength(1);
  });

  it('does not exchange codes of another application', async () => {
    const result = running.sandbox.connect();
    if (!('code' in result)) throw new Error(result.error);
    const other = apiClient(running.url);
    await other.token('other-app', 'other-secret');
    expect((await other.post('/v0/platform/link', { code: result.code })).status).toBe(400);
  });
});

describe('credentials status lifecycle', () => {
  it('stays pending for two polls while created flags fill in, then settles', async () => {
    const token = await newCredential();
    const polls: Json[] = [];
    for (let i = 0; i < 3; i++) {
      polls.push((await api.post('/v0/bank/credentials/status', { credentials_token: token })).body);
    }
    expect(polls.map((s) => s.pending)).toEqual([true, true, false]);
    expect(polls[0].created.product).toMatchObject({
      auth: true,
      account: true,
      portfolio: true,
      card: false,
    });
    expect(Object.values(polls[0].created.transactions)).toEqual([false, false, false, false]);
    const countTrue = (s: Json) =>
      [...Object.values(s.created.product), ...Object.values(s.created.transactions)].filter(Boolean).length;
    expect(polls.map(countTrue)).toEqual([3, 7, 11]);
    expect(polls[2]).toEqual({
      pending: false,
      blocked: false,
      reset_token: null,
      last_transaction_date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      sca_token: null,
      transaction_token: null,
      name: 'testbank',
      last_update: '2026-03-15',
      time: '10:00',
      last_update_timestamp: Math.floor(now / 1000),
      created_at_timestamp: Math.floor(now / 1000),
      errored: {
        product: {
          auth: false,
          account: false,
          card: false,
          portfolio: false,
          investment: false,
          liability: false,
          holders: false,
        },
        transactions: { account: false, card: false, investment: false, liability: false },
      },
      created: {
        product: {
          auth: true,
          account: true,
          card: true,
          portfolio: true,
          investment: true,
          liability: true,
          holders: true,
        },
        transactions: { account: true, card: true, investment: true, liability: true },
      },
    });
  });

  it('flags the account data error of DATA_ERROR_PRODUCT_ACCOUNT', async () => {
    const status = await api.settle(await newCredential('DATA_ERROR_PRODUCT_ACCOUNT'));
    expect(status.errored.product.account).toBe(true);
    expect(status.errored.transactions.account).toBe(true);
    expect(status.errored.product.portfolio).toBe(false);
  });

  it('blocks SANDBOX_BLOCKED credentials once pending ends', async () => {
    const token = await newCredential('SANDBOX_BLOCKED');
    const first = await api.post('/v0/bank/credentials/status', { credentials_token: token });
    expect(first.body).toMatchObject({ pending: true, blocked: false, reset_token: null });
    const settled = await api.settle(token);
    expect(settled).toMatchObject({ blocked: true, reset_token: expect.any(String) });
  });

  it('follows clock time with pendingMs', async () => {
    const timed = await startSandbox({ pendingMs: 10_000, clock: () => now });
    try {
      const client = apiClient(timed.url);
      await client.token();
      const token = timed.sandbox.createCredential();
      const status = () => client.post('/v0/bank/credentials/status', { credentials_token: token });
      expect((await status()).body.pending).toBe(true);
      expect((await status()).body.pending).toBe(true);
      now += 5_000;
      expect((await status()).body.created.product.investment).toBe(true);
      now += 5_000;
      expect((await status()).body).toMatchObject({
        pending: false,
        last_update_timestamp: Math.floor(now / 1000),
      });
    } finally {
      await timed.close();
    }
  });

  it('reflects stayPending, block and requireSca', async () => {
    const token = running.sandbox.createCredential({ pendingPolls: 0 });
    expect((await api.post('/v0/bank/credentials/status', { credentials_token: token })).body.pending).toBe(
      false,
    );
    running.sandbox.stayPending(token, 3);
    for (let i = 0; i < 3; i++) {
      expect((await api.post('/v0/bank/credentials/status', { credentials_token: token })).body.pending).toBe(
        true,
      );
    }
    expect((await api.post('/v0/bank/credentials/status', { credentials_token: token })).body.pending).toBe(
      false,
    );
    running.sandbox.block(token);
    running.sandbox.requireSca(token);
    const status = await api.post('/v0/bank/credentials/status', { credentials_token: token });
    expect(status.body).toMatchObject({
      blocked: true,
      reset_token: expect.any(String),
      sca_token: expect.any(String),
    });
    expect(() => running.sandbox.block('unknown')).toThrow(
      expect.objectContaining({ name: 'FlanksValidationError', path: 'credentialsToken' }),
    );
  });

  it('can spell the transaction key in the singular', async () => {
    const singular = await startSandbox({ statusTransactionKey: 'transaction', pendingPolls: 0 });
    try {
      const client = apiClient(singular.url);
      await client.token();
      const token = singular.sandbox.createCredential();
      const status = await client.post('/v0/bank/credentials/status', { credentials_token: token });
      expect(status.body.created.transaction).toEqual({
        account: true,
        card: true,
        investment: true,
        liability: true,
      });
      expect(status.body.created.transactions).toBeUndefined();
    } finally {
      await singular.close();
    }
  });

  it('answers 400 for unknown credentials tokens', async () => {
    expect(await api.post('/v0/bank/credentials/status', { credentials_token: 'nope' })).toMatchObject({
      status: 400,
      body: { error: 'Invalid credentials_token' },
    });
  });
});

describe('force, delete and list', () => {
  it.each(['sca', 'reset', 'transaction'] as const)('forces a %s token', async (force) => {
    const token = running.sandbox.createCredential({ pendingPolls: 0 });
    const forced = await api.call('PUT', '/v0/bank/credentials/status', { credentials_token: token, force });
    expect(forced.status).toBe(200);
    const key = `${force}_token`;
    expect(forced.body).toEqual({ [key]: expect.any(String) });
    const again = await api.call('PUT', '/v0/bank/credentials/status', { credentials_token: token, force });
    expect(again.body[key]).toBe(forced.body[key]);
    const status = await api.post('/v0/bank/credentials/status', { credentials_token: token });
    expect(status.body[key]).toBe(forced.body[key]);
  });

  it('rejects an unknown force value', async () => {
    const token = running.sandbox.createCredential();
    expect(
      await api.call('PUT', '/v0/bank/credentials/status', { credentials_token: token, force: 'everything' }),
    ).toMatchObject({ status: 400, body: { error: 'Invalid force' } });
  });

  it('deletes credentials', async () => {
    const token = await newCredential();
    const deleted = await api.call('DELETE', '/v0/bank/credentials', { credentials_token: token });
    expect(deleted).toMatchObject({ status: 200, body: { message: 'Credentials deleted' } });
    expect((await api.post('/v0/bank/credentials/status', { credentials_token: token })).status).toBe(400);
    expect((await api.call('DELETE', '/v0/bank/credentials', { credentials_token: token })).status).toBe(400);
  });

  it('paginates the list of credentials', async () => {
    const small = await startSandbox({ pageSize: 2, pendingPolls: 0 });
    try {
      const client = apiClient(small.url);
      await client.token();
      const tokens = ['a', 'b', 'c', 'd', 'e'].map((externalId) =>
        small.sandbox.createCredential({ externalId }),
      );
      small.sandbox.block(tokens[1] ?? '');
      const pages = await Promise.all(
        [1, 2, 3, 4].map((page) => client.post('/v0/bank/credentials/list', { page })),
      );
      expect(pages.map((p) => [p.body.page, p.body.pages, p.body.items.length])).toEqual([
        [1, 3, 2],
        [2, 3, 2],
        [3, 3, 1],
        [4, 3, 0],
      ]);
      expect(pages[0]?.body.items).toEqual([
        { credentials_token: tokens[0], external_id: 'a', bank: 'testbank', status: 'ok' },
        { credentials_token: tokens[1], external_id: 'b', bank: 'testbank', status: 'blocked' },
      ]);
      expect((await client.post('/v0/bank/credentials/list', { page: 0 })).status).toBe(400);
      expect((await client.post('/v0/bank/credentials/list', {})).body.page).toBe(1);
    } finally {
      await small.close();
    }
  });
});

describe('GET /v0/bank/available', () => {
  it('lists TestBank and Spanish banks', async () => {
    const result = await api.call('GET', '/v0/bank/available');
    expect(result.status).toBe(200);
    expect(result.body.length).toBeGreaterThanOrEqual(9);
    expect(result.body[0]).toEqual({
      id: 'testbank',
      name: 'TestBank',
      country: 'ES',
      logo_url: `${running.linkBaseUrl}/logos/testbank.svg`,
    });
    const logo = await fetch(result.body[1].logo_url);
    expect(logo.headers.get('content-type')).toBe('image/svg+xml');
    expect(await logo.text()).toContain('<svg');
  });
});
