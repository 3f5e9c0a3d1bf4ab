// Packaging smoke test: loads the BUILT package the way users do — `import` (ESM) and `require`
// (CommonJS) through the package's own `exports` map — and runs a small flow over real HTTP against
// a loopback server. publint and are-the-types-wrong cannot see a CJS build that breaks at run time
// (shared/toolchain.md), this can. Run after `npm run build`.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
/** The signed state of the Link URL the flow built: Flanks hands custom Link parameters back in `extra`. */
let linkState = '';

const server = createServer(async (req, res) => {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  const body = raw ? JSON.parse(raw) : {};
  const send = (status, json) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(json));
  };
  if (req.url === '/v0/token') return send(200, { access_token: 'at_smoke', expires_in: 3600 });
  if (req.headers.authorization !== 'Bearer at_smoke') return send(401, { error: 'Invalid credentials' });
  if (req.url === '/v0/platform/link') {
    return body.code === 'good'
      ? send(200, { credentials_token: 'ct_smoke', extra: { a: '1', state: linkState } })
      : send(400, { error: 'Invalid code' });
  }
  if (req.url === '/v0/bank/credentials/status') return send(200, { pending: false, blocked: false });
  if (req.url === '/v0/bank/credentials/portfolio')
    return send(200, [{ _id: 'p1', name: 'Cartera', balance: 10 }]);
  send(404, { error: 'not found' });
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const baseUrl = `http://127.0.0.1:${server.address().port}`;

async function flow(sdk, label) {
  const { FlanksClient, MemoryCredentialStore, FlanksApiError, FlanksError } = sdk;
  const flanks = new FlanksClient({
    clientId: 'id',
    clientSecret: 'secret',
    baseUrl,
    store: new MemoryCredentialStore(),
  });
  const url = flanks.links.buildUrl({ token: 'lt', userId: 'u1', bank: 'testbank' });
  assert.match(url, /token=lt&bank=testbank&state=v2\./);
  linkState = new URL(url).searchParams.get('state');
  const record = await flanks.completeLink({ code: 'good', userId: 'u1' });
  assert.equal(record.credentialsToken, 'ct_smoke');
  const status = await flanks.credentials.waitUntilReady(record.credentialsToken, { timeoutMs: 5000 });
  assert.equal(status.pending, false);
  const portfolios = await flanks.aggregation.portfolios(record.credentialsToken);
  assert.equal(portfolios[0].name, 'Cartera');
  const err = await flanks.links.exchangeCode('bad').catch((e) => e);
  assert.ok(err instanceof FlanksApiError && err instanceof FlanksError, `${label}: typed error`);
  assert.equal(err.status, 400);
  console.log(`ok - ${label}: flow over real HTTP, typed errors`);
}

// The four Redis commands RedisTokenCache uses, in memory: the subpath must work without ioredis.
function fakeRedis() {
  const data = new Map();
  return {
    data,
    get: async (k) => data.get(k) ?? null,
    set: async (k, v, _px, _ms, nx) => {
      if (nx === 'NX' && data.has(k)) return null;
      data.set(k, v);
      return 'OK';
    },
    del: async (k) => (data.delete(k) ? 1 : 0),
    eval: async (_script, _n, k, id) => (data.get(k) === id && data.delete(k) ? 1 : 0),
  };
}

async function sharedToken(sdk, redisEntry, label) {
  const redis = fakeRedis();
  const tokenCache = new redisEntry.RedisTokenCache({ redis });
  const make = () => new sdk.FlanksClient({ clientId: 'id', clientSecret: 'secret', baseUrl, tokenCache });
  const [a, b] = [make(), make()];
  await a.credentials.getStatus('ct_smoke');
  await b.credentials.getStatus('ct_smoke');
  const keys = [...redis.data.keys()];
  assert.equal(keys.length, 1, `${label}: one shared token entry, lock released`);
  assert.match(keys[0], /^flanks:access-token:[0-9a-f]{64}$/);
  // The shared entry is sealed: no bearer token in clear in the cache.
  assert.match(JSON.parse(redis.data.get(keys[0])).value, /^s1\./);
  assert.ok(!redis.data.get(keys[0]).includes('at_smoke'), `${label}: no token in clear in the cache`);
  const err = (() => {
    try {
      new redisEntry.RedisTokenCache({ redis: {} });
    } catch (e) {
      return e;
    }
  })();
  assert.equal(err?.name, 'FlanksValidationError', `${label}: typed option error`);
  console.log(`ok - ${label}: flanks-sdk/token-cache/redis shares one token between two clients`);
}

