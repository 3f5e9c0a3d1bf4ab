// ESM leg of the runtime matrix: `import`s the built SDK and runs flow.mjs. Started by run.mjs under
// Node, Bun and Deno with the sandbox in the environment. FLOW_IMPORT picks the specifier: the
// package's own name by default, resolved through the package's `exports` map (self-reference).
import { runFlow } from './flow.mjs';

const env = (name) => (globalThis.Deno ? globalThis.Deno.env.get(name) : globalThis.process.env[name]);
const label = `${env('FLOW_RUNTIME')} esm`;
try {
  const specifier = env('FLOW_IMPORT') || 'flanks-sdk';
  const file = import.meta.resolve(specifier).replace(/^.*\/(dist\/)/, '$1');
  const sdk = await import(specifier);
  const otel = await import('flanks-sdk/otel');
  const result = await runFlow(
    sdk,
    {
      baseUrl: env('FLOW_BASE_URL'),
      linkBaseUrl: env('FLOW_LINK_BASE_URL'),
      clientId: env('FLOW_CLIENT_ID'),
      clientSecret: env('FLOW_CLIENT_SECRET'),
    },
    otel,
  );
  console.log(
    `ok - ${label} (${file}: ${result.portfolios} portfolios, bad code → FlanksApiError ${result.errorStatus})`,
  );
} catch (error) {
  console.log(`not ok - ${label}: ${error?.stack ?? error}`);
  if (error?.cause) console.log(`  cause: ${error.cause?.stack ?? error.cause}`);
  if (globalThis.Deno) globalThis.Deno.exit(1);
  globalThis.process.exitCode = 1;
}
