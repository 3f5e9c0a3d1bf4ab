// What an application that installed flanks-sdk without any optional peer (msw, pg, ioredis, redis)
// must be able to do, from ESM (esm.mjs) and CommonJS (cjs.cjs): load every subpath, run the sandbox
// and the conformance suites, and get a FlanksError naming msw only when it asks for msw handlers.
const assert = require('node:assert/strict');

/** The smallest `{ describe, it }`: collects the cases, then runs them in order. */
function runner() {
  const cases = [];
  const path = [];
  return {
    describe(name, body) {
      path.push(name);
      body();
      path.pop();
    },
    it(name, body) {
      cases.push({ name: [...path, name].join(' > '), body });
    },
    async run() {
      for (const { name, body } of cases) {
        try {
          await body();
        } catch (error) {
          throw new Error(`${name}: ${error.message}`, { cause: error });
        }
      }
      return cases.length;
    },
  };
}

async function check(label, { main, testing, postgres, redis }) {
  assert.equal(typeof main.FlanksClient, 'function', `${label}: flanks-sdk`);
  assert.equal(typeof testing.startSandbox, 'function', `${label}: flanks-sdk/testing`);
  assert.equal(typeof postgres.PostgresCredentialStore, 'function', `${label}: flanks-sdk/stores/postgres`);
  assert.equal(typeof redis.RedisTokenCache, 'function', `${label}: flanks-sdk/token-cache/redis`);
  console.log(`ok - ${label}: every subpath loads without msw, pg, ioredis or redis`);

  const running = await testing.startSandbox({ pendingPolls: 0 });
  try {
    const flanks = new main.FlanksClient({
      clientId: testing.SANDBOX_CLIENT_ID,
      clientSecret: testing.SANDBOX_CLIENT_SECRET,
      baseUrl: running.url,
    });
    const token = running.sandbox.createCredential({ pendingPolls: 0 });
    assert.equal((await flanks.credentials.getStatus(token)).pending, false);
    assert.ok((await flanks.aggregation.portfolios(token)).length > 0);
  } finally {
    await running.close();
  }
  console.log(`ok - ${label}: startSandbox serves a FlanksClient over loopback`);

  const suites = runner();
  testing.runCredentialStoreContract(() => new main.MemoryCredentialStore(), suites);
  testing.runTokenCacheContract(() => new main.MemoryTokenCache(), suites);
  const cases = await suites.run();
  console.log(
    `ok - ${label}: the CredentialStore and TokenCache contracts pass (${cases} cases, no test framework)`,
  );

  const error = await Promise.resolve()
    .then(() => testing.createFlanksHandlers())
    .then(
      () => undefined,
      (e) => e,
    );
  assert.ok(error instanceof main.FlanksError, `${label}: createFlanksHandlers without msw gave ${error}`);
  assert.match(error.message, /Install it: npm install msw$/);
  console.log(
    `ok - ${label}: createFlanksHandlers() rejects with a FlanksError naming msw: ${error.message}`,
  );
}

module.exports = { check };