// msw is an optional peer that flanks-sdk/testing loads only in createFlanksHandlers(): the handlers
// must come from the same msw the application's setupServer does, from ESM and from CommonJS.
async function mswHandlers(sdk, testing, setupServer, label) {
  const handlers = await testing.createFlanksHandlers({ pendingPolls: 0 });
  const msw = setupServer(...handlers);
  msw.listen({ onUnhandledRequest: 'error' });
  try {
    const flanks = new sdk.FlanksClient({
      clientId: testing.SANDBOX_CLIENT_ID,
      clientSecret: testing.SANDBOX_CLIENT_SECRET,
      baseUrl: handlers.sandbox.apiBaseUrl,
    });
    const token = handlers.sandbox.createCredential({ pendingPolls: 0 });
    assert.equal((await flanks.credentials.getStatus(token)).pending, false);
    assert.deepEqual(handlers.sandbox.stats.requests, { '/v0/token': 1, '/v0/bank/credentials/status': 1 });
  } finally {
    msw.close();
  }
  console.log(`ok - ${label}: createFlanksHandlers() serves the SDK through the application's setupServer`);
}

try {
  await flow(await import('flanks-sdk'), 'ESM import');
  await flow(require('flanks-sdk'), 'CommonJS require');
  const testingEsm = await import('flanks-sdk/testing');
  const testingCjs = require('flanks-sdk/testing');
  assert.equal(typeof testingEsm.runCredentialStoreContract, 'function');
  assert.equal(typeof testingCjs.runCredentialStoreContract, 'function');
  assert.equal(typeof testingEsm.runTokenCacheContract, 'function');
  console.log('ok - flanks-sdk/testing loads from ESM and CommonJS');
  await mswHandlers(
    await import('flanks-sdk'),
    testingEsm,
    (await import('msw/node')).setupServer,
    'ESM import',
  );
  await mswHandlers(require('flanks-sdk'), testingCjs, require('msw/node').setupServer, 'CommonJS require');
  await sharedToken(await import('flanks-sdk'), await import('flanks-sdk/token-cache/redis'), 'ESM import');
  await sharedToken(require('flanks-sdk'), require('flanks-sdk/token-cache/redis'), 'CommonJS require');

  // A store error must be the same FlanksError class users import from the main entry, under both
  // module systems: separate bundles per entry would give each its own copy of the class.
  const failing = { query: async () => Promise.reject(Object.assign(new Error('down'), { code: '57P01' })) };
  for (const [label, main, stores] of [
    ['ESM', await import('flanks-sdk'), await import('flanks-sdk/stores/postgres')],
    ['CommonJS', require('flanks-sdk'), require('flanks-sdk/stores/postgres')],
  ]) {
    const store = new stores.PostgresCredentialStore({ pool: failing });
    const err = await store.get('ct_smoke').catch((e) => e);
    assert.ok(
      err instanceof main.FlanksStoreError && err instanceof main.FlanksError,
      `${label}: store error class`,
    );
    assert.equal(err.code, '57P01');
    assert.ok(store.list() instanceof main.Paginator, `${label}: list() is the main entry's Paginator`);
    assert.throws(() => new stores.PostgresCredentialStore({}), main.FlanksValidationError);
    // The CJS build's chunks go through a class transform: names must survive it (stack traces, logs).
    for (const name of [
      'FlanksClient',
      'FlanksError',
      'FlanksValidationError',
      'FlanksStoreError',
      'Paginator',
    ]) {
      assert.equal(main[name].name, name, `${label}: class name of ${name}`);
    }
    assert.equal(err.constructor.name, 'FlanksStoreError', `${label}: constructor name`);
  }
  console.log('ok - flanks-sdk/stores/postgres loads from ESM and CommonJS and shares the error classes');

  // flanks-sdk/otel with the real OpenTelemetry SDK (in-memory exporter), from ESM and CommonJS.
  const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = await import(
    '@opentelemetry/sdk-trace-base'
  );
  for (const [label, main, otel] of [
    ['ESM', await import('flanks-sdk'), await import('flanks-sdk/otel')],
    ['CommonJS', require('flanks-sdk'), require('flanks-sdk/otel')],
  ]) {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const flanks = new main.FlanksClient({ clientId: 'id', clientSecret: 'secret', baseUrl });
    const uninstall = otel.instrument(flanks, { tracer: provider.getTracer('smoke') });
    await flanks.credentials.getStatus('ct_smoke');
    await flanks.links.exchangeCode('bad').catch(() => undefined);
    uninstall();
    const spans = exporter.getFinishedSpans();
    assert.deepEqual(
      spans.map((span) => `${span.name} ${span.status.code}`),
      [
        'Flanks POST /v0/token 0',
        'Flanks POST /v0/bank/credentials/status 0',
        'Flanks POST /v0/platform/link 2',
      ],
      `${label}: one span per call, the failed one with status ERROR`,
    );
    assert.throws(
      () => otel.instrument(flanks, {}),
      main.FlanksValidationError,
      `${label}: shared error class`,
    );
    await provider.shutdown();
  }
  console.log('ok - flanks-sdk/otel turns calls into OpenTelemetry spans from ESM and CommonJS');
} finally {
  server.close();
}

