import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningSandbox, SANDBOX_CLIENT_ID, startSandbox } from '../../src/testing';
import {
  type ApiClient,
  type ApiResult,
  apiClient,
  errorText,
  inputValue,
  type Json,
  postForm,
} from './helpers';

// The sandbox's newer APIs over real HTTP: Connect v2 sessions and the Connect widget, Aggregation
// v2 and Report v1. Small pages (3 items) so every list spans several pages.

const NOW = Date.parse('2026-03-15T10:00:00Z');
let running: RunningSandbox;
let api: ApiClient;
let callback: Server;
let callbackUrl: string;

beforeAll(async () => {
  callback = createServer((_req, res) => res.writeHead(200).end('back'));
  await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve));
  callbackUrl = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/flanks/connect`;
  running = await startSandbox({
    clock: () => NOW,
    seed: 5,
    pageSize: 3,
    pendingPolls: 0,
    defaultRedirectUri: callbackUrl,
    clients: [
      { clientId: SANDBOX_CLIENT_ID, clientSecret: 'sandbox-client-secret' },
      { clientId: 'other-app', clientSecret: 'other-secret' },
    ],
  });
  api = apiClient(running.url);
});
afterAll(async () => {
  await running.close();
  callback.closeAllConnections();
  await new Promise((resolve) => callback.close(resolve));
});
beforeEach(async () => {
  running.sandbox.reset();
  await api.token();
});

async function createSession(configuration: Record<string, unknown> = {}): Promise<Json> {
  const result = await api.post('/connect/v2/sessions/create-session', { configuration });
  expect(result.status).toBe(200);
  return result.body.session;
}

async function readSession(sessionId: string): Promise<Json> {
  const result = await api.post('/connect/v2/sessions/list-sessions', {
    query: { session_id_in: [sessionId] },
  });
  expect(result.status).toBe(200);
  expect(result.body.items).toHaveLength(1);
  return result.body.items[0];
}

/** Reads until the session is finished; returns the statuses seen. */
async function settleSession(sessionId: string): Promise<{ statuses: string[]; session: Json }> {
  const statuses: string[] = [];
  for (let i = 0; i < 5; i++) {
    const session = await readSession(sessionId);
    statuses.push(session.status);
    if (session.status.startsWith('Finished:')) return { statuses, session };
  }
  throw new Error(`session never finished: ${statuses.join(', ')}`);
}

/** Opens the widget on TestBank and submits the login form; returns the raw response. */
async function login(session: Json, password: string, username = 'maria'): Promise<Response> {
  const pageUrl = new URL(session.url);
  pageUrl.searchParams.set('bank', 'testbank');
  const html = await (await fetch(pageUrl)).text();
  return postForm(`${running.linkBaseUrl}/connect/submit`, {
    session: inputValue(html, 'session') ?? '',
    bank: inputValue(html, 'bank') ?? '',
    username,
    password,
  });
}

function redirectedSessionId(response: Response): string | null {
  expect(response.status).toBe(303);
  const location = new URL(response.headers.get('location') ?? '');
  expect(`${location.origin}${location.pathname}`).toBe(callbackUrl);
  return location.searchParams.get('session_id');
}

describe('create-session', () => {
  it('answers { session } with a single-use widget URL and the waiting status', async () => {
    const session = await createSession({
      redirect_url: 'https://app.example.com/cb',
      connector_id: 'testbank',
    });
    expect(session).toEqual({
      session_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      status: 'Waiting:ProvideCredentials',
      connection_id: null,
      error_code: null,
      url: expect.stringContaining(`${running.linkBaseUrl}/connect?session=`),
      connector_id: 'testbank',
      redirect_url: 'https://app.example.com/cb',
      created_at: '2026-03-15T10:00:00.000Z',
    });
    expect(session.url).not.toContain(session.session_id);
  });

  it.each([
    ['no configuration', {}, 'configuration', 'missing'],
    ['a string configuration', { configuration: 'x' }, 'configuration', 'invalid_type'],
    [
      'a bad redirect_url',
      { configuration: { redirect_url: 'ftp://x' } },
      'configuration.redirect_url',
      'invalid_url',
    ],
    [
      'an unknown connector',
      { configuration: { connector_id: 'nobank' } },
      'configuration.connector_id',
      'not_found',
    ],
  ])('%s → 400 ValidationError envelope', async (_what, body, field, errorType) => {
    const result = await api.post('/connect/v2/sessions/create-session', body);
    expect(result.status).toBe(400);
    expect(result.body).toEqual({
      success: false,
      error: { code: 'ValidationError', details: [{ error_type: errorType, field }] },
      trace_id: expect.any(String),
    });
  });

  it('needs a bearer token', async () => {
    const result = await api.post('/connect/v2/sessions/create-session', { configuration: {} }, 'nope');
    expect(result.status).toBe(401);
  });
});

describe('the Connect widget', () => {
  it('shows a bank picker, then the login form; both carry the session token', async () => {
    const session = await createSession();
    const picker = await fetch(session.url);
    expect(picker.status).toBe(200);
    const html = await picker.text();
    expect(html).toContain('Flanks Connect · sandbox');
    expect(html).toContain('<button type="submit" name="bank" value="testbank">');
    const token = new URL(session.url).searchParams.get('session');
    expect(inputValue(html, 'session')).toBe(token);
    expect(html).not.toMatch(/<(link|script|img)\b/);

    const form = await (await fetch(`${session.url}&bank=testbank`)).text();
    expect(form).toContain(`action="${running.linkBaseUrl}/connect/submit"`);
    expect(form).toMatch(/<input type="password" name="password"/);
  });

  it('opens on the configured connector without a picker', async () => {
    const session = await createSession({ connector_id: 'bbva' });
    const html = await (await fetch(session.url)).text();
    expect(html).toContain('Sign in to BBVA');
    expect(html).not.toContain('Choose another bank');
  });

  it('a good login redirects with session_id; the session goes Processing → Finished:OK', async () => {
    const session = await createSession();
    expect(redirectedSessionId(await login(session, 'correct-horse'))).toBe(session.session_id);
    const { statuses, session: done } = await settleSession(session.session_id);
    expect(statuses).toEqual(['Processing:ProvideCredentials', 'Finished:OK']);
    expect(done.connection_id).toEqual(expect.any(String));
    // The connection is a v0 credential: its status and aggregation work with it.
    const status = await api.post('/v0/bank/credentials/status', { credentials_token: done.connection_id });
    expect(status.status).toBe(200);
  });

  it('works once: a used URL answers 410', async () => {
    const session = await createSession();
    await login(session, 'correct-horse');
    const again = await fetch(session.url);
    expect(again.status).toBe(410);
    expect(errorText(await again.text())).toContain('already been used');
    expect((await fetch(`${running.linkBaseUrl}/connect?session=unknown`)).status).toBe(404);
  });

  it('an SCA password shows a challenge (Waiting:Challenge); a good answer finishes OK', async () => {
    const session = await createSession();
    const challenge = await login(session, 'SCA_SMS');
    expect(challenge.status).toBe(200);
    const html = await challenge.text();
    expect(html).toContain('SMS');
    expect(html).toContain(`action="${running.linkBaseUrl}/connect/challenge"`);
    expect(html).not.toContain('SCA_SMS');
    expect((await readSession(session.session_id)).status).toBe('Waiting:Challenge');
    const answered = await postForm(`${running.linkBaseUrl}/connect/challenge`, {
      session: inputValue(html, 'session') ?? '',
      sca: '123456',
    });
    expect(redirectedSessionId(answered)).toBe(session.session_id);
    const { statuses } = await settleSession(session.session_id);
    expect(statuses).toEqual(['Processing:Challenge', 'Finished:OK']);
  });

  it.each([
    ['INVALID_CREDENTIALS', undefined, 'InvalidCredentials'],
    ['INTERNAL_ERROR', undefined, 'InternalError'],
    ['SCA_TYPE_NOT_ALLOWED', undefined, 'UnsupportedChallengeMethod'],
    ['USER_INTERACTION_NEEDED', undefined, 'UserInteractionNeeded'],
    ['SCA_SMS', 'INVALID_SCA', 'InvalidChallengeResponse'],
    ['SCA_APP', 'USER_INTERACTION_NEEDED', 'UserInteractionNeeded'],
  ])('password %s (SCA answer %s) ends Finished:Error with %s', async (password, answer, code) => {
    const session = await createSession();
    const { redirectUrl } = running.sandbox.connectSession(session.session_id, {
      password,
      scaAnswer: answer,
    });
    expect(new URL(redirectUrl).searchParams.get('session_id')).toBe(session.session_id);
    const { session: done } = await settleSession(session.session_id);
    expect(done).toMatchObject({ status: 'Finished:Error', error_code: code, connection_id: null });
  });

  it('connecting the same login details again finishes OK with the existing connection', async () => {
    const first = await createSession();
    running.sandbox.connectSession(first.session_id, { username: 'ana' });
    const second = await createSession();
    running.sandbox.connectSession(second.session_id, { username: 'ana' });
    const a = (await settleSession(first.session_id)).session.connection_id;
    const b = (await settleSession(second.session_id)).session.connection_id;
    expect(b).toBe(a);
  });

  it('connectSession refuses unknown and used sessions', async () => {
    expect(() => running.sandbox.connectSession('nope')).toThrow(/unknown/);
    const session = await createSession();
    running.sandbox.connectSession(session.session_id);
    expect(() => running.sandbox.connectSession(session.session_id)).toThrow(/once/);
  });

  it('a session creates no Link code', async () => {
    const session = await createSession();
    running.sandbox.connectSession(session.session_id);
    expect((await api.call('GET', '/v0/platform/link')).body).toEqual([]);
  });
});

describe('the Connect widget: Cancel and re-authentication', () => {
  function cancelOf(html: string): Record<string, string> {
    const form =
      /<form method="post" action="[^"]*\/connect\/cancel">([\s\S]*?)<\/form>/.exec(html)?.[1] ?? '';
    expect(form).toContain('<button type="submit" name="cancel"');
    return { session: inputValue(form, 'session') ?? '' };
  }

  it.each([
    ['the bank picker', async (s: Json) => (await fetch(s.url)).text(), 'Processing:ProvideCredentials'],
    [
      'the login',
      async (s: Json) => (await fetch(`${s.url}&bank=testbank`)).text(),
      'Processing:ProvideCredentials',
    ],
    ['the challenge', async (s: Json) => (await login(s, 'SCA_SMS')).text(), 'Processing:Challenge'],
  ])(
    'Cancel at %s ends the session Finished:Error / AbortedByUser and redirects',
    async (_at, open, processing) => {
      const session = await createSession();
      const html = await open(session);
      expect(html.indexOf('name="cancel"')).toBeGreaterThan(html.indexOf('<button type="submit"'));
      const cancelled = await postForm(`${running.linkBaseUrl}/connect/cancel`, cancelOf(html));
      expect(redirectedSessionId(cancelled)).toBe(session.session_id);
      const { statuses, session: done } = await settleSession(session.session_id);
      expect(statuses).toEqual([processing, 'Finished:Error']);
      expect(done).toMatchObject({ error_code: 'AbortedByUser', connection_id: null });
      expect((await fetch(session.url)).status).toBe(410);
      expect((await api.post('/v0/bank/credentials/list', { page: 1 })).body.items).toEqual([]);
    },
  );

  it('connectSession({ cancel: true }) mirrors it without HTML', async () => {
    const session = await createSession();
    running.sandbox.connectSession(session.session_id, { cancel: true });
    expect((await settleSession(session.session_id)).session.error_code).toBe('AbortedByUser');
  });

  async function blocked(username: string): Promise<{ token: string; resetToken: string }> {
    const token = running.sandbox.createCredential({ username, bank: 'bbva' });
    running.sandbox.block(token);
    const status = await api.post('/v0/bank/credentials/status', { credentials_token: token });
    return { token, resetToken: status.body.reset_token };
  }

  it("configuration.reset_token opens that connection's login; success updates it, creates nothing", async () => {
    const { token, resetToken } = await blocked('ana');
    const session = await createSession({ reset_token: resetToken, connector_id: 'ing' });
    expect(session).toMatchObject({ status: 'Waiting:ProvideCredentials', connector_id: 'bbva' });
    expect(JSON.stringify(session)).not.toContain(resetToken);
    const html = await (await fetch(session.url)).text();
    expect(html).toContain('Reconnect BBVA');
    expect(inputValue(html, 'username')).toBe('ana');
    const submitted = await postForm(`${running.linkBaseUrl}/connect/submit`, {
      session: inputValue(html, 'session') ?? '',
      bank: inputValue(html, 'bank') ?? '',
      username: 'ana',
      password: 'new-password',
    });
    expect(redirectedSessionId(submitted)).toBe(session.session_id);
    const { session: done } = await settleSession(session.session_id);
    expect(done).toMatchObject({ status: 'Finished:OK', connection_id: token });
    const status = await api.post('/v0/bank/credentials/status', { credentials_token: token });
    expect(status.body).toMatchObject({ blocked: false, reset_token: null });
    expect((await api.post('/v0/bank/credentials/list', { page: 1 })).body.items).toHaveLength(1);
    // Used up: a second session with the same token is refused.
    const again = await api.post('/connect/v2/sessions/create-session', {
      configuration: { reset_token: resetToken },
    });
    expect(again.status).toBe(400);
  });

  it('another username ends the reset session with InvalidCredentials and leaves the connection blocked', async () => {
    const { token, resetToken } = await blocked('ana');
    const session = await createSession({ reset_token: resetToken });
    running.sandbox.connectSession(session.session_id, { username: 'eve' });
    expect((await settleSession(session.session_id)).session.error_code).toBe('InvalidCredentials');
    const status = await api.post('/v0/bank/credentials/status', { credentials_token: token });
    expect(status.body.blocked).toBe(true);
  });

  it('configuration.sca_token opens on the challenge (Waiting:Challenge) and clears the token', async () => {
    const token = running.sandbox.createCredential({ username: 'bea' });
    running.sandbox.requireSca(token);
    const scaToken = (await api.post('/v0/bank/credentials/status', { credentials_token: token })).body
      .sca_token;
    const session = await createSession({ sca_token: scaToken });
    expect(session.status).toBe('Waiting:Challenge');
    const html = await (await fetch(session.url)).text();
    expect(html).toContain(`action="${running.linkBaseUrl}/connect/challenge"`);
    expect(html).not.toMatch(/name="password"/);
    const answered = await postForm(`${running.linkBaseUrl}/connect/challenge`, {
      session: inputValue(html, 'session') ?? '',
      sca: '123456',
    });
    expect(redirectedSessionId(answered)).toBe(session.session_id);
    const { statuses, session: done } = await settleSession(session.session_id);
    expect(statuses).toEqual(['Processing:Challenge', 'Finished:OK']);
    expect(done.connection_id).toBe(token);
    const status = await api.post('/v0/bank/credentials/status', { credentials_token: token });
    expect(status.body.sca_token).toBeNull();
  });

  it.each([
    ['an unknown reset_token', { reset_token: 'rt-unknown' }, 'configuration.reset_token', 'invalid_token'],
    ['a non-string sca_token', { sca_token: 7 }, 'configuration.sca_token', 'invalid_token'],
    ['both tokens', { reset_token: 'a', sca_token: 'b' }, 'configuration.sca_token', 'conflict'],
  ])('%s → 400 ValidationError', async (_what, configuration, field, errorType) => {
    const result = await api.post('/connect/v2/sessions/create-session', { configuration });
    expect(result.status).toBe(400);
    expect(result.body.error.details).toEqual([{ error_type: errorType, field }]);
  });
});

describe('list-sessions and list-connectors', () => {
  it('filters with *_in (an empty list matches nothing) and keeps clients apart', async () => {
    const ok = await createSession();
    running.sandbox.connectSession(ok.session_id);
    const bad = await createSession();
    running.sandbox.connectSession(bad.session_id, { password: 'INVALID_CREDENTIALS' });
    await createSession();
    await settleSession(ok.session_id);
    await settleSession(bad.session_id);
    const list = async (query: Json) =>
      (await api.post('/connect/v2/sessions/list-sessions', { query })).body.items.map(
        (s: Json) => s.session_id,
      );
    expect(await list({ status_in: ['Finished:OK'] })).toEqual([ok.session_id]);
    expect(await list({ error_code_in: ['InvalidCredentials'] })).toEqual([bad.session_id]);
    expect(await list({ session_id_in: [] })).toEqual([]);
    expect(await list({})).toHaveLength(3);

    const other = apiClient(running.url);
    await other.token('other-app', 'other-secret');
    expect((await other.post('/connect/v2/sessions/list-sessions', { query: {} })).body.items).toEqual([]);
  });

  it('pages with next_page_token; a full last page is followed by an empty one', async () => {
    for (let i = 0; i < 6; i++) await createSession();
    const sizes: number[] = [];
    let token: string | null = null;
    do {
      const body: Json = (
        await api.post('/connect/v2/sessions/list-sessions', { query: {}, page_token: token ?? undefined })
      ).body;
      sizes.push(body.items.length);
      token = body.next_page_token;
    } while (token !== null && sizes.length < 10);
    expect(sizes).toEqual([3, 3, 0]);
  });

  it.each([
    ['an unknown query field', { query: { colour_in: ['red'] } }, 'query.colour_in'],
    ['a string filter', { query: { status_in: 'Finished:OK' } }, 'query.status_in'],
    ['a forged page_token', { query: {}, page_token: 'not-a-token' }, 'page_token'],
  ])('%s → 400 naming the field', async (_what, body, field) => {
    const result = await api.post('/connect/v2/sessions/list-sessions', body);
    expect(result.status).toBe(400);
    expect(result.body.error.details[0].field).toBe(field);
  });

  it('lists the connectors (the entities) with cursor pages and a filter', async () => {
    const first = await api.post('/connect/v2/connectors/list-connectors', { query: {} });
    expect(first.body.items).toHaveLength(3);
    expect(first.body.items[0]).toEqual({
      connector_id: 'testbank',
      name: 'TestBank',
      country: 'ES',
      logo_url: `${running.linkBaseUrl}/logos/testbank.svg`,
    });
    expect(first.body.next_page_token).toEqual(expect.any(String));
    const filtered = await api.post('/connect/v2/connectors/list-connectors', {
      query: { connector_id_in: ['bbva', 'ing'] },
    });
    expect(filtered.body).toEqual({
      items: [
        expect.objectContaining({ connector_id: 'bbva' }),
        expect.objectContaining({ connector_id: 'ing' }),
      ],
      next_page_token: null,
    });
  });
});

describe('Aggregation v2', () => {
  async function all(path: string, query: Json = {}): Promise<Json[]> {
    const items: Json[] = [];
    let token: string | null = null;
    for (let pages = 0; pages < 500; pages++) {
      const result: ApiResult = await api.post(path, { query, ...(token ? { page_token: token } : {}) });
      expect(result.status).toBe(200);
      items.push(...result.body.items);
      token = result.body.next_page_token;
      if (token === null) return items;
    }
    throw new Error('too many pages');
  }

  it('lists every product of every connection, linked to its transactions', async () => {
    const a = running.sandbox.createCredential();
    const b = running.sandbox.createCredential();
    const products = await all('/aggregation/v2/list-products');
    expect(new Set(products.map((p) => p.connection_id))).toEqual(new Set([a, b]));
    expect(new Set(products.map((p) => p.product_type))).toEqual(
      new Set(['Account', 'Card', 'Investment', 'Liability']),
    );
    expect(products[0]).toMatchObject({
      product_id: expect.any(String),
      product_type: 'Account',
      connection_id: a,
      iban: expect.stringMatching(/^ES\d{22}$/),
      labels: {},
    });
    const transactions = await all('/aggregation/v2/list-transactions', { connection_id_in: [a] });
    const ids = new Set(products.map((p) => p.product_id));
    expect(transactions.length).toBeGreaterThan(50);
    expect(transactions.every((t) => ids.has(t.product_id) && t.connection_id === a)).toBe(true);
    const dates = transactions.map((t) => t.date);
    expect(dates).toEqual([...dates].sort().reverse());
  });

  it('filters by type, product and date range', async () => {
    running.sandbox.createCredential();
    const accounts = await all('/aggregation/v2/list-products', { product_type_in: ['Account'] });
    expect(accounts.every((p) => p.product_type === 'Account')).toBe(true);
    const account = accounts[0].product_id;
    const march = await all('/aggregation/v2/list-transactions', {
      product_id_in: [account],
      date_from: '2026-02-01',
      date_to: '2026-02-28',
    });
    expect(march.length).toBeGreaterThan(0);
    expect(
      march.every((t) => t.product_id === account && t.date >= '2026-02-01' && t.date <= '2026-02-28'),
    ).toBe(true);
    expect(await all('/aggregation/v2/list-products', { connection_id_in: [] })).toEqual([]);
    const bad = await api.post('/aggregation/v2/list-transactions', { query: { date_from: '1/2/2026' } });
    expect(bad.body.error.details).toEqual([{ error_type: 'invalid_date', field: 'query.date_from' }]);
  });

  it('shows nothing before extraction and nothing of a data type that failed', async () => {
    const pending = running.sandbox.createCredential({ pendingPolls: 3 });
    expect(await all('/aggregation/v2/list-products', { connection_id_in: [pending] })).toEqual([]);
    const broken = running.sandbox.createCredential({ password: 'DATA_ERROR_PRODUCT_ACCOUNT' });
    const products = await all('/aggregation/v2/list-products', { connection_id_in: [broken] });
    expect(products.length).toBeGreaterThan(0);
    expect(products.some((p) => p.product_type === 'Account')).toBe(false);
  });

  it('sets labels (replacing the previous set) and shows them in lists', async () => {
    running.sandbox.createCredential();
    const [product] = await all('/aggregation/v2/list-products');
    const set = (labels: Json) =>
      api.post('/aggregation/v2/set-product-labels', { product_id: product.product_id, labels });
    expect((await set({ client: 'acme', tier: 'gold' })).body).toEqual({
      success: true,
      product_id: product.product_id,
      labels: { client: 'acme', tier: 'gold' },
    });
    await set({ client: 'acme' });
    const [after] = await all('/aggregation/v2/list-products', { product_id_in: [product.product_id] });
    expect(after.labels).toEqual({ client: 'acme' });

    const [tx] = await all('/aggregation/v2/list-transactions', { product_id_in: [product.product_id] });
    await api.post('/aggregation/v2/set-transaction-labels', {
      transaction_id: tx.transaction_id,
      labels: { ok: 'yes' },
    });
    const [txAfter] = await all('/aggregation/v2/list-transactions', {
      transaction_id_in: [tx.transaction_id],
    });
    expect(txAfter.labels).toEqual({ ok: 'yes' });
  });

  it.each([
    [{ product_id: 'nope', labels: {} }, 'product_id', 'not_found'],
    [{ labels: {} }, 'product_id', 'missing'],
    [{ product_id: 'x', labels: { a: 1 } }, 'labels.a', 'invalid_type'],
    [{ product_id: 'x' }, 'labels', 'missing'],
  ])('set-product-labels %j → 400 %s', async (body, field, errorType) => {
    running.sandbox.createCredential();
    const result = await api.post('/aggregation/v2/set-product-labels', body);
    expect(result.status).toBe(400);
    expect(result.body.error.details).toEqual([{ error_type: errorType, field }]);
  });
});

describe('Report v1', () => {
  it('lists templates', async () => {
    const result = await api.post('/report/v1/list-templates', {});
    expect(result.body.items.map((t: Json) => t.template_id)).toEqual([1, 2]);
  });

  it('builds a report through new → payload → file → ready and serves its content', async () => {
    const token = running.sandbox.createCredential();
    const built = await api.post('/report/v1/build-report', {
      template_id: 1,
      query: { connection_id_in: [token] },
      template_attributes: { title: 'Resumen <Q1>' },
      language: 'es',
      start_date: '2026-01-01',
    });
    expect(built.body).toEqual({ report_id: 1, template_id: 1, status: 'new' });
    const content = () => api.post('/report/v1/get-report-content', { report_id: 1 });
    expect((await content()).status).toBe(409);
    const statuses: string[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await api.post('/report/v1/get-report-status', { report_id: 1 })).body.status);
    expect(statuses).toEqual(['payload', 'file', 'ready']);
    const { url } = (await content()).body;
    expect(url).toMatch(new RegExp(`^${running.linkBaseUrl}/reports/[0-9a-f]+\\.html$`));
    const file = await fetch(url);
    expect(file.headers.get('content-type')).toContain('text/html');
    const html = await file.text();
    expect(html).toContain('<html lang="es">');
    expect(html).toContain('Resumen &lt;Q1&gt;');
    expect(html).toContain('Periodo: 2026-01-01 – 2026-03-15');
    expect((await fetch(`${running.linkBaseUrl}/reports/0000.html`)).status).toBe(404);
  });

  it('fails at payload when the query selects no connection', async () => {
    running.sandbox.createCredential();
    await api.post('/report/v1/build-report', {
      template_id: 2,
      query: { connection_id_in: [] },
      template_attributes: {},
    });
    expect((await api.post('/report/v1/get-report-status', { report_id: 1 })).body.status).toBe('fail');
  });

  it.each([
    [{ query: {}, template_attributes: {} }, 'template_id', 'missing'],
    [{ template_id: 9, query: {}, template_attributes: {} }, 'template_id', 'not_found'],
    [{ template_id: 1, template_attributes: {} }, 'query', 'missing'],
    [{ template_id: 1, query: {}, template_attributes: {}, language: 'de' }, 'language', 'invalid'],
    [{ template_id: 1, query: {}, template_attributes: {}, end_date: 'today' }, 'end_date', 'invalid_date'],
  ])('build-report %j → 400 %s', async (body, field, errorType) => {
    const result = await api.post('/report/v1/build-report', body);
    expect(result.status).toBe(400);
    expect(result.body.error.details).toEqual([{ error_type: errorType, field }]);
  });

  it('another client cannot read a report', async () => {
    running.sandbox.createCredential();
    await api.post('/report/v1/build-report', { template_id: 1, query: {}, template_attributes: {} });
    const other = apiClient(running.url);
    await other.token('other-app', 'other-secret');
    const result = await other.post('/report/v1/get-report-status', { report_id: 1 });
    expect(result.body.error.details).toEqual([{ error_type: 'not_found', field: 'report_id' }]);
  });
});
