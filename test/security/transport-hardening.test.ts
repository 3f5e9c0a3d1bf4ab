import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FlanksClient,
  FlanksRedirectError,
  FlanksResponseTooLargeError,
  FlanksValidationError,
  type RequestOptions,
} from '../../src';
import { silentLogger } from '../properties/support';

// Security review (issue 12, finding 6). A redirect must never carry the client secret or a token to
// another origin, and the client must refuse a base URL that would send them in clear (plain http to
// a remote host) or that carries credentials of its own (which would then show in errors).

const CLIENT_SECRET = 'cs_hardening_secret_0123456789';
const TOKEN = 'ct_hardening_credentials_token_0123';

interface Seen {
  method: string;
  path: string;
  body: string;
  authorization: string | undefined;
}

/** A loopback HTTP server that records what it receives; `reply` answers each request. */
async function recordingServer(reply: (req: IncomingMessage, res: ServerResponse) => void) {
  const seen: Seen[] = [];
  const server: Server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    seen.push({
      method: req.method ?? '',
      path: req.url ?? '',
      body,
      authorization: req.headers.authorization,
    });
    reply(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { seen, url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('redirects are never followed', () => {
  let elsewhere: Awaited<ReturnType<typeof recordingServer>>;
  let api: Awaited<ReturnType<typeof recordingServer>>;
  beforeAll(async () => {
    // Another origin (another port) that would love to receive the client's secrets.
    elsewhere = await recordingServer((_req, res) => {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end('{"access_token":"stolen","expires_in":3600}');
    });
    api = await recordingServer((req, res) => {
      // The token request and every API call are redirected, with the method and body kept (307/308).
      const status = req.url === '/v0/token' ? 307 : 308;
      res.writeHead(status, { location: `${elsewhere.url}${req.url}` }).end();
    });
  });
  afterAll(async () => {
    await api.close();
    await elsewhere.close();
  });

  const client = () =>
    new FlanksClient({
      clientId: 'hardening-client',
      clientSecret: CLIENT_SECRET,
      baseUrl: api.url,
      logger: silentLogger,
      maxRetries: 2,
    });

  it('a 307 on the token request: the client secret is not re-sent elsewhere; FlanksRedirectError', async () => {
    const err = await client()
      .credentials.getStatus(TOKEN)
      .catch((e: unknown) => e);
    expect(elsewhere.seen).toEqual([]);
    expect(err).toBeInstanceOf(FlanksRedirectError);
    expect(err).toMatchObject({ status: 307, method: 'POST', path: '/v0/token' });
    expect((err as Error).message).toMatch(/never follows/);
    expect((err as Error).message).toMatch(/baseUrl/);
    // Not retried: the same redirect would come back.
    expect(api.seen.filter((r) => r.path === '/v0/token')).toHaveLength(1);
  });

  it('a 308 on an API call: neither the bearer token nor the credentials token is re-sent elsewhere', async () => {
    // The token request is answered by a fetch wrapper, so only the API call meets the redirect.
    const flanks = new FlanksClient({
      clientId: 'hardening-client',
      clientSecret: CLIENT_SECRET,
      baseUrl: api.url,
      logger: silentLogger,
      fetch: (url, init) =>
        String(url).endsWith('/v0/token')
          ? Promise.resolve(Response.json({ access_token: 'at_hardening_token', expires_in: 3600 }))
          : fetch(url, init),
    });
    const before = elsewhere.seen.length;
    const err = await flanks.credentials.getStatus(TOKEN).catch((e: unknown) => e);
    expect(elsewhere.seen.slice(before)).toEqual([]);
    expect(err).toBeInstanceOf(FlanksRedirectError);
    expect(err).toMatchObject({ status: 308, path: '/v0/bank/credentials/status' });
    expect(JSON.stringify(err)).not.toContain(TOKEN);
  });
});

describe('redirects with a custom fetch', () => {
  it('fetch is asked not to follow; an answer a fetch followed anyway is refused', async () => {
    const inits: RequestInit[] = [];
    const flanks = new FlanksClient({
      clientId: 'hardening-client',
      clientSecret: CLIENT_SECRET,
      baseUrl: 'https://api.flanks.test',
      logger: silentLogger,
      maxRetries: 0,
      fetch: async (url, init) => {
        inits.push(init ?? {});
        const response = String(url).endsWith('/v0/token')
          ? Response.json({ access_token: 'at_hardening_token', expires_in: 3600 })
          : Response.json({ pending: false });
        // A fetch that ignores `redirect` and followed to another origin.
        if (!String(url).endsWith('/v0/token'))
          Object.defineProperty(response, 'redirected', { value: true });
        return response;
      },
    });
    const err = await flanks.credentials.getStatus(TOKEN).catch((e: unknown) => e);
    expect(inits.map((i) => i.redirect)).toEqual(['manual', 'manual']);
    expect(err).toBeInstanceOf(FlanksRedirectError);
  });
});

describe('base URLs', () => {
  const make = (options: { baseUrl?: string; linkBaseUrl?: string }) => () =>
    new FlanksClient({ clientId: 'id', clientSecret: CLIENT_SECRET, logger: silentLogger, ...options });

  it.each([
    ['plain http to a remote host', { baseUrl: 'http://api.flanks.io' }, 'options.baseUrl'],
    ['plain http to a private address', { baseUrl: 'http://10.0.0.7:8080' }, 'options.baseUrl'],
    ['a look-alike of localhost', { baseUrl: 'http://localhost.evil.example' }, 'options.baseUrl'],
    ['plain http for the Link', { linkBaseUrl: 'http://platform.flanks.io/link' }, 'options.linkBaseUrl'],
  ])('%s is refused (tokens would travel in clear)', (_what, options, path) => {
    expect(make(options)).toThrow(FlanksValidationError);
    expect(make(options)).toThrow(/https/);
    try {
      make(options)();
    } catch (error) {
      expect((error as FlanksValidationError).path).toBe(path);
    }
  });

  it.each([
    'http://localhost:4010',
    'http://127.0.0.1:4010',
    'http://127.8.9.10',
    'http://[::1]:4010',
    'https://api.flanks.io',
    'https://sandbox.example.com/flanks',
  ])('%s is accepted (https, or plain http on loopback)', (baseUrl) => {
    expect(make({ baseUrl, linkBaseUrl: baseUrl })).not.toThrow();
  });

  it.each([
    ['a user and password', 'https://alice:hunter2-password@api.flanks.io', 'options.baseUrl'],
    ['a user name', 'https://token-in-user-part@api.flanks.io', 'options.baseUrl'],
  ])('credentials in the URL (%s) are refused, without echoing them', (_what, baseUrl, path) => {
    let error: unknown;
    try {
      make({ baseUrl })();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FlanksValidationError);
    expect((error as FlanksValidationError).path).toBe(path);
    expect((error as Error).message).toMatch(/user name or password/);
    expect(JSON.stringify(error)).not.toMatch(/hunter2|token-in-user-part/);
    expect(() => make({ linkBaseUrl: baseUrl })()).toThrow(/options\.linkBaseUrl/);
  });
});

// Security review (issue 12, finding 7): a body was read whole, whatever its size (a 200 MB answer
// cost 747 MB of RSS). The cap is checked on Content-Length first, then counted while streaming.
describe('response size cap (maxResponseBytes)', () => {
  let server: Awaited<ReturnType<typeof recordingServer>>;
  let mode: 'endless' | 'declared' | 'normal' = 'normal';
  beforeAll(async () => {
    server = await recordingServer((req, res) => {
      if (req.url === '/v0/token') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"access_token":"at_size_token","expires_in":3600}');
      } else if (mode === 'endless') {
        // Chunked, no Content-Length, never ends: only a byte count can stop the read.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('[');
        const chunk = '"padding-padding-padding-padding",'.repeat(512);
        const pump = () => {
          while (!res.destroyed && res.write(chunk)) {}
          if (!res.destroyed) res.once('drain', pump);
        };
        pump();
      } else if (mode === 'declared') {
        // Announces a body over 64 MiB and sends none of it: the header alone must end the call.
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': String(64 * 1024 * 1024 + 1),
        });
        res.flushHeaders();
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify([{ id: 'e1', name: 'x'.repeat(1_000) }]));
      }
    });
  });
  afterAll(() => server.close());

  const client = (options: { maxResponseBytes?: number } = {}) =>
    new FlanksClient({
      clientId: 'size-client',
      clientSecret: CLIENT_SECRET,
      baseUrl: server.url,
      logger: silentLogger,
      maxRetries: 2,
      timeoutMs: 20_000,
      ...options,
    });
  const list = (flanks: FlanksClient, options?: RequestOptions) =>
    flanks.entities.list(options).catch((e: unknown) => e);

  it('an endless body stops at the cap with FlanksResponseTooLargeError, not retried', async () => {
    mode = 'endless';
    const before = server.seen.length;
    const err = await list(client({ maxResponseBytes: 256 * 1024 }));
    expect(err).toBeInstanceOf(FlanksResponseTooLargeError);
    expect(err).toMatchObject({ limitBytes: 256 * 1024, method: 'GET', path: '/v0/bank/available' });
    expect((err as Error).message).toMatch(/maxResponseBytes/);
    expect(server.seen.slice(before).filter((r) => r.path === '/v0/bank/available')).toHaveLength(1);
  });

  it('a Content-Length over the default cap (64 MiB) ends the call before any of the body is read', async () => {
    mode = 'declared';
    const err = await list(client());
    expect(err).toBeInstanceOf(FlanksResponseTooLargeError);
    expect(err).toMatchObject({ limitBytes: 64 * 1024 * 1024, declaredBytes: 64 * 1024 * 1024 + 1 });
  });

  it('the cap is per call too: a call may raise or lower the client-wide one', async () => {
    mode = 'normal';
    const small = client({ maxResponseBytes: 100 });
    expect(await list(small)).toBeInstanceOf(FlanksResponseTooLargeError);
    expect(await list(small, { maxResponseBytes: 10_000 })).toHaveLength(1);
    expect(await list(client(), { maxResponseBytes: 100 })).toBeInstanceOf(FlanksResponseTooLargeError);
  });

  it.each([0, -1, 1.5, Number.NaN, '64mb'])('maxResponseBytes %j is refused', async (value) => {
    expect(() => client({ maxResponseBytes: value as number })).toThrow(FlanksValidationError);
    expect(await list(client(), { maxResponseBytes: value as number })).toBeInstanceOf(FlanksValidationError);
  });
});
