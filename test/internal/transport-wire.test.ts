import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FlanksClient, FlanksConnectionError, FlanksTimeoutError } from '../../src';
import { silentLogger } from '../properties/support';

// Raw bytes on a loopback socket, below what msw can fake. Found by test/properties/sockets.test.ts:
// a 2xx announcing `content-encoding: gzip` over a plain body, then a hang-up. undici can leave the
// body read pending forever and the request's abort does not settle it; the attempt's timeout must.
const CORRUPT_GZIP = Buffer.from(
  'HTTP/1.1 231 OK\r\ncontent-encoding: gzip\r\nconnection: close\r\n\r\n[false,false,null,"valueOf"]',
  'latin1',
);

const sockets = new Set<Socket>();
const server = createServer((socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
  socket.on('error', () => {});
  socket.once('data', () => socket.end(CORRUPT_GZIP));
});
let url = '';
beforeAll(async () => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

// A call left hanging fails the test through its timeout; no tighter limit, which would time the machine.
it('a corrupt compressed body ends the call (through its timeout if need be), every time', async () => {
  const flanks = new FlanksClient({
    clientId: 'wire-client',
    clientSecret: 'wire-secret',
    baseUrl: url,
    logger: silentLogger,
    maxRetries: 0,
    timeoutMs: 150,
  });
  // The hang depends on how the decompression error and the hang-up interleave: try it ten times.
  for (let i = 0; i < 10; i++) {
    const error = await flanks.entities.list().catch((e: unknown) => e);
    expect([FlanksTimeoutError, FlanksConnectionError]).toContain((error as object).constructor);
  }
});
