import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FlanksSandbox, type SandboxOptions } from './sandbox';

/**
 * Options of {@link startSandbox}: every {@link SandboxOptions} field except the base URLs,
 * which follow from where the server listens.
 *
 * @example
 * ```ts
 * const options: StartSandboxOptions = { port: 4010, pendingPolls: 0 };
 * ```
 * @see https://docs.flanks.io/pages/testbank
 */
export interface StartSandboxOptions extends Omit<SandboxOptions, 'apiBaseUrl' | 'linkBaseUrl'> {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
}

/**
 * A sandbox listening on a real socket.
 *
 * @example
 * ```ts
 * const { url, linkBaseUrl, sandbox, close } = await startSandbox();
 * ```
 * @see https://docs.flanks.io/pages/testbank
 */
export interface RunningSandbox {
  /** API base, e.g. `http://127.0.0.1:53121`; API routes live at its root. */
  url: string;
  /** `${url}/link`. */
  linkBaseUrl: string;
  sandbox: FlanksSandbox;
  /** Stops listening and closes every connection, keep-alive ones included. */
  close(): Promise<void>;
}

async function toRequest(req: IncomingMessage, base: string, signal: AbortSignal): Promise<Request> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    for (const item of [value ?? []].flat()) headers.append(name, item);
  }
  const method = req.method ?? 'GET';
  const chunks: Buffer[] = [];
  if (method !== 'GET' && method !== 'HEAD') for await (const chunk of req) chunks.push(chunk as Buffer);
  return new Request(new URL(req.url ?? '/', base), {
    method,
    headers,
    body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
    signal,
  });
}

async function serve(sandbox: FlanksSandbox, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const aborted = new AbortController();
  res.on('close', () => aborted.abort());
  const result = await sandbox.handle(await toRequest(req, sandbox.apiBaseUrl, aborted.signal));
  if (!(result instanceof Response) && result.fault === 'reset') {
    req.socket.destroy();
    return;
  }
  const response = result instanceof Response ? result : result.response;
  const body = Buffer.from(await response.arrayBuffer());
  const headers: Record<string, string> = Object.fromEntries(response.headers);
  headers['content-length'] = String(body.length);
  res.writeHead(response.status, headers);
  if (result instanceof Response) {
    res.end(body);
    return;
  }
  // Promise the whole body, deliver half, then hang up: the client sees a premature close.
  res.write(body.subarray(0, Math.floor(body.length / 2)), () => req.socket.destroy());
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Starts the sandbox on a loopback HTTP server: API routes at the root of `url`, the Link at
 * `${url}/link`. A `reset` fault destroys the socket; a `truncate` fault announces the full
 * Content-Length, sends half the body and destroys the socket.
 *
 * @example
 * ```ts
 * const running = await startSandbox({ pendingPolls: 0 });
 * const res = await fetch(`${running.url}/v0/token`, {
 *   method: 'POST',
 *   headers: { 'content-type': 'application/json' },
 *   body: JSON.stringify({ client_id: SANDBOX_CLIENT_ID, client_secret: SANDBOX_CLIENT_SECRET, grant_type: 'client_credentials' }),
 * });
 * await running.close();
 * ```
 * @see https://docs.flanks.io/pages/testbank
 */
export async function startSandbox(options: StartSandboxOptions = {}): Promise<RunningSandbox> {
  const { port = 0, host = '127.0.0.1', ...sandboxOptions } = options;
  let sandbox: FlanksSandbox | undefined;
  const server = createServer((req, res) => {
    if (!sandbox) {
      res.writeHead(503).end();
      return;
    }
    serve(sandbox, req, res).catch(() => req.socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const url = `http://${hostForUrl(host)}:${(server.address() as AddressInfo).port}`;
  sandbox = new FlanksSandbox({ ...sandboxOptions, apiBaseUrl: url, linkBaseUrl: `${url}/link` });
  let closing: Promise<void> | undefined;
  return {
    url,
    linkBaseUrl: sandbox.linkBaseUrl,
    sandbox,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
