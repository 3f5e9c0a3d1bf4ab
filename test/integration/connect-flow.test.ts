import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  FlanksClient,
  type FlanksClientOptions,
  FlanksConnectionError,
  FlanksReportError,
  FlanksSessionError,
  MemoryCredentialStore,
} from '../../src';
import {
  createFlanksHandlers,
  FlanksSandbox,
  SANDBOX_CLIENT_ID,
  SANDBOX_CLIENT_SECRET,
} from '../../src/testing';
import { settle, signedState, spyLogger } from '../helpers';
import { inputValue } from '../testing/helpers';

// The SDK against the sandbox through msw, both flows end to end under strict validation: the Link
// flow (code exchange) and the Connect v2 flow (sessions), then Aggregation v2 and Report v1 over
// what they connected. The widget pages are fetched like a browser would, through the same handlers.

const REDIRECT = 'https://app.example.com/flanks/connect';
const sandbox = new FlanksSandbox({ seed: 3, pageSize: 7 });
const server = setupServer(...(await createFlanksHandlers(sandbox)));

beforeAll(async () => {
  server.listen({ onUnhandledRequest: 'error' });
  // Loads the SDK's HTTP runtime (a dynamic import, real I/O) before any test fakes the clock.
  await client().entities.list();
});
beforeEach(() => sandbox.reset());
afterEach(() => vi.useRealTimers());
afterAll(() => server.close());

function client(options: FlanksClientOptions = {}) {
  return new FlanksClient({
    clientId: SANDBOX_CLIENT_ID,
    clientSecret: SANDBOX_CLIENT_SECRET,
    validation: 'strict',
    store: new MemoryCredentialStore(),
    logger: spyLogger(),
    ...options,
  });
}

const fast = { pollIntervalMs: 1, maxPollIntervalMs: 1 };

/** Plays the user through the widget over HTTP (bank picker, login form) and returns the redirect. */
async function playWidget(url: string, password = 'correct-horse'): Promise<string> {
  const picker = await (await fetch(url)).text();
  const token = inputValue(picker, 'session') ?? '';
  const form = await (await fetch(`${url}&bank=testbank`)).text();
  expect(inputValue(form, 'session')).toBe(token);
  const response = await fetch(`${sandbox.linkBaseUrl}/connect/submit`, {
    method: 'POST',
    body: new URLSearchParams({ session: token, bank: 'testbank', username: `u-${Math.random()}`, password }),
    redirect: 'manual',
  });
  expect(response.status).toBe(303);
  return response.headers.get('location') ?? '';
}

