// Cloudflare Workers leg of the runtime matrix: bundled by workerd.mjs (esbuild, as wrangler would)
// and run in workerd by miniflare. Each request runs the flow inside the Worker's fetch handler, so
// every SDK call is a real outbound fetch from workerd to the sandbox. The sandbox's address and
// the client credentials arrive as bindings.
import * as sdk from '../../dist/index.js';
import * as otel from '../../dist/otel/index.js';
import { runFlow } from './flow.mjs';

export default {
  async fetch(_request, env) {
    try {
      const result = await runFlow(
        sdk,
        {
          baseUrl: env.FLOW_BASE_URL,
          linkBaseUrl: env.FLOW_LINK_BASE_URL,
          clientId: env.FLOW_CLIENT_ID,
          clientSecret: env.FLOW_CLIENT_SECRET,
        },
        otel,
      );
      return Response.json({ ok: true, ...result });
    } catch (error) {
      const cause = error?.cause ? `\n  cause: ${error.cause?.stack ?? error.cause}` : '';
      return Response.json({ ok: false, error: `${error?.stack ?? error}${cause}` }, { status: 500 });
    }
  },
};
