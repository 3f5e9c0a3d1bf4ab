import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFlanksHandlers, FlanksSandbox } from '../../src/testing';
import { describeFaults } from './fault-suite';
import { apiClient, inputValue } from './helpers';

const handlers = await createFlanksHandlers();
const server = setupServer(...handlers);

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  handlers.sandbox.reset();
});
afterAll(() => server.close());

describe('createFlanksHandlers', () => {
  it('serves the API at https://api.flanks.io', async () => {
    const api = apiClient('https://api.flanks.io');
    await api.token();
    const result = handlers.sandbox.connect({ params: { external_id: 'user-7' } });
    if (!('code' in result)) throw new Error(result.error);
    const token = await api.exchange(result.code);
    const status = await api.settle(token);
    expect(status.created.product.portfolio).toBe(true);
    const portfolios = await api.post('/v0/bank/credentials/portfolio', { credentials_token: token });
    expect(portfolios.status).toBe(200);
    expect(portfolios.body[0].external_id).toMatch(/^[0-9a-f]{24}$/);
    expect(handlers.sandbox.stats.tokenRequests).toBe(1);
  });

  it('serves the Link at https://platform.flanks.io/link', async () => {
    const page = await fetch(
      `https://platform.flanks.io/link?token=${handlers.sandbox.defaultLink.token}&bank=testbank`,
    );
    const html = await page.text();
    const submitted = await fetch('https://platform.flanks.io/link/submit', {
      method: 'POST',
      body: new URLSearchParams({
        token: inputValue(html, 'token') ?? '',
        bank: inputValue(html, 'bank') ?? '',
        link_params: inputValue(html, 'link_params') ?? '',
        username: 'carmen',
        password: 'secret',
      }),
      redirect: 'manual',
    });
    expect(submitted.status).toBe(303);
    const location = new URL(submitted.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe('http://localhost:3000/flanks/callback');
    const api = apiClient('https://api.flanks.io');
    await api.token();
    expect(await api.exchange(location.searchParams.get('code') ?? '')).toEqual(expect.any(String));
  });

  it('wraps a given sandbox and honours custom base URLs', async () => {
    const sandbox = new FlanksSandbox({
      apiBaseUrl: 'https://gateway.example.test/flanks/',
      linkBaseUrl: 'https://connect.example.test/bank-link',
    });
    const custom = await createFlanksHandlers(sandbox);
    expect(custom.sandbox).toBe(sandbox);
    server.use(...custom);
    const api = apiClient('https://gateway.example.test/flanks');
    await api.token();
    expect(sandbox.stats.requests).toEqual({ '/v0/token': 1 });
    const page = await fetch(sandbox.linkUrl({ bank: 'bbva' }));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('action="https://connect.example.test/bank-link/submit"');
  });
});

describeFaults('msw', () => handlers);
