import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  FlanksClient,
  FlanksConnectionError,
  FlanksError,
  FlanksLinkDelayedError,
  FlanksValidationError,
  MemoryCredentialStore,
} from '../src';
import { BASE, CLIENT_SECRET, makeClient, route, signedState, tokenRoute, useMsw } from './helpers';

useMsw();

afterEach(() => {
  vi.unstubAllEnvs();
  vi.useRealTimers();
});

describe('new FlanksClient(options)', () => {
  it('reads FLANKS_CLIENT_ID / FLANKS_CLIENT_SECRET / FLANKS_BASE_URL from the environment', async () => {
    vi.stubEnv('FLANKS_CLIENT_ID', 'env-id');
    vi.stubEnv('FLANKS_CLIENT_SECRET', 'env-secret');
    vi.stubEnv('FLANKS_BASE_URL', BASE);
    const tokens = tokenRoute();
    route('post', '/v0/bank/credentials/status', { body: { pending: false } });
    await new FlanksClient().credentials.getStatus('ct_1');
    expect(tokens[0]!.body).toMatchObject({ client_id: 'env-id', client_secret: 'env-secret' });
  });

  it('options win over the environment', async () => {
    vi.stubEnv('FLANKS_CLIENT_ID', 'env-id');
    const tokens = tokenRoute();
    route('post', '/v0/bank/credentials/status', { body: { pending: false } });
    await makeClient({ clientId: 'option-id' }).credentials.getStatus('ct_1');
    expect(tokens[0]!.body).toMatchObject({ client_id: 'option-id' });
  });

  it.each([
    [{ clientId: undefined, clientSecret: 's' }, /clientId.*FLANKS_CLIENT_ID/],
    [{ clientId: 'i', clientSecret: undefined }, /clientSecret.*FLANKS_CLIENT_SECRET/],
    [{ clientId: '', clientSecret: 's' }, /options\.clientId/],
    [{ baseUrl: 'not a url' }, /options\.baseUrl/],
    [{ baseUrl: 'ftp://x' }, /options\.baseUrl/],
    [{ linkBaseUrl: '/relative' }, /options\.linkBaseUrl/],
    [{ timeoutMs: 0 }, /options\.timeoutMs/],
    [{ timeoutMs: Number.NaN }, /options\.timeoutMs/],
    [{ maxRetries: -1 }, /options\.maxRetries/],
    [{ maxRetries: 1.5 }, /options\.maxRetries/],
    [{ validation: 'loose' }, /options\.validation/],
    [{ fetch: 'fetch' }, /options\.fetch/],
    [{ store: {} }, /options\.store/],
    [{ logger: { warn() {} } }, /options\.logger/],
  ])('rejects bad option %o with a FlanksError naming it', (bad, message) => {
    vi.stubEnv('FLANKS_CLIENT_ID', '');
    vi.stubEnv('FLANKS_CLIENT_SECRET', '');
    const create = () => new FlanksClient({ clientId: 'id', clientSecret: 'secret', ...(bad as object) });
    expect(create).toThrow(FlanksError);
    expect(create).toThrow(message);
  });

  it('never shows the client secret in inspect or JSON', () => {
    const client = makeClient();
    expect(inspect(client, { depth: 10, showHidden: true })).not.toContain(CLIENT_SECRET);
    expect(JSON.stringify(client)).not.toContain(CLIENT_SECRET);
  });

  it('its resources print as their name and public settings only', () => {
    const client = makeClient();
    expect(inspect(client.credentials)).toBe('Credentials {}');
    expect(JSON.stringify(client.aggregationV2)).toBe('{}');
    expect(inspect(client.links)).toBe('Links { linkBaseUrl: "https://link.flanks.test/link" }');
    expect(JSON.stringify({ links: client.links })).toBe(
      '{"links":{"linkBaseUrl":"https://link.flanks.test/link"}}',
    );
  });
});

