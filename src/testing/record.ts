import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FlanksError } from '../core/errors';
import { isRecord } from '../internal/args';
import { Scrubber } from './scrub';

/*
 * Record and replay of Flanks exchanges for integrators' own tests. A recording is a folder of JSON
 * fixtures, one per request/response pair, numbered in the order the requests started, with every
 * secret replaced and personal data swapped for same-shaped placeholders (scrub.ts; one mapping per
 * recording). Replay matches a request to a fixture by method, path, query and body, where a value
 * the recorder replaced matches any value the test brings itself (its own client secret, a link code
 * from its own redirect) but must be the same placeholder when it is one (a token a replayed response
 * gave). Fixtures of the same request are served in recorded order (status polls see the same
 * progression); once used up, the last one is served again.
 */

/**
 * One recorded request/response pair, as stored in `<dir>/NNNN-<method>-<path>.json`. Every secret
 * is `redacted-<kind>-<n>` and personal data is a same-shaped placeholder; `request.redacted` lists
 * the request's paths (`body.client_secret`, `query.link_token`, `headers.authorization`) whose value
 * was replaced.
 *
 * @example
 * ```ts
 * const fixture: FlanksFixture = JSON.parse(readFileSync('fixtures/flanks/0002-post-v0_bank_credentials_status.json', 'utf8'));
 * ```
 * @see https://docs.flanks.io/pages/integration-example
 */
export interface FlanksFixture {
  request: {
    method: string;
    url: string;
    headers: Record<string, string>;
    body: unknown;
    redacted: string[];
  };
  response: { status: number; headers: Record<string, string>; body: unknown };
}

/**
 * Options of {@link recordFlanks}.
 *
 * @example
 * ```ts
 * const options: RecordFlanksOptions = { dir: 'test/fixtures/flanks', fetch: globalThis.fetch };
 * ```
 * @see https://docs.flanks.io/pages/integration-example
 */
export interface RecordFlanksOptions {
  /** The folder of the recording. Its fixtures from an earlier recording are removed first. */
  dir: string;
  /** The fetch that really sends the requests. Default: the global `fetch`. */
  fetch?: typeof fetch;
}

