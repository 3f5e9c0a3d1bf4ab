import { afterEach, describe, expect, it, vi } from 'vitest';
import { FlanksAuthError } from '../../src';
import {
  ACCESS_TOKEN,
  CLIENT_ID,
  CLIENT_SECRET,
  makeClient,
  route,
  settle,
  tokenRoute,
  useMsw,
} from '../helpers';

useMsw();

const STATUS = { pending: false, blocked: false };

describe('token manager', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends the client-credentials grant and the bearer token', async () => {
    const tokens = tokenRoute();
    const calls = route('post', '/v0/bank/credentials/status', { body: STATUS });
    await makeClient().credentials.getStatus('ct_1');
    expect(tokens).toHaveLength(1);
    expect(tokens[0]!.body).toEqual({
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      grant_type: 'client_credentials',
    });
    expect(tokens[0]!.headers.get('authorization')).toBeNull();
    expect(tokens[0]!.headers.get('content-type')).toContain('application/json');
    expect(calls[0]!.headers.get('authorization')).toBe(`Bearer ${ACCESS_TOKEN}`);
  });

  it('shares one token request between concurrent calls', async () => {
    const tokens = tokenRoute();
    const calls = route('post', '/v0/bank/credentials/status', { body: STATUS });
    const client = makeClient();
    await Promise.all(Array.from({ length: 25 }, (_, i) => client.credentials.getStatus(`ct_${i}`)));
    expect(tokens).toHaveLength(1);
    expect(calls).toHaveLength(25);
    expect(new Set(calls.map((c) => c.headers.get('authorization')))).toEqual(
      new Set([`Bearer ${ACCESS_TOKEN}`]),
    );
  });

  it('reuses the cached token, and refreshes it shortly before it expires', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const tokens = tokenRoute(3600);
    const calls = route('post', '/v0/bank/credentials/status', { body: STATUS });
    const client = makeClient();
    await client.credentials.getStatus('ct_1');
    vi.advanceTimersByTime(3_000_000); // 50 min: still > 60 s of life left
    await client.credentials.getStatus('ct_1');
    expect(tokens).toHaveLength(1);
    vi.advanceTimersByTime(560_000); // 59m20s: inside the refresh window
    await client.credentials.getStatus('ct_1');
    expect(tokens).toHaveLength(2);
    expect(calls.map((c) => c.headers.get('authorization'))).toEqual([
      'Bearer at_test_access_token_1',
      'Bearer at_test_access_token_1',
      'Bearer at_test_access_token_2',
    ]);
  });

  it('on a 401 fetches a new token once and replays the request', async () => {
    const tokens = tokenRoute();
    const calls = route(
      'post',
      '/v0/bank/credentials/status',
      { status: 401, body: { error: 'Invalid credentials' } },
      { body: STATUS },
    );
    const status = await makeClient().credentials.getStatus('ct_1');
    expect(status.pending).toBe(false);
    expect(tokens).toHaveLength(2);
    expect(calls.map((c) => c.headers.get('authorization'))).toEqual([
      'Bearer at_test_access_token_1',
      'Bearer at_test_access_token_2',
    ]);
  });

  it('a burst of 401s from one revoked token triggers a single refresh', async () => {
    const tokens = tokenRoute();
    let revoked = true;
    const calls = route('post', '/v0/bank/credentials/status', { body: STATUS });
    const client = makeClient();
    await client.credentials.getStatus('ct_0');
    // Revoke token 1: every request still carrying it gets a 401.
    const { http, HttpResponse } = await import('msw');
    const { server, BASE } = await import('../helpers');
    server.use(
      http.post(`${BASE}/v0/bank/credentials/status`, ({ request }) => {
        if (revoked && request.headers.get('authorization') === 'Bearer at_test_access_token_1') {
          return HttpResponse.json({ error: 'Invalid credentials' }, { status: 401 });
        }
        return HttpResponse.json(STATUS);
      }),
    );
    await Promise.all(Array.from({ length: 10 }, (_, i) => client.credentials.getStatus(`ct_${i}`)));
    revoked = false;
    expect(calls).toHaveLength(1);
    expect(tokens).toHaveLength(2);
  });

  it('gives up after one replay: a persistent 401 is a FlanksAuthError', async () => {
    const tokens = tokenRoute();
    const calls = route('post', '/v0/bank/credentials/status', {
      status: 401,
      body: { error: 'Invalid credentials' },
    });
    const err = await makeClient()
      .credentials.getStatus('ct_1')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksAuthError);
    expect((err as FlanksAuthError).status).toBe(401);
    expect(calls).toHaveLength(2);
    expect(tokens).toHaveLength(2);
  });

  it('a 403 from /v0/token names the credentials to check and leaks no secret', async () => {
    const calls = route('post', '/v0/token', { status: 403, body: { error: 'access_denied' } });
    const err = (await makeClient()
      .credentials.getStatus('ct_secret_token')
      .catch((e: unknown) => e)) as FlanksAuthError;
    expect(err).toBeInstanceOf(FlanksAuthError);
    expect(err.status).toBe(403);
    expect(err.message).toMatch(/FLANKS_CLIENT_ID/);
    expect(calls).toHaveLength(1);
    const dump = `${err.message} ${JSON.stringify(err)} ${require('node:util').inspect(err)}`;
    expect(dump).not.toContain(CLIENT_SECRET);
    expect(dump).not.toContain('ct_secret_token');
  });

  it('a failed token request is not cached: the next call tries again', async () => {
    vi.useFakeTimers();
    const tokenCalls = route('post', '/v0/token', { status: 500, body: { error: 'Internal Error' } });
    route('post', '/v0/bank/credentials/status', { body: STATUS });
    const client = makeClient({ maxRetries: 0 });
    await expect(settle(client.credentials.getStatus('ct_1'))).rejects.toMatchObject({ status: 500 });
    tokenRoute();
    await expect(settle(client.credentials.getStatus('ct_1'))).resolves.toMatchObject({ pending: false });
    expect(tokenCalls).toHaveLength(1);
  });
});