describe('completeLink', () => {
  it('exchanges the code and saves a record for the user, without the state', async () => {
    tokenRoute();
    const store = new MemoryCredentialStore();
    const client = makeClient({ store });
    const calls = route('post', '/v0/platform/link', {
      body: {
        credentials_token: 'ct_new_1',
        message: 'Successfully retrieved',
        extra: { campaign: 'x', external_id: 'ext-42', state: signedState(client, 'user-42') },
        link_token: 'lt_1',
      },
    });
    const record = await client.completeLink({ code: 'code_abc', userId: 'user-42' });
    expect(calls[0]!.body).toEqual({ code: 'code_abc' });
    expect(record).toMatchObject({
      userId: 'user-42',
      credentialsToken: 'ct_new_1',
      extra: { campaign: 'x', external_id: 'ext-42' },
      linkToken: 'lt_1',
      externalId: 'ext-42',
    });
    expect(Number.isNaN(Date.parse(record.createdAt))).toBe(false);
    expect(await store.get('ct_new_1')).toEqual(record);
    expect(await store.listByUser('user-42')).toHaveLength(1);
  });

  it.each(['strict', 'warn'] as const)(
    '%s: an exchange whose extra is null (or absent) stores extra {}',
    async (validation) => {
      tokenRoute();
      route(
        'post',
        '/v0/platform/link',
        { body: { credentials_token: 'ct_null_extra', extra: null } },
        { body: { credentials_token: 'ct_no_extra' } },
      );
      const client = makeClient({ store: new MemoryCredentialStore(), validation });
      // Without `extra` there is no signed state either: a Link built outside the SDK, accepted by name.
      const first = await client.completeLink({
        code: 'code_1',
        userId: 'u',
        dangerouslyAllowMissingState: true,
      });
      const second = await client.completeLink({
        code: 'code_2',
        userId: 'u',
        dangerouslyAllowMissingState: true,
      });
      expect(first).toMatchObject({ credentialsToken: 'ct_null_extra', extra: {}, externalId: null });
      expect(second).toMatchObject({ credentialsToken: 'ct_no_extra', extra: {} });
    },
  );

  it('a per-call store overrides the client store', async () => {
    tokenRoute();
    const clientStore = new MemoryCredentialStore();
    const callStore = new MemoryCredentialStore();
    const client = makeClient({ store: clientStore });
    route('post', '/v0/platform/link', {
      body: { credentials_token: 'ct_2', extra: { state: signedState(client, 'u') } },
    });
    await client.completeLink({ code: 'c', userId: 'u', store: callStore });
    expect(clientStore.size).toBe(0);
    expect(callStore.size).toBe(1);
  });

  it('a 202 (token delayed) saves nothing and rejects with FlanksLinkDelayedError', async () => {
    tokenRoute();
    route('post', '/v0/platform/link', {
      status: 202,
      body: { message: 'Credentials token will be available later' },
    });
    const store = new MemoryCredentialStore();
    const err = await makeClient({ store })
      .completeLink({ code: 'code_x', userId: 'u' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksLinkDelayedError);
    expect((err as Error).message).toMatch(/later/);
    expect(store.size).toBe(0);
  });

  it('validates its arguments before any request', async () => {
    const tokens = tokenRoute();
    const client = makeClient({ store: new MemoryCredentialStore() });
    await expect(client.completeLink({ code: '', userId: 'u' })).rejects.toThrow(FlanksValidationError);
    await expect(client.completeLink({ code: 'c', userId: '' })).rejects.toThrow(/params\.userId/);
    await expect(
      client.completeLink({ code: 'c', userId: 'u', dangerouslyAllowMissingState: 'yes' as never }),
    ).rejects.toThrow(/params\.dangerouslyAllowMissingState/);
    await expect(makeClient().completeLink({ code: 'c', userId: 'u' })).rejects.toThrow(/CredentialStore/);
    expect(tokens).toHaveLength(0);
  });

  it('is not retried when the connection drops mid-exchange, and saves nothing', async () => {
    tokenRoute();
    const calls = route('post', '/v0/platform/link', 'network-error');
    const store = new MemoryCredentialStore();
    await expect(makeClient({ store }).completeLink({ code: 'c', userId: 'u' })).rejects.toBeInstanceOf(
      FlanksConnectionError,
    );
    expect(calls).toHaveLength(1);
    expect(store.size).toBe(0);
  });

  it('a store failure surfaces as is (the app decides), after a successful exchange', async () => {
    tokenRoute();
    const store = new MemoryCredentialStore();
    const client = makeClient({ store });
    route('post', '/v0/platform/link', {
      body: { credentials_token: 'ct_3', extra: { state: signedState(client, 'u') } },
    });
    store.save = async () => {
      throw new Error('db down');
    };
    await expect(client.completeLink({ code: 'c', userId: 'u' })).rejects.toThrow('db down');
  });
});
