import type { RequestHandler } from 'msw';
import type { FlanksError } from '../core/errors';
import { loadPeer } from '../internal/peer';
import { FlanksSandbox, type SandboxOptions } from './sandbox';

/**
 * msw request handlers backed by a {@link FlanksSandbox}, plus that sandbox as `.sandbox` for
 * scenario controls and assertions.
 *
 * @example
 * ```ts
 * const handlers = await createFlanksHandlers();
 * const server = setupServer(...handlers);
 * server.listen();
 * handlers.sandbox.failNext('/v0/bank/credentials/status', 1, { status: 500 });
 * ```
 * @see https://docs.flanks.io/pages/integration-example
 */
export type FlanksHandlers = RequestHandler[] & { sandbox: FlanksSandbox };

/** Half of the body, so `JSON.parse` on it fails the way a dropped connection mid-body would. */
async function truncated(response: Response): Promise<Response> {
  const bytes = new Uint8Array(await response.arrayBuffer());
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  return new Response(bytes.slice(0, Math.floor(bytes.length / 2)), { status: response.status, headers });
}

/**
 * Creates msw 2 handlers that answer every request to the sandbox's API base and Link base.
 * Pass a sandbox to share it with other adapters, or options (or nothing) to get a new one.
 * A scheduled `reset` fault becomes a network error, a `truncate` fault half the body.
 *
 * msw is an optional peer dependency, loaded by this function (never by importing
 * `flanks-sdk/testing`), hence the promise; without msw installed it rejects with a
 * {@link FlanksError} that says to install it.
 *
 * @example
 * ```ts
 * import { setupServer } from 'msw/node';
 * import { createFlanksHandlers } from 'flanks-sdk/testing';
 *
 * const handlers = await createFlanksHandlers({ pendingPolls: 0 });
 * const server = setupServer(...handlers);
 * beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
 * afterEach(() => handlers.sandbox.reset());
 * afterAll(() => server.close());
 * ```
 * @see https://docs.flanks.io/pages/integration-example
 */
export async function createFlanksHandlers(
  sandbox?: FlanksSandbox | SandboxOptions,
): Promise<FlanksHandlers> {
  const { http, HttpResponse } = await loadPeer('msw', 'createFlanksHandlers', () => import('msw'));
  // Duck-typed rather than `instanceof`, so a sandbox from the package's other build (ESM vs CJS) is shared, not copied.
  const target = sandbox && 'handle' in sandbox ? sandbox : new FlanksSandbox(sandbox);
  const resolve = async ({ request }: { request: Request }): Promise<Response> => {
    const result = await target.handle(request);
    if (result instanceof Response) return result;
    return result.fault === 'reset' ? HttpResponse.error() : truncated(result.response);
  };
  const handlers: RequestHandler[] = [
    http.all(target.linkBaseUrl, resolve),
    http.all(`${target.linkBaseUrl}/*`, resolve),
    http.all(`${target.apiBaseUrl}/*`, resolve),
  ];
  return Object.assign(handlers, { sandbox: target });
}