describe('the Connect v2 flow against the sandbox', () => {
  it('session → widget → redirect → completeSession → status → Aggregation v2 → report', async () => {
    const flanks = client();
    const created = await flanks.connect.createSession({ configuration: { redirect_url: REDIRECT } });
    const session = created.session;
    expect(session.status).toBe('Waiting:ProvideCredentials');

    const location = await playWidget(created.url);
    expect(location.startsWith(REDIRECT)).toBe(true);
    const { sessionId } = flanks.connect.parseRedirect(location);
    expect(sessionId).toBe(session.session_id);

    const seen: string[] = [];
    // The binding made at creation proves the redirect's session is the one started for user-1.
    const sessionBinding = flanks.connect.bindSession({ sessionId: session.session_id, userId: 'user-1' });
    const record = await flanks.connect.completeSession(
      { sessionId, userId: 'user-1', sessionBinding },
      { ...fast, onSession: (s) => seen.push(s.status) },
    );
    expect(seen).toEqual(['Processing:ProvideCredentials', 'Finished:OK']);
    expect(record).toMatchObject({ userId: 'user-1', extra: { session_id: sessionId } });
    expect(await flanks.store!.get(record.credentialsToken)).toEqual(record);

    // connection_id == credentials_token: the v0 APIs take it.
    const token = record.credentialsToken;
    await flanks.credentials.waitUntilReady(token, fast);
    expect((await flanks.aggregation.portfolios(token)).length).toBeGreaterThan(0);

    const products = await flanks.aggregationV2
      .listProducts({ query: { connection_id_in: [token] } })
      .toArray({ limit: 1_000 });
    expect(products.length).toBeGreaterThan(7); // more than one page
    const account = products.find((p) => p.product_type === 'Account')!;
    await flanks.aggregationV2.setProductLabels(account.product_id, { client: 'acme' });
    const [labelled] = await flanks.aggregationV2
      .listProducts({ query: { product_id_in: [account.product_id] } })
      .toArray({ limit: 1 });
    expect(labelled?.labels).toEqual({ client: 'acme' });

    let pages = 0;
    let count = 0;
    for await (const page of flanks.aggregationV2
      .listTransactions({ query: { product_id_in: [account.product_id], date_from: '2000-01-01' } })
      .pages()) {
      pages++;
      count += page.items.length;
    }
    expect(pages).toBeGreaterThan(2);
    expect(count).toBeGreaterThan(20);

    const [template] = await flanks.reports.listTemplates();
    const report = await flanks.reports.build({
      templateId: template!.template_id,
      query: { connection_id_in: [token] },
      templateAttributes: { title: 'Wealth' },
    });
    const steps: string[] = [];
    await flanks.reports.waitUntilReady(report.report_id, { ...fast, onReport: (r) => steps.push(r.status) });
    expect(steps).toEqual(['payload', 'file', 'ready']);
    const url = await flanks.reports.getContentUrl(report.report_id);
    expect(await (await fetch(url)).text()).toContain('<h1>Wealth</h1>');
    expect(sandbox.stats.tokenRequests).toBe(1);
  });

  it('both flows side by side: a Link credential and a Connect connection feed the same APIs', async () => {
    const flanks = client();
    const code = sandbox.connect({ username: 'link-user', params: { state: signedState(flanks, 'user-1') } });
    if (!('code' in code)) throw new Error(code.error);
    const viaLink = await flanks.completeLink({ code: code.code, userId: 'user-1' });

    const { session } = await flanks.connect.createSession({ configuration: { connector_id: 'testbank' } });
    sandbox.connectSession(session.session_id, { username: 'connect-user', password: 'SCA_SMS' });
    const viaConnect = await flanks.connect.completeSession(
      { sessionId: session.session_id, userId: 'user-1', expectedSessionId: session.session_id },
      fast,
    );

    expect((await flanks.store!.listByUser('user-1')).map((r) => r.credentialsToken).sort()).toEqual(
      [viaLink.credentialsToken, viaConnect.credentialsToken].sort(),
    );
    for (const r of [viaLink, viaConnect]) await flanks.credentials.waitUntilReady(r.credentialsToken, fast);
    const connections = new Set<string>();
    for await (const p of flanks.aggregationV2.listProducts()) connections.add(String(p.connection_id));
    expect(connections).toEqual(new Set([viaLink.credentialsToken, viaConnect.credentialsToken]));
  });

  it('a failed session is a FlanksSessionError with its code, and nothing is stored', async () => {
    const flanks = client();
    const { session } = await flanks.connect.createSession({ configuration: {} });
    sandbox.connectSession(session.session_id, { password: 'SCA_SMS', scaAnswer: 'INVALID_SCA' });
    const err = await flanks.connect
      .completeSession(
        { sessionId: session.session_id, userId: 'u', expectedSessionId: session.session_id },
        fast,
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksSessionError);
    expect(err).toMatchObject({ errorCode: 'InvalidChallengeResponse', sessionId: session.session_id });
    expect(await flanks.store!.listByUser('u')).toEqual([]);
  });

  it('connectors list across pages, with an empty last page when the count is a multiple of the page size', async () => {
    const flanks = client();
    const sizes: number[] = [];
    for await (const page of flanks.connect.listConnectors().pages()) sizes.push(page.items.length);
    expect(sizes).toEqual([7, 3]);
    const exact = new FlanksSandbox({ seed: 3, pageSize: 5 });
    server.use(...(await createFlanksHandlers(exact)));
    const exactSizes: number[] = [];
    for await (const page of client().connect.listConnectors().pages()) exactSizes.push(page.items.length);
    expect(exactSizes).toEqual([5, 5, 0]);
    server.resetHandlers();
  });

  it('a report whose query selects nothing fails with FlanksReportError', async () => {
    const flanks = client();
    sandbox.createCredential({ pendingPolls: 0 });
    const report = await flanks.reports.build({ templateId: 1, query: { connection_id_in: [] } });
    await expect(flanks.reports.waitUntilReady(report.report_id, fast)).rejects.toBeInstanceOf(
      FlanksReportError,
    );
  });
});

describe('faults on the newer APIs', () => {
  it('session reads are retried through 503 and dropped connections', async () => {
    vi.useFakeTimers();
    const flanks = client({ maxRetries: 3 });
    const { session } = await flanks.connect.createSession({ configuration: {} });
    sandbox.connectSession(session.session_id);
    sandbox.failNext('/connect/v2/sessions/list-sessions', 1, { status: 503 });
    sandbox.failNext('/connect/v2/sessions/list-sessions', 1, { reset: true });
    const done = await settle(flanks.connect.waitForSession(session.session_id));
    expect(done.status).toBe('Finished:OK');
  });

  it('create-session is not replayed after a dropped connection', async () => {
    const flanks = client();
    sandbox.failNext('/connect/v2/sessions/create-session', 1, { reset: true });
    await expect(flanks.connect.createSession({ configuration: {} })).rejects.toBeInstanceOf(
      FlanksConnectionError,
    );
    expect(sandbox.stats.requests['/connect/v2/sessions/create-session']).toBe(1);
  });
});
