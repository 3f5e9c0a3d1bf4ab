// The runtime matrix's flow: one full Link flow of the BUILT SDK against the sandbox over real HTTP.
// Runtime-neutral on purpose — no `node:` imports, no `process`, no `Deno`, only `fetch`, `URL` and
// `URLSearchParams` — so the same file runs on Node, Bun, Deno and inside workerd. The sandbox lives
// in another process (test/runtimes/run.mjs), so the link code comes from driving the Link page
// over HTTP, as a user's browser would, not from the sandbox object.

function check(condition, message) {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

/** Hidden inputs and action of the first form on an HTML page (the sandbox's Link page). */
function formOf(html, pageUrl) {
  const form = /<form\b[^>]*>[\s\S]*?<\/form>/i.exec(html)?.[0];
  check(form, `the Link page at ${pageUrl} has a form`);
  const attr = (tag, name) => {
    const m = new RegExp(`\\s${name}\\s*=\\s*"([^"]*)"`, 'i').exec(tag);
    return m?.[1]
      .replace(/&quot;/g, '"')
      .replace(/&#39;|&#x27;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  };
  const fields = {};
  for (const input of form.match(/<input\b[^>]*>/gi) ?? []) {
    const name = attr(input, 'name');
    if (name && attr(input, 'type') === 'hidden') fields[name] = attr(input, 'value') ?? '';
  }
  return { action: new URL(attr(/<form\b[^>]*>/i.exec(form)[0], 'action') ?? pageUrl, pageUrl).href, fields };
}

/** A tracer of @opentelemetry/api's shape that records span names and statuses: no OpenTelemetry here. */
function recordingTracer() {
  const spans = [];
  return {
    spans,
    startSpan(name) {
      const span = { name, status: 0, ended: false };
      spans.push(span);
      return {
        setAttribute() {},
        addEvent() {},
        setStatus(status) {
          span.status = status.code;
        },
        end() {
          span.ended = true;
        },
      };
    },
  };
}

/**
 * Runs the flow with `sdk` (the module object of `flanks-sdk`, ESM or CommonJS) and `otel` (that of
 * `flanks-sdk/otel`) and returns a short summary. Throws on any failure.
 *
 * @param {object} sdk
 * @param {{ baseUrl: string, linkBaseUrl: string, clientId: string, clientSecret: string }} config
 * @param {object} otel
 */
export async function runFlow(sdk, config, otel) {
  const { FlanksClient, MemoryCredentialStore, EncryptedCredentialStore, FlanksApiError, FlanksError } = sdk;
  for (const name of [
    'FlanksClient',
    'MemoryCredentialStore',
    'EncryptedCredentialStore',
    'FlanksApiError',
    'FlanksError',
  ]) {
    check(typeof sdk[name] === 'function', `the SDK exports ${name}`);
  }
  // Web Crypto (AES-GCM, HKDF, HMAC), the signed link state (on by default, its key derived from the
  // client secret) and the sealed token cache must work on every runtime.
  const store = new EncryptedCredentialStore(new MemoryCredentialStore(), {
    keys: { k1: 'AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=' },
    currentKeyId: 'k1',
  });
  const flanks = new FlanksClient({
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    baseUrl: config.baseUrl,
    linkBaseUrl: config.linkBaseUrl,
    store,
    tokenCache: new sdk.MemoryTokenCache(),
    validation: 'strict',
    timeoutMs: 10_000,
  });
  // Events and spans: every call ends once, and flanks-sdk/otel makes one span of it.
  const ends = [];
  flanks.on('end', (event) => ends.push(event));
  const tracer = recordingTracer();
  const uninstall = otel.instrument(flanks, { tracer });

  // 1. A link of our own (Links API), and its Link URL.
  const redirectUri = 'https://app.example.com/flanks/callback';
  const link = await flanks.links.create({
    redirect_uri: redirectUri,
    name: `runtime matrix ${crypto.randomUUID()}`,
  });
  check(typeof link.token === 'string' && link.token.length > 0, 'links.create returns a token');
  const linkUrl = flanks.links.buildUrl({
    token: link.token,
    bank: 'testbank',
    externalId: 'user-rt',
    userId: 'user-rt',
  });
  check(/[?&]state=v2\./.test(linkUrl), 'buildUrl adds the signed state');
  const state = new URL(linkUrl).searchParams.get('state');
  check(flanks.links.stateOwner({ extra: { state } }).userId === 'user-rt', 'stateOwner reads the user back');

  // 2. The user logs in to TestBank on the Link page; the code is in the 303's Location.
  const page = await fetch(linkUrl);
  check(page.status === 200, `GET Link page → 200 (got ${page.status})`);
  const form = formOf(await page.text(), linkUrl);
  const submitted = await fetch(form.action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      ...form.fields,
      username: `runtime-${crypto.randomUUID()}`,
      password: 'correct-horse',
    }),
    redirect: 'manual',
  });
  const location = submitted.headers.get('location');
  if (submitted.status !== 303 || !location) {
    const shown = /id="error"[^>]*>([^<]*)/.exec(await submitted.text())?.[1] ?? 'no error shown';
    check(
      false,
      `POST login → 303 with Location (got ${submitted.status}: ${shown}; form ${JSON.stringify(form)})`,
    );
  }
  check(location.startsWith(redirectUri), `redirected to the link's redirect URI (${location})`);
  const redirect = flanks.links.parseRedirect(location);
  check(redirect.ok, `parseRedirect: a code, not an error (${JSON.stringify(redirect)})`);

  // 3. Exchange the code and store the credentials token.
  const record = await flanks.completeLink({ code: redirect.code, userId: 'user-rt' });
  check(record.credentialsToken, 'completeLink returns a credentials token');
  const stored = await store.listByUser('user-rt');
  check(stored.length === 1 && stored[0].credentialsToken === record.credentialsToken, 'the store holds it');
  check(stored[0] !== record, 'the store hands out copies');
  check(JSON.stringify(stored[0]) === JSON.stringify(record), 'the encrypted store decrypts what it stored');

  // 4. Poll until the first extraction is done, then fetch data.
  const status = await flanks.credentials.waitUntilReady(record.credentialsToken, {
    timeoutMs: 20_000,
    pollIntervalMs: 50,
  });
  check(status.pending === false, 'waitUntilReady resolves with pending: false');
  const portfolioCall = flanks.aggregation.portfolios(record.credentialsToken);
  check(portfolioCall instanceof Promise, 'API methods return a Promise (APIPromise)');
  const { data: portfolios, response } = await portfolioCall.withResponse();
  check(Array.isArray(portfolios) && portfolios.length > 0, 'portfolios returns a non-empty list');
  check(response.status === 200 && response.attempts === 1, `withResponse: ${JSON.stringify(response)}`);
  check(
    typeof response.headers['content-type'] === 'string',
    'withResponse gives the headers as a plain object',
  );
  check((await portfolioCall) === portfolios, 'await gives the same data as withResponse');

  // 5. Typed errors: a bad code is a FlanksApiError (a FlanksError), with the HTTP status.
  const error = await flanks.links.exchangeCode('bad').then(
    () => undefined,
    (e) => e,
  );
  check(error instanceof FlanksApiError, `exchangeCode('bad') rejects with FlanksApiError (got ${error})`);
  check(error instanceof FlanksError, 'FlanksApiError is a FlanksError');
  check(
    typeof error.status === 'number' && error.status >= 400,
    `the error has an HTTP status (${error.status})`,
  );
  uninstall();
  const last = ends.at(-1);
  check(
    last?.error === error && last.path === '/v0/platform/link',
    "the failed call's end event holds its error",
  );
  check(
    tracer.spans.length === ends.length && tracer.spans.every((s) => s.ended),
    `one ended span per call (${tracer.spans.length} spans, ${ends.length} calls)`,
  );
  check(tracer.spans.at(-1)?.status === 2, 'the failed call has an ERROR span');

  return { portfolios: portfolios.length, errorStatus: error.status };
}
