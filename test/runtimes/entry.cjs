// CommonJS leg of the runtime matrix: `require`s the built SDK (the package's `require` export,
// dist/index.cjs) and runs flow.mjs with it. Started by run.mjs under Node, Bun and Deno.
const label = `${process.env.FLOW_RUNTIME} cjs`;
(async () => {
  const specifier = process.env.FLOW_REQUIRE || 'flanks-sdk';
  const file = require.resolve(specifier).replace(/^.*\/(dist\/)/, '$1');
  const sdk = require(specifier);
  const { runFlow } = await import('./flow.mjs');
  const result = await runFlow(
    sdk,
    {
      baseUrl: process.env.FLOW_BASE_URL,
      linkBaseUrl: process.env.FLOW_LINK_BASE_URL,
      clientId: process.env.FLOW_CLIENT_ID,
      clientSecret: process.env.FLOW_CLIENT_SECRET,
    },
    require('flanks-sdk/otel'),
  );
  console.log(
    `ok - ${label} (${file}: ${result.portfolios} portfolios, bad code → FlanksApiError ${result.errorStatus})`,
  );
})().catch((error) => {
  console.log(`not ok - ${label}: ${error?.stack ?? error}`);
  if (error?.cause) console.log(`  cause: ${error.cause?.stack ?? error.cause}`);
  process.exitCode = 1;
});
