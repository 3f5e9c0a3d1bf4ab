import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  envelopeOf,
  FlanksAbortError,
  FlanksApiError,
  FlanksError,
  FlanksSessionError,
  FlanksTimeoutError,
  FlanksValidationError,
  MemoryCredentialStore,
} from '../../src';
import { ACCESS_TOKEN, makeClient, route, settle, tokenRoute, useMsw } from '../helpers';

useMsw();

const CREATE = '/connect/v2/sessions/create-session';
const LIST = '/connect/v2/sessions/list-sessions';
const CONNECTORS = '/connect/v2/connectors/list-connectors';
const SID = 'ses_7f3a9c';
const CONNECTION = 'conn_live_5e6f7a8b9c0d_secret';
const URL_ = 'https://connect.flanks.test/widget/one-time-abc';

function session(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    session_id: SID,
    status: 'Waiting:ProvideCredentials',
    connection_id: null,
    error_code: null,
    ...over,
  };
}
const page = (items: unknown[], next: string | null = null) => ({ body: { items, next_page_token: next } });

afterEach(() => vi.useRealTimers());

describe('connect.createSession', () => {
  it('POSTs the configuration and returns the session with its URL', async () => {
    tokenRoute();
    const body = { session: session({ url: URL_, expires_at: '2026-03-15T10:30:00Z' }) };
    const calls = route('post', CREATE, { body });
    const configuration = {
      redirect_url: 'https://app.example.com/flanks/connect',
      connector_id: 'testbank',
    };
    const created = await makeClient({ validation: 'strict' }).connect.createSession({ configuration });
    expect(created).toEqual({ url: URL_, session: body.session });
    expect(envelopeOf(created.session)).toEqual({});
    expect(calls).toHaveLength(1);
    expect(calls[0]!.method).toBe('POST');
    expect(calls[0]!.body).toEqual({ configuration });
    expect(calls[0]!.headers.get('authorization')).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(calls[0]!.headers.get('content-type')).toContain('application/json');
  });

  it('passes unknown configuration attributes through', async () => {
    tokenRoute();
    const calls = route('post', CREATE, { body: { session: session({ url: URL_ }) } });
    const configuration = { initial_step: 'connector', connector_filter: { country_in: ['ES'] } };
    await makeClient().connect.createSession({ configuration });
    expect(calls[0]!.body).toEqual({ configuration });
  });

  it.each([
    [{ resetToken: 'rt_live_0a1b2c3d' }, { reset_token: 'rt_live_0a1b2c3d' }],
    [{ scaToken: 'st_live_4e5f6a7b' }, { sca_token: 'st_live_4e5f6a7b' }],
  ])("reauth %j is sent in the configuration (the SDK's assumption)", async (reauth, field) => {
    tokenRoute();
    const calls = route('post', CREATE, { body: { session: session({ url: URL_ }) } });
    const configuration = { redirect_url: 'https://app.example.com/flanks/connect' };
    await makeClient().connect.createSession({ configuration, reauth });
    expect(calls[0]!.body).toEqual({ configuration: { ...configuration, ...field } });
    expect(configuration).toEqual({ redirect_url: 'https://app.example.com/flanks/connect' });
  });

  it('a refused reauth keeps the token out of the error', async () => {
    tokenRoute();
    const token = 'rt_live_never_in_errors';
    route('post', CREATE, {
      status: 400,
      body: {
        success: false,
        error: { code: 'ValidationError', details: [{ error_type: `bad ${token}`, field: 'reset_token' }] },
      },
    });
    const err = await makeClient()
      .connect.createSession({ configuration: {}, reauth: { resetToken: token } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksApiError);
    expect(`${(err as Error).message}${JSON.stringify(err)}`).not.toContain(token);
  });

  it.each([
    ['both tokens', { configuration: {}, reauth: { resetToken: 'a', scaToken: 'b' } }, 'params.reauth'],
    ['an empty scaToken', { configuration: {}, reauth: { scaToken: '' } }, 'params.reauth.scaToken'],
    [
      'reauth and a configuration token',
      { configuration: { sca_token: 'x' }, reauth: { scaToken: 'y' } },
      'params.reauth',
    ],
  ])('%s → FlanksValidationError before any request', async (_what, params, path) => {
    const err = await makeClient()
      .connect.createSession(params as never)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksValidationError);
    expect((err as FlanksValidationError).path).toBe(path);
  });

  it.each([
    ['a bare session', session({ url: URL_ })],
    ['{ data: session }', { success: true, data: session({ url: URL_ }) }],
  ])('accepts %s', async (_what, body) => {
    tokenRoute();
    route('post', CREATE, { body });
    const created = await makeClient({ validation: 'strict' }).connect.createSession({ configuration: {} });
    expect(created).toEqual({ url: URL_, session: session({ url: URL_ }) });
  });

  it('reads a differently named URL field, and adds nothing to the session', async () => {
    tokenRoute();
    route('post', CREATE, { body: { session: session({ session_url: URL_ }) } });
    const created = await makeClient({ validation: 'strict' }).connect.createSession({ configuration: {} });
    expect(created.url).toBe(URL_);
    expect(created.session).toEqual(session({ session_url: URL_ }));
    expect('url' in created.session).toBe(false);
  });

  it('a bare session with a field named `data` is not taken for an envelope', async () => {
    tokenRoute();
    const bare = session({ url: URL_, data: { labels: { a: 'b' } } });
    route('post', CREATE, { body: bare });
    const created = await makeClient({ validation: 'strict' }).connect.createSession({ configuration: {} });
    expect(created.session).toEqual(bare);
  });

  it.each(['warn', 'off'] as const)(
    'a session without any URL is an error even in %s mode',
    async (validation) => {
      tokenRoute();
      route('post', CREATE, { body: { session: session() } });
      const err = await makeClient({ validation })
        .connect.createSession({ configuration: {} })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FlanksValidationError);
      expect((err as FlanksValidationError).path).toBe('response.url');
      expect((err as Error).message).toContain(SID);
    },
  );

  it('is not retried after a 500: a replay would create a second session', async () => {
    tokenRoute();
    const calls = route('post', CREATE, { status: 500, body: { error: 'Internal Error' } });
    await expect(makeClient().connect.createSession({ configuration: {} })).rejects.toBeInstanceOf(
      FlanksApiError,
    );
    expect(calls).toHaveLength(1);
  });

  it.each([
    ['no params', undefined],
    ['no configuration', {}],
    ['a string configuration', { configuration: 'x' }],
    ['a numeric redirect_url', { configuration: { redirect_url: 42 } }],
    ['an empty connector_id', { configuration: { connector_id: '' } }],
  ])('%s → FlanksValidationError, no request', async (_what, params) => {
    const calls = route('post', CREATE, { body: {} });
    const err = await makeClient()
      .connect.createSession(params as never)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksValidationError);
    expect(calls).toHaveLength(0);
  });
});

