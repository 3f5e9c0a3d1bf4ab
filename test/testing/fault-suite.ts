import { describe, expect, it } from 'vitest';
import type { FlanksSandbox } from '../../src/testing';
import { apiClient } from './helpers';

/** The same fault expectations, whichever adapter carries the sandbox. */
export function describeFaults(adapter: string, target: () => { sandbox: FlanksSandbox }): void {
  describe(`faults through ${adapter}`, () => {
    const setup = async () => {
      const { sandbox } = target();
      const api = apiClient(sandbox.apiBaseUrl);
      await api.token();
      const token = sandbox.createCredential({ pendingPolls: 0 });
      const status = () => fetchJson(`${sandbox.apiBaseUrl}/v0/bank/credentials/status`, api, token);
      return { sandbox, api, token, status };
    };
    const fetchJson = async (url: string, api: ReturnType<typeof apiClient>, token: string) => {
      const accessToken = await api.token();
      return fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
        body: JSON.stringify({ credentials_token: token }),
      });
    };

    it('drops the connection on reset, then answers normally', async () => {
      const { sandbox, status } = await setup();
      sandbox.failNext('/v0/bank/credentials/status', 1, { reset: true });
      await expect(status()).rejects.toThrow(TypeError);
      expect((await status()).status).toBe(200);
      expect(sandbox.stats.requests['/v0/bank/credentials/status']).toBe(2);
    });

    it('cuts the body on truncate', async () => {
      const { sandbox, status } = await setup();
      sandbox.failNext('/v0/bank/credentials/status', 1, { truncate: true });
      await expect(status().then((response) => response.json())).rejects.toThrow();
      expect((await (await status()).json()).pending).toBe(false);
    });

    it('answers 429 with Retry-After, n times, without applying the request', async () => {
      const { sandbox, api } = await setup();
      sandbox.failNext('/v0/links/create-link', 2, { status: 429, retryAfter: 2 });
      const create = () => api.post('/v0/links/create-link', { redirect_uri: 'https://app.example/cb' });
      for (let i = 0; i < 2; i++) {
        const limited = await create();
        expect(limited.status).toBe(429);
        expect(limited.headers.get('retry-after')).toBe('2');
        expect(limited.body).toEqual({ error: 'Too many requests' });
      }
      expect((await api.post('/v0/links/list-links')).body.count).toBe(1);
      expect((await create()).status).toBe(200);
    });

    it('sends a custom status body, and matches any path with *', async () => {
      const { sandbox, api } = await setup();
      sandbox.failNext('*', 1, { status: 502, body: '<html>Bad Gateway</html>' });
      const gateway = await api.call('GET', '/v0/bank/available');
      expect(gateway).toMatchObject({ status: 502, body: '<html>Bad Gateway</html>' });
      sandbox.failNext('*', 1, { status: 500 });
      expect(await api.call('GET', '/v0/bank/available')).toMatchObject({
        status: 500,
        body: { error: 'Internal Error' },
      });
      expect((await api.call('GET', '/v0/bank/available')).status).toBe(200);
    });

    it('delays and then answers normally', async () => {
      const { sandbox, status } = await setup();
      sandbox.failNext('/v0/bank/credentials/status', 1, { delayMs: 30 });
      const started = performance.now();
      const response = await status();
      expect(response.status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    });

    it('applies rules first in, first out and leaves other paths alone', async () => {
      const { sandbox, api } = await setup();
      sandbox.failNext('/v0/bank/available', 1, { status: 503, retryAfter: 'Wed, 21 Oct 2026 07:28:00 GMT' });
      sandbox.failNext('/v0/bank/available', 1, { status: 500 });
      expect((await api.post('/v0/links/list-links')).status).toBe(200);
      const first = await api.call('GET', '/v0/bank/available');
      expect([first.status, first.headers.get('retry-after')]).toEqual([
        503,
        'Wed, 21 Oct 2026 07:28:00 GMT',
      ]);
      expect((await api.call('GET', '/v0/bank/available')).status).toBe(500);
      expect((await api.call('GET', '/v0/bank/available')).status).toBe(200);
    });
  });
}
