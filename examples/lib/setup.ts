import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CredentialRecord, FlanksClient, MemoryCredentialStore } from 'flanks-sdk';
import {
  SANDBOX_CLIENT_ID,
  SANDBOX_CLIENT_SECRET,
  type StartSandboxOptions,
  startSandbox,
} from 'flanks-sdk/testing';

/** The real API when FLANKS_CLIENT_ID and FLANKS_CLIENT_SECRET are set; the embedded sandbox otherwise. */
export const live = Boolean(process.env.FLANKS_CLIENT_ID && process.env.FLANKS_CLIENT_SECRET);

/** A client (with an in-memory store) against the real API, or against a sandbox started for the example. */
export async function exampleClient(sandboxOptions: StartSandboxOptions = {}) {
  const sandbox = live ? undefined : await startSandbox(sandboxOptions);
  const store = new MemoryCredentialStore();
  const flanks = sandbox
    ? new FlanksClient({
        clientId: SANDBOX_CLIENT_ID,
        clientSecret: SANDBOX_CLIENT_SECRET,
        baseUrl: sandbox.url,
        linkBaseUrl: sandbox.linkBaseUrl,
        store,
      })
    : new FlanksClient({ store });
  return { sandbox, store, flanks };
}

/**
 * "Your application" of the main jobs: a one-route server on loopback (port APP_PORT, default 3000,
 * when live; a free one against the sandbox). Each request to `path` goes to `complete`, which
 * finishes the connection; `record` settles with the first outcome.
 */
export async function startCallbackApp(
  path: string,
  complete: (requestUrl: string) => Promise<CredentialRecord>,
) {
  let settle!: { resolve: (r: CredentialRecord) => void; reject: (e: unknown) => void };
  const record = new Promise<CredentialRecord>((resolve, reject) => {
    settle = { resolve, reject };
  });
  const server = createServer(async (req, res) => {
    if (!req.url?.startsWith(path)) {
      res.writeHead(404).end();
      return;
    }
    const html = { 'content-type': 'text/html; charset=utf-8' };
    try {
      const stored = await complete(req.url);
      res.writeHead(200, html).end('<h1>Bank connected</h1>');
      settle.resolve(stored);
    } catch (error) {
      res.writeHead(400, html).end('<h1>Bank connection failed</h1>');
      settle.reject(error);
    }
  });
  const port = live ? Number(process.env.APP_PORT ?? 3000) : 0;
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address() as AddressInfo;
  return {
    url: `http://${live ? 'localhost' : '127.0.0.1'}:${address.port}`,
    record,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