describe('connect.listSessions', () => {
  it('iterates over every page with the query and the cursor', async () => {
    tokenRoute();
    const calls = route(
      'post',
      LIST,
      page([session({ session_id: 'a' }), session({ session_id: 'b' })], 'tok-2'),
      page([session({ session_id: 'c', extra_field: 1 })], 'tok-3'),
      page([session({ session_id: 'd' })]),
    );
    const ids: string[] = [];
    const query = { status_in: ['Finished:OK'] };
    for await (const s of makeClient({ validation: 'strict' }).connect.listSessions({ query }))
      ids.push(s.session_id);
    expect(ids).toEqual(['a', 'b', 'c', 'd']);
    expect(calls.map((c) => c.body)).toEqual([
      { query },
      { query, page_token: 'tok-2' },
      { query, page_token: 'tok-3' },
    ]);
  });

  it('sends `query: {}` when no query is given', async () => {
    tokenRoute();
    const calls = route('post', LIST, page([]));
    await expect(makeClient().connect.listSessions().toArray({ limit: 10 })).resolves.toEqual([]);
    expect(calls[0]!.body).toEqual({ query: {} });
  });

  it('starts from `cursor` when given', async () => {
    tokenRoute();
    const calls = route('post', LIST, page([session()], 'tok-9'), page([]));
    await makeClient().connect.listSessions({ cursor: 'tok-8' }).toArray({ limit: 10 });
    expect(calls.map((c) => c.body)).toEqual([
      { query: {}, page_token: 'tok-8' },
      { query: {}, page_token: 'tok-9' },
    ]);
  });

  it('.pages() yields each page with its cursor, including an empty last page', async () => {
    tokenRoute();
    route('post', LIST, page([session({ session_id: 'a' })], 'tok-2'), page([], null));
    const pages: Array<{ items: unknown[]; nextCursor: string | null }> = [];
    for await (const p of makeClient().connect.listSessions().pages()) pages.push(p);
    expect(pages.map((p) => [p.items.length, p.nextCursor])).toEqual([
      [1, 'tok-2'],
      [0, null],
    ]);
  });

  it.each([
    ['null', null],
    ['missing', undefined],
    ['empty', ''],
  ])('a %s next_page_token ends the list', async (_what, next) => {
    tokenRoute();
    const calls = route('post', LIST, { body: { items: [session()], next_page_token: next } });
    await expect(makeClient().connect.listSessions().toArray({ limit: 10 })).resolves.toHaveLength(1);
    expect(calls).toHaveLength(1);
  });

  it('a cursor that repeats stops with a FlanksError instead of looping forever', async () => {
    tokenRoute();
    const calls = route('post', LIST, page([session()], 'tok-2'), page([session()], 'tok-2'));
    const err = await makeClient()
      .connect.listSessions()
      .toArray({ limit: 10_000 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksError);
    expect((err as Error).message).toContain('twice');
    expect(calls.length).toBeLessThanOrEqual(3);
  });

  it('a cursor cycling between two tokens is stopped as well', async () => {
    tokenRoute();
    const calls = route('post', LIST, page([session()], 'a'), page([session()], 'b'), page([session()], 'a'));
    await expect(makeClient().connect.listSessions().toArray({ limit: 10_000 })).rejects.toBeInstanceOf(
      FlanksError,
    );
    expect(calls).toHaveLength(3);
  });

  it('toArray stops fetching at the limit and requires one', async () => {
    tokenRoute();
    const calls = route('post', LIST, page([session(), session()], 'tok-2'), page([session()]));
    await expect(makeClient().connect.listSessions().toArray({ limit: 2 })).resolves.toHaveLength(2);
    expect(calls).toHaveLength(1);
    const paginator = makeClient().connect.listSessions() as unknown as { toArray: () => Promise<unknown> };
    await expect(paginator.toArray()).rejects.toBeInstanceOf(FlanksValidationError);
  });

  it('accepts a bare array as one last page', async () => {
    tokenRoute();
    route('post', LIST, { body: [session()] });
    await expect(makeClient().connect.listSessions().toArray({ limit: 10 })).resolves.toEqual([session()]);
  });

  it.each(['strict', 'warn', 'off'] as const)(
    'a page without items is an error in %s mode',
    async (validation) => {
      tokenRoute();
      route('post', LIST, { body: { next_page_token: null } });
      await expect(
        makeClient({ validation }).connect.listSessions().toArray({ limit: 1 }),
      ).rejects.toBeInstanceOf(FlanksValidationError);
    },
  );

  it('strict mode names the bad item field', async () => {
    tokenRoute();
    route('post', LIST, page([session(), { status: 'Finished:OK' }]));
    const err = await makeClient({ validation: 'strict' })
      .connect.listSessions()
      .toArray({ limit: 10 })
      .catch((e: unknown) => e);
    expect((err as FlanksValidationError).path).toBe('response.items[1].session_id');
  });

  it('is retried on 503 (a read)', async () => {
    vi.useFakeTimers();
    tokenRoute();
    const calls = route('post', LIST, { status: 503, body: { error: 'busy' } }, page([session()]));
    await expect(settle(makeClient().connect.listSessions().toArray({ limit: 1 }))).resolves.toHaveLength(1);
    expect(calls).toHaveLength(2);
  });

  it('keeps the connection ids of the query out of errors', async () => {
    tokenRoute();
    route('post', LIST, { status: 400, body: { error: `Invalid connection_id_in ${CONNECTION}` } });
    const err = await makeClient()
      .connect.listSessions({ query: { connection_id_in: [CONNECTION] } })
      .toArray({ limit: 1 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksApiError);
    expect(JSON.stringify(err)).not.toContain(CONNECTION);
  });

  it.each([
    ['a string filter', { query: { session_id_in: 'x' } }, 'params.query.session_id_in'],
    ['a numeric id', { query: { status_in: [1] } }, 'params.query.status_in.0'],
    ['a numeric cursor', { cursor: 1 }, 'params.cursor'],
    ['a misspelt cursor (it would restart the list)', { pageToken: 'tok-8' }, 'params.pageToken'],
    ['an array query', { query: [] }, 'params.query'],
  ])('%s rejects the iteration with FlanksValidationError, no request', async (_what, params, path) => {
    const calls = route('post', LIST, page([]));
    const err = await makeClient()
      .connect.listSessions(params as never)
      .toArray({ limit: 1 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksValidationError);
    expect((err as FlanksValidationError).path).toBe(path);
    expect(calls).toHaveLength(0);
  });
});

describe('connect.listConnectors', () => {
  it('POSTs the query and iterates over the connectors', async () => {
    tokenRoute();
    const connector = { connector_id: 'testbank', name: 'TestBank', country: 'ES', logo_url: null };
    const calls = route('post', CONNECTORS, page([connector], 'n'), page([{ connector_id: 'bbva' }]));
    const all = await makeClient({ validation: 'strict' })
      .connect.listConnectors({ query: { connector_id_in: ['testbank', 'bbva'] } })
      .toArray({ limit: 10 });
    expect(all).toEqual([connector, { connector_id: 'bbva' }]);
    expect(calls[0]!.body).toEqual({ query: { connector_id_in: ['testbank', 'bbva'] } });
    expect(calls[1]!.body).toMatchObject({ page_token: 'n' });
  });
});

describe('connect.getSession', () => {
  it('lists sessions filtered by id and returns the match', async () => {
    tokenRoute();
    const calls = route('post', LIST, page([session({ status: 'Finished:OK', connection_id: CONNECTION })]));
    await expect(makeClient().connect.getSession(SID)).resolves.toMatchObject({ connection_id: CONNECTION });
    expect(calls[0]!.body).toEqual({ query: { session_id_in: [SID] } });
  });

  it('ignores other sessions (a filter Flanks ignored) and rejects when none matches', async () => {
    tokenRoute();
    route('post', LIST, page([session({ session_id: 'someone-else' })]));
    const err = await makeClient()
      .connect.getSession(SID)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksError);
    expect((err as Error).message).toContain('no Connect session');
  });

  it.each(['', null])('sessionId %j → FlanksValidationError, no request', async (id) => {
    const calls = route('post', LIST, page([]));
    await expect(makeClient().connect.getSession(id as never)).rejects.toBeInstanceOf(FlanksValidationError);
    expect(calls).toHaveLength(0);
  });
});

describe('connect.waitForSession', () => {
  it('polls until Finished:OK with growing waits, reporting each read', async () => {
    vi.useFakeTimers();
    tokenRoute();
    const calls = route(
      'post',
      LIST,
      page([session()]),
      page([session({ status: 'Waiting:Challenge' })]),
      page([session({ status: 'Processing:Challenge' })]),
      page([session({ status: 'Finished:OK', connection_id: CONNECTION })]),
    );
    const seen: string[] = [];
    const result = await settle(
      makeClient().connect.waitForSession(SID, { onSession: (s) => seen.push(s.status) }),
    );
    expect(result.connection_id).toBe(CONNECTION);
    expect(seen).toEqual([
      'Waiting:ProvideCredentials',
      'Waiting:Challenge',
      'Processing:Challenge',
      'Finished:OK',
    ]);
    expect(calls).toHaveLength(4);
  });

  it('Finished:Error rejects with FlanksSessionError carrying the session error code', async () => {
    tokenRoute();
    route('post', LIST, page([session({ status: 'Finished:Error', error_code: 'InvalidCredentials' })]));
    const err = await makeClient()
      .connect.waitForSession(SID)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksSessionError);
    expect(err).toMatchObject({
      sessionId: SID,
      errorCode: 'InvalidCredentials',
      sessionStatus: 'Finished:Error',
      name: 'FlanksSessionError',
    });
    expect((err as Error).message).toContain('create a new session');
  });

  it('an unknown Finished:* status ends the wait as a failure; an unknown code is kept', async () => {
    tokenRoute();
    route('post', LIST, page([session({ status: 'Finished:Expired', error_code: 'SessionExpired' })]));
    const err = await makeClient()
      .connect.waitForSession(SID)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ errorCode: 'SessionExpired', sessionStatus: 'Finished:Expired' });
  });

  it('gives up with FlanksTimeoutError after timeoutMs', async () => {
    vi.useFakeTimers();
    tokenRoute();
    route('post', LIST, page([session()]));
    const err = await settle(makeClient().connect.waitForSession(SID, { timeoutMs: 5_000 })).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FlanksTimeoutError);
    expect((err as FlanksTimeoutError).timeoutMs).toBe(5_000);
  });

  it('stops with FlanksAbortError on signal', async () => {
    vi.useFakeTimers();
    tokenRoute();
    route('post', LIST, page([session()]));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 2_500);
    const err = await settle(makeClient().connect.waitForSession(SID, { signal: controller.signal })).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FlanksAbortError);
  });

  it.each([
    ['a negative timeout', { timeoutMs: -1 }],
    ['a non-function onSession', { onSession: 'x' }],
    ['a non-signal', { signal: {} }],
  ])('%s → FlanksValidationError, no request', async (_what, options) => {
    const calls = route('post', LIST, page([]));
    await expect(makeClient().connect.waitForSession(SID, options as never)).rejects.toBeInstanceOf(
      FlanksValidationError,
    );
    expect(calls).toHaveLength(0);
  });
});

