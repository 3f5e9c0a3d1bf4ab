// What an application that installed flanks-sdk without any optional peer (msw, pg, ioredis, redis,
// @opentelemetry/api) must be able to do, from ESM (esm.mjs) and CommonJS (cjs.cjs): load every
// subpath, run the sandbox and the conformance suites, drive a tracer of OpenTelemetry's shape with
// flanks-sdk/otel, and get a FlanksError naming msw only when it asks for msw handlers.
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

/** A tracer of @opentelemetry/api's shape that records what it is told: no OpenTelemetry package here. */
function recordingTracer() {
  const spans = [];
  return {
    spans,
    startSpan(name, options) {
      const span = { name, options, attributes: {}, events: [], ended: false };
      spans.push(span);
      return {
        setAttribute: (key, value) => {
          span.attributes[key] = value;
        },
        addEvent: (event) => span.events.push(event),
        setStatus: (status) => {
          span.status = status;
        },
        end: () => {
          span.ended = true;
        },
      };
    },
  };
}

async function check(label, { main, testing, postgres, redis, otel }) {
  assert.equal(typeof main.FlanksClient, 'function', `${label}: flanks-sdk`);
  assert.equal(typeof testing.startSandbox, 'function', `${label}: flanks-sdk/testing`);
  assert.equal(typeof postgres.PostgresCredentialStore, 'function', `${label}: flanks-sdk/stores/postgres`);
  assert.equal(typeof redis.RedisTokenCache, 'function', `${label}: flanks-sdk/token-cache/redis`);
  assert.equal(typeof otel.instrument, 'function', `${label}: flanks-sdk/otel`);
  console.log(`ok - ${label}: every subpath loads without msw, pg, ioredis, redis or @opentelemetry/api`);

  const running = await testing.startSandbox({ pendingPolls: 0 });
  try {
    const flanks = new main.FlanksClient({
      clientId: testing.SANDBOX_CLIENT_ID,
      clientSecret: testing.SANDBOX_CLIENT_SECRET,
      baseUrl: running.url,
    });
    const tracer = recordingTracer();
    const uninstall = otel.instrument(flanks, { tracer });
    const token = running.sandbox.createCredential({ pendingPolls: 0 });
    assert.equal((await flanks.credentials.getStatus(token)).pending, false);
    const { data, response } = await flanks.aggregation.portfolios(token).withResponse();
    assert.ok(data.length > 0);
    assert.equal(response.status, 200);
    uninstall();
    assert.deepEqual(
      tracer.spans.map((s) => `${s.name} ${s.ended}`),
      [
        'Flanks POST /v0/token true',
        'Flanks POST /v0/bank/credentials/status true',
        'Flanks POST /v0/bank/credentials/portfolio true',
      ],
    );
  } finally {
    await running.close();
  }
  console.log(
    `ok - ${label}: startSandbox serves a FlanksClient over loopback; flanks-sdk/otel made one span per call`,
  );

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