const FIXTURE_FILE = /^\d{4}-[\w.-]+\.json$/;
const KEPT_REQUEST_HEADERS = new Set(['authorization', 'content-type', 'accept']);
const KEPT_RESPONSE_HEADERS = new Set(['content-type', 'retry-after', 'x-trace-id']);
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function queryOf(url: URL): Record<string, string> | undefined {
  const entries = [...url.searchParams];
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/** Scrubs one exchange: first learns every value found by key, then replaces. */
function scrub(
  scrubber: Scrubber,
  raw: {
    method: string;
    url: URL;
    requestHeaders: Headers;
    requestBody: unknown;
    status: number;
    responseHeaders: Headers;
    responseBody: unknown;
  },
): FlanksFixture {
  const path = raw.url.pathname;
  const bearer = /^Bearer (.+)$/i.exec(raw.requestHeaders.get('authorization') ?? '')?.[1];
  if (bearer) scrubber.secret(bearer, 'access_token');
  const query = queryOf(raw.url);
  for (const value of [query, raw.requestBody, raw.responseBody]) scrubber.learn(value, path);
  const redacted: string[] = [];
  const headers: Record<string, string> = {};
  for (const [name, value] of raw.requestHeaders) {
    if (!KEPT_REQUEST_HEADERS.has(name)) continue;
    headers[name] =
      name === 'authorization' && bearer
        ? `Bearer ${scrubber.secret(bearer, 'access_token')}`
        : scrubber.text(value);
    if (headers[name] !== value) redacted.push(`headers.${name}`);
  }
  const url = new URL(raw.url.pathname, raw.url.origin);
  const scrubbedQuery = scrubber.apply(query, path, 'query', redacted) as Record<string, string> | undefined;
  for (const [k, v] of Object.entries(scrubbedQuery ?? {})) url.searchParams.set(k, v);
  const responseHeaders: Record<string, string> = {};
  for (const [name, value] of raw.responseHeaders) {
    if (KEPT_RESPONSE_HEADERS.has(name)) responseHeaders[name] = scrubber.text(value);
  }
  return {
    request: {
      method: raw.method,
      url: url.href,
      headers,
      body: scrubber.apply(raw.requestBody, path, 'body', redacted),
      redacted,
    },
    response: {
      status: raw.status,
      headers: responseHeaders,
      body: scrubber.apply(raw.responseBody, path, 'body', []),
    },
  };
}

/**
 * A `fetch` that records every Flanks request it sends, for replay with {@link replayFlanks}: pass
 * it as the client's `fetch` option. Each request/response pair is written to `dir` as a JSON
 * fixture ({@link FlanksFixture}) before the response is handed back, with every secret removed
 * (client secret, access and credentials tokens, link codes and tokens, `Authorization`) and personal
 * data replaced by same-shaped placeholders (names, document ids, IBANs with valid check digits, card
 * numbers with a valid Luhn digit, e-mails, phones, addresses, free text); the same value always gets
 * the same placeholder within a recording. The response the client gets is Flanks' own.
 *
 * @example
 * ```ts
 * import { recordFlanks } from 'flanks-sdk/testing';
 *
 * const flanks = new FlanksClient({ fetch: recordFlanks({ dir: 'test/fixtures/flanks' }) });
 * await flanks.credentials.getStatus(token); // → test/fixtures/flanks/0002-post-v0_bank_credentials_status.json
 * ```
 * @see https://docs.flanks.io/pages/integration-example
 */
export function recordFlanks(options: RecordFlanksOptions): typeof fetch {
  const dir = (options as Partial<RecordFlanksOptions> | undefined)?.dir;
  if (typeof dir !== 'string' || dir === '') {
    throw new FlanksError('recordFlanks({ dir }) needs the folder to write the recording to.');
  }
  const send = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const scrubber = new Scrubber();
  let count = 0;
  // The folder is prepared once, before the first fixture is written.
  let ready: Promise<void> | undefined;
  const prepare = async () => {
    await mkdir(dir, { recursive: true });
    for (const file of await readdir(dir)) if (FIXTURE_FILE.test(file)) await rm(join(dir, file));
  };
  return async (input, init) => {
    const request = new Request(input, init);
    const number = ++count;
    const requestText = request.body ? await request.clone().text() : '';
    const response = await send(input, init);
    const text = await response.text();
    const url = new URL(request.url);
    ready ??= prepare();
    await ready;
    const fixture = scrub(scrubber, {
      method: request.method,
      url,
      requestHeaders: request.headers,
      requestBody: parseBody(requestText),
      status: response.status,
      responseHeaders: response.headers,
      responseBody: parseBody(text),
    });
    const slug = url.pathname.replace(/^\/+/, '').replace(/[^\w.-]+/g, '_') || 'root';
    await writeFile(
      join(dir, `${String(number).padStart(4, '0')}-${request.method.toLowerCase()}-${slug}.json`),
      `${JSON.stringify(fixture, null, 2)}\n`,
    );
    const headers = new Headers(response.headers);
    headers.delete('content-encoding');
    headers.delete('content-length');
    return new Response(NULL_BODY_STATUSES.has(response.status) ? null : text, {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  };
}

/**
 * A recording served back: a `fetch` to pass as the client's `fetch` option, or msw handlers. See
 * {@link replayFlanks}.
 *
 * @example
 * ```ts
 * const replay = replayFlanks('test/fixtures/flanks');
 * const flanks = new FlanksClient({ clientId: 'any', clientSecret: 'any', fetch: replay.fetch });
 * ```
 * @see https://docs.flanks.io/pages/integration-example
 */
export interface FlanksReplay {
  /** Answers from the recording; a request with no fixture gets a 404 naming it. */
  fetch: typeof fetch;
  /**
   * msw 2 request handlers that answer from the recording, for the recorded API origins or the given
   * `baseUrl`. Loads the optional peer dependency `msw`.
   */
  handlers(options?: { baseUrl?: string }): Promise<import('msw').RequestHandler[]>;
  /** The fixtures, in recorded order. */
  readonly fixtures: readonly FlanksFixture[];
}

const PLACEHOLDER = /^redacted-[a-z_]+-\d+$/;

/** Whether the incoming `value` matches the recorded one at `at` (see the rules at the top). */
function matches(recorded: unknown, value: unknown, at: string, redacted: ReadonlySet<string>): boolean {
  if (redacted.has(at) && typeof recorded === 'string') {
    return typeof value === 'string' && (value === recorded || !PLACEHOLDER.test(value));
  }
  if (Array.isArray(recorded)) {
    return (
      Array.isArray(value) &&
      value.length === recorded.length &&
      recorded.every((r, i) => matches(r, value[i], `${at}[${i}]`, redacted))
    );
  }
  if (recorded !== null && typeof recorded === 'object') {
    if (!isRecord(value)) return false;
    const keys = Object.keys(recorded);
    if (keys.length !== Object.keys(value).length) return false;
    return keys.every((k) =>
      matches(
        (recorded as Record<string, unknown>)[k],
        (value as Record<string, unknown>)[k],
        `${at}.${k}`,
        redacted,
      ),
    );
  }
  return Object.is(recorded, value);
}

/**
 * Serves a recording made by {@link recordFlanks} back, so a test runs against what Flanks really
 * answered without network access or credentials. Give the replaying client the placeholders the
 * replayed responses hand out (the credentials token of the replayed code exchange, …); values the
 * test brings itself (its client id and secret, a link code) match whatever was recorded.
 *
 * @example
 * ```ts
 * import { replayFlanks } from 'flanks-sdk/testing';
 *
 * const replay = replayFlanks('test/fixtures/flanks');
 * const flanks = new FlanksClient({ clientId: 'test', clientSecret: 'test', fetch: replay.fetch });
 * // or, with msw: server.use(...(await replay.handlers({ baseUrl: 'https://api.flanks.io' })));
 * const record = await flanks.completeLink({ code: 'any-code', userId: 'u1' });
 * ```
 * @see https://docs.flanks.io/pages/integration-example
 */
export function replayFlanks(dir: string): FlanksReplay {
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => FIXTURE_FILE.test(f))
      .sort();
  } catch {
    throw new FlanksError(`replayFlanks(): cannot read the recording folder ${JSON.stringify(dir)}.`);
  }
  const fixtures: FlanksFixture[] = files.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
  const used = new Set<FlanksFixture>();

  const answer = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const body = parseBody(request.body ? await request.text() : '');
    const query = queryOf(url);
    const candidates = fixtures.filter((f) => {
      const recorded = new URL(f.request.url);
      const redacted = new Set(f.request.redacted);
      return (
        f.request.method === request.method &&
        recorded.pathname === url.pathname &&
        matches(queryOf(recorded), query, 'query', redacted) &&
        matches(f.request.body, body, 'body', redacted)
      );
    });
    const fixture = candidates.find((f) => !used.has(f)) ?? candidates.at(-1);
    if (!fixture) {
      return Response.json(
        {
          error: `flanks-sdk replay: no recorded response for ${request.method} ${url.pathname} with this body`,
        },
        { status: 404 },
      );
    }
    used.add(fixture);
    const { status, headers, body: recorded } = fixture.response;
    const text =
      recorded === undefined ? null : typeof recorded === 'string' ? recorded : JSON.stringify(recorded);
    return new Response(NULL_BODY_STATUSES.has(status) ? null : text, { status, headers });
  };

  return {
    fixtures,
    fetch: (input, init) => answer(new Request(input, init)),
    async handlers(options = {}) {
      let msw: typeof import('msw');
      try {
        msw = await import('msw');
      } catch {
        throw new FlanksError(
          'replayFlanks().handlers() needs the optional peer dependency msw (npm install --save-dev msw); or pass replay.fetch to the client instead.',
        );
      }
      const origins = options.baseUrl
        ? [options.baseUrl.replace(/\/+$/, '')]
        : [...new Set(fixtures.map((f) => new URL(f.request.url).origin))];
      return origins.map((origin) => msw.http.all(`${origin}/*`, ({ request }) => answer(request)));
    },
  };
}
