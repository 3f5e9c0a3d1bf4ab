import { Socket } from 'node:net';
import { describe, expect, inject, it } from 'vitest';

// The harness itself: both servers answer on the URLs the suite was given.
function roundTrip(url: string, payload: Buffer): Promise<Buffer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    socket.once('error', reject);
    socket.connect(Number(port), hostname, () => socket.write(payload));
    socket.once('data', (chunk) => {
      socket.destroy();
      resolve(chunk);
    });
  });
}

describe('infrastructure harness', () => {
  it('starts Redis on loopback', async () => {
    expect((await roundTrip(inject('redisUrl'), Buffer.from('PING\r\n'))).toString()).toBe('+PONG\r\n');
  });

  it('starts PostgreSQL on loopback', async () => {
    // An SSLRequest: a PostgreSQL server answers with one byte, 'N' when SSL is off.
    const ssl = Buffer.alloc(8);
    ssl.writeInt32BE(8, 0);
    ssl.writeInt32BE(80877103, 4);
    expect((await roundTrip(inject('postgresUrl'), ssl)).toString()).toBe('N');
  });
});