describe('connect.parseRedirect', () => {
  const flanks = makeClient();

  it.each([
    ['a path', `/flanks/connect?session_id=${SID}&state=x`],
    ['an absolute URL', `https://app.example.com/flanks/connect?session_id=${SID}&state=x`],
    ['a URL object', new URL(`https://app.example.com/cb?session_id=${SID}&state=x`)],
    ['a Request', new Request(`https://app.example.com/cb?session_id=${SID}&state=x`)],
    ['an object with url', { url: `/cb?session_id=${SID}&state=x` }],
  ])('reads the session id from %s', (_what, input) => {
    expect(flanks.connect.parseRedirect(input)).toEqual({
      sessionId: SID,
      params: { session_id: SID, state: 'x' },
    });
  });

  it.each(['/cb', '/cb?code=abc', '/cb?session_id='])(
    '%s without a session id throws FlanksValidationError',
    (url) => {
      expect(() => flanks.connect.parseRedirect(url)).toThrow(FlanksValidationError);
    },
  );
});

describe('connect.completeSession', () => {
  it('waits, then stores the connection as a credentials token for the user', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-03-15T10:00:00Z'));
    tokenRoute();
    route(
      'post',
      LIST,
      page([session({ status: 'Processing:ProvideCredentials' })]),
      page([session({ status: 'Finished:OK', connection_id: CONNECTION })]),
    );
    const store = new MemoryCredentialStore();
    const record = await settle(
      makeClient({ store }).connect.completeSession({
        sessionId: SID,
        userId: 'user-1',
        expectedSessionId: SID,
      }),
    );
    expect(record).toEqual({
      userId: 'user-1',
      credentialsToken: CONNECTION,
      createdAt: expect.stringMatching(/^2026-03-15T10:00:0/),
      extra: { session_id: SID },
      linkToken: null,
      externalId: null,
    });
    expect(await store.listByUser('user-1')).toEqual([record]);
  });

  it('uses the store given to the call over the client’s', async () => {
    tokenRoute();
    route('post', LIST, page([session({ status: 'Finished:OK', connection_id: CONNECTION })]));
    const clientStore = new MemoryCredentialStore();
    const callStore = new MemoryCredentialStore();
    await makeClient({ store: clientStore }).connect.completeSession({
      sessionId: SID,
      userId: 'u',
      expectedSessionId: SID,
      store: callStore,
    });
    expect(await callStore.get(CONNECTION)).toBeDefined();
    expect(await clientStore.get(CONNECTION)).toBeUndefined();
  });

  it('saves nothing when the session fails', async () => {
    tokenRoute();
    route('post', LIST, page([session({ status: 'Finished:Error', error_code: 'InternalError' })]));
    const store = new MemoryCredentialStore();
    await expect(
      makeClient({ store }).connect.completeSession({ sessionId: SID, userId: 'u', expectedSessionId: SID }),
    ).rejects.toBeInstanceOf(FlanksSessionError);
    expect(await store.listByUser('u')).toEqual([]);
  });

  it('Finished:OK without a connection_id is an error, nothing saved', async () => {
    tokenRoute();
    route('post', LIST, page([session({ status: 'Finished:OK' })]));
    const store = new MemoryCredentialStore();
    const err = await makeClient({ store })
      .connect.completeSession({ sessionId: SID, userId: 'u', expectedSessionId: SID })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksValidationError);
    expect((err as FlanksValidationError).path).toBe('response.connection_id');
    expect(await store.listByUser('u')).toEqual([]);
  });

  it.each([
    ['no store', {}, { sessionId: SID, userId: 'u', expectedSessionId: SID }],
    ['no userId', { store: new MemoryCredentialStore() }, { sessionId: SID, expectedSessionId: SID }],
    ['no sessionId', { store: new MemoryCredentialStore() }, { userId: 'u', expectedSessionId: SID }],
    ['no proof of the user', { store: new MemoryCredentialStore() }, { sessionId: SID, userId: 'u' }],
    [
      'a blank sessionBinding',
      { store: new MemoryCredentialStore() },
      { sessionId: SID, userId: 'u', sessionBinding: '' },
    ],
  ])('%s → FlanksValidationError, no request', async (_what, clientOptions, params) => {
    const calls = route('post', LIST, page([]));
    await expect(makeClient(clientOptions).connect.completeSession(params as never)).rejects.toBeInstanceOf(
      FlanksValidationError,
    );
    expect(calls).toHaveLength(0);
  });
});