// The `flanks-sandbox` bin: starts, prints its URL, serves the token endpoint, stops on SIGTERM.
{
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['dist/bin/flanks-sandbox.js', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /https?:\/\/127\.0\.0\.1:\d+/.exec(out);
      if (match) resolve(match[0]);
    });
    child.on('exit', (code) => reject(new Error(`flanks-sandbox exited early (${code}): ${out}`)));
  });
  const { SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET } = await import('flanks-sdk/testing');
  const response = await fetch(`${url}/v0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_id: SANDBOX_CLIENT_ID,
      client_secret: SANDBOX_CLIENT_SECRET,
      grant_type: 'client_credentials',
    }),
  });
  assert.equal(response.status, 200);
  child.kill('SIGTERM');
  const [code] = await once(child, 'exit');
  assert.equal(code, 0);
  console.log('ok - flanks-sandbox bin serves the API and stops on SIGTERM');
}

// The `flanks-sdk` bin: `doctor --sandbox` checks every read-only endpoint of the embedded sandbox
// (all match: exit 0) and writes its report; bad arguments get the usage and exit 2, no stack trace.
{
  const { spawnSync } = await import('node:child_process');
  const { mkdtempSync, readFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const out = join(mkdtempSync(join(tmpdir(), 'flanks-doctor-')), 'report.json');
  const run = (...args) =>
    spawnSync(process.execPath, ['dist/bin/flanks-sdk.js', ...args], { encoding: 'utf8' });
  const demo = run('doctor', '--sandbox', '--json', '--out', out);
  assert.equal(demo.status, 0, demo.stderr);
  const printed = JSON.parse(demo.stdout);
  assert.equal(printed.summary.ok, printed.results.length);
  assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')).summary, printed.summary);
  const bad = run('doctor', '--no-such-flag');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^flanks-sdk doctor: .*\n\nUsage: flanks-sdk doctor/);
  assert.doesNotMatch(bad.stderr, /\n\s+at /);
  console.log('ok - flanks-sdk doctor bin: --sandbox matches everywhere, bad arguments get the usage');
}
