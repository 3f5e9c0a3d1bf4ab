import { inspect } from 'node:util';
import { HttpResponse, http } from 'msw';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FlanksApiError, FlanksError, FlanksRateLimitError, FlanksValidationError } from '../../src';
import { ACCESS_TOKEN, BASE, makeClient, route, server, settle, tokenRoute, useMsw } from '../helpers';

useMsw();

const LINK_BASE = 'https://link.flanks.test/link';
const LINK_TOKEN = 'lt_4f9a2b7c';
const CODE = 'lc_live_code_0123456789abcdef';

const LINK = {
  token: LINK_TOKEN,
  name: 'web',
  redirect_uri: 'https://app.example.com/flanks/callback',
  company_name: 'Gestora Ejemplo S.L.',
  terms_and_conditions_url: null,
  privacy_policy_url: null,
  active: true,
  pending_code_count: 2,
};

function dump(err: unknown): string {
  return `${String((err as Error).message)}\n${JSON.stringify(err)}\n${inspect(err, { depth: 10 })}`;
}

/** Catches both a synchronous throw and a rejection. */
async function caught(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('links', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('buildUrl', () => {
    const USER = 'user-42';
    /** The URL without its signed state, which must be there (checked in test/security/link-state). */
    const unsigned = (url: string) => {
      const state = new URL(url).searchParams.get('state');
      expect(state).toMatch(/^v2\./);
      return url.replace(`&state=${state}`, '');
    };

    it('sets token, bank, external_id, rollback=true and the signed state on the link base URL', () => {
      const url = makeClient().links.buildUrl({
        token: LINK_TOKEN,
        userId: USER,
        bank: 'testbank',
        externalId: 'user-42',
        rollback: true,
      });
      const parsed = new URL(url);
      expect(`${parsed.origin}${parsed.pathname}`).toBe(LINK_BASE);
      expect(Object.fromEntries(parsed.searchParams)).toEqual({
        token: LINK_TOKEN,
        bank: 'testbank',
        external_id: 'user-42',
        rollback: 'true',
        state: expect.stringMatching(/^v2\./),
      });
      expect(unsigned(url)).toBe(
        `${LINK_BASE}?token=${LINK_TOKEN}&bank=testbank&external_id=user-42&rollback=true`,
      );
    });

    it('only the token and the state when nothing else is given; rollback false or [] adds nothing', () => {
      const links = makeClient().links;
      expect(unsigned(links.buildUrl({ token: LINK_TOKEN, userId: USER }))).toBe(
        `${LINK_BASE}?token=${LINK_TOKEN}`,
      );
      expect(unsigned(links.buildUrl({ token: LINK_TOKEN, userId: USER, rollback: false }))).toBe(
        `${LINK_BASE}?token=${LINK_TOKEN}`,
      );
      expect(unsigned(links.buildUrl({ token: LINK_TOKEN, userId: USER, rollback: [] }))).toBe(
        `${LINK_BASE}?token=${LINK_TOKEN}`,
      );
      expect(links.buildUrl({ token: LINK_TOKEN, dangerouslyOmitState: true })).toBe(
        `${LINK_BASE}?token=${LINK_TOKEN}`,
      );
    });

    it('a rollback list is comma-joined', () => {
      const url = makeClient().links.buildUrl({
        token: LINK_TOKEN,
        userId: USER,
        rollback: ['INVALID_CREDENTIALS', 'INVALID_SCA', 'ABORTED_BY_USER'],
      });
      expect(new URL(url).searchParams.get('rollback')).toBe(
        'INVALID_CREDENTIALS,INVALID_SCA,ABORTED_BY_USER',
      );
      expect(new URL(url).searchParams.getAll('rollback')).toHaveLength(1);
    });

    it('custom params: strings, numbers and booleans', () => {
      const url = makeClient().links.buildUrl({
        token: LINK_TOKEN,
        userId: USER,
        params: { plan: 'pro', seats: 3, trial: false },
      });
      const search = new URL(url).searchParams;
      expect(search.get('plan')).toBe('pro');
      expect(search.get('seats')).toBe('3');
      expect(search.get('trial')).toBe('false');
      expect(search.get('token')).toBe(LINK_TOKEN);
    });

    it('encodes spaces, &, =, #, + and unicode so every value comes back intact', () => {
      const tricky = {
        campaign: 'spring sale',
        pair: 'a=b&c=d',
        anchor: 'x#y',
        plus: '1+1',
        name: 'José Núñez 日本 🏦',
        percent: '100%',
      };
      const url = makeClient().links.buildUrl({
        token: LINK_TOKEN,
        userId: 'José 日本',
        externalId: 'ext id&x=1#f',
        params: tricky,
      });
      expect(url).not.toMatch(/\s/);
      const [, query] = url.split('?') as [string, string];
      expect(query).not.toContain('#');
      expect(query).not.toMatch(/[^\x21-\x7e]/); // only printable ASCII
      expect(query.split('&')).toHaveLength(3 + Object.keys(tricky).length);
      const parsed = new URL(url);
      expect(parsed.hash).toBe('');
      expect(Object.fromEntries(parsed.searchParams)).toEqual({
        token: LINK_TOKEN,
        external_id: 'ext id&x=1#f',
        ...tricky,
        state: expect.stringMatching(/^v2\./),
      });
      expect(query).toContain('pair=a%3Db%26c%3Dd');
      expect(query).toContain('anchor=x%23y');
      expect(query).toContain('name=Jos%C3%A9');
    });

    it.each([
      'token',
      'bank',
      'external_id',
      'rollback',
      'code',
      'error',
      'state',
      'reset_token',
      'sca_token',
    ])('a reserved custom param (%s) → FlanksValidationError with its path', (key) => {
      const err = (() => {
        try {
          makeClient().links.buildUrl({ token: LINK_TOKEN, userId: USER, params: { [key]: 'x' } });
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(FlanksValidationError);
      expect((err as FlanksValidationError).path).toBe(`params.params.${key}`);
    });

    it.each([
      ['empty token', { token: '', userId: USER }, 'params.token'],
      ['blank token', { token: '  ', userId: USER }, 'params.token'],
      ['missing token', { userId: USER }, 'params.token'],
      ['missing userId', { token: LINK_TOKEN }, 'params.userId'],
      ['blank userId', { token: LINK_TOKEN, userId: ' ' }, 'params.userId'],
      [
        'userId with dangerouslyOmitState',
        { token: LINK_TOKEN, userId: USER, dangerouslyOmitState: true },
        'params.userId',
      ],
      [
        'non-boolean dangerouslyOmitState',
        { token: LINK_TOKEN, dangerouslyOmitState: 'yes' },
        'params.dangerouslyOmitState',
      ],
      ['zero stateTtlMs', { token: LINK_TOKEN, userId: USER, stateTtlMs: 0 }, 'params.stateTtlMs'],
      ['empty bank', { token: LINK_TOKEN, userId: USER, bank: '' }, 'params.bank'],
      ['non-string externalId', { token: LINK_TOKEN, userId: USER, externalId: 42 }, 'params.externalId'],
      ['rollback string', { token: LINK_TOKEN, userId: USER, rollback: 'true' }, 'params.rollback'],
      [
        'rollback with an empty code',
        { token: LINK_TOKEN, userId: USER, rollback: ['INVALID_SCA', ''] },
        'params.rollback[1]',
      ],
      [
        'object custom value',
        { token: LINK_TOKEN, userId: USER, params: { a: { b: 1 } } },
        'params.params.a',
      ],
      ['params not an object', { token: LINK_TOKEN, userId: USER, params: 'a=b' }, 'params.params'],
      ['reauth not an object', { token: LINK_TOKEN, userId: USER, reauth: 'rt_x' }, 'params.reauth'],
      ['reauth with neither token', { token: LINK_TOKEN, userId: USER, reauth: {} }, 'params.reauth'],
      [
        'reauth with both tokens',
        { token: LINK_TOKEN, userId: USER, reauth: { resetToken: 'rt_1', scaToken: 'st_1' } },
        'params.reauth',
      ],
      [
        'reauth with an empty resetToken',
        { token: LINK_TOKEN, userId: USER, reauth: { resetToken: '' } },
        'params.reauth.resetToken',
      ],
      [
        'reauth with a numeric scaToken',
        { token: LINK_TOKEN, userId: USER, reauth: { scaToken: 7 } },
        'params.reauth.scaToken',
      ],
    ])('%s → FlanksValidationError', (_what, params, path) => {
      const links = makeClient().links;
      expect(() => links.buildUrl(params as never)).toThrow(FlanksValidationError);
      try {
        links.buildUrl(params as never);
      } catch (e) {
        expect((e as FlanksValidationError).path).toBe(path);
      }
    });

    it("reauth adds the reset_token or sca_token parameter (the SDK's assumption)", () => {
      const links = makeClient().links;
      const reset = new URL(
        links.buildUrl({
          token: LINK_TOKEN,
          userId: USER,
          rollback: true,
          reauth: { resetToken: 'rt_live_9f8e7d6c' },
        }),
      );
      expect(Object.fromEntries(reset.searchParams)).toEqual({
        token: LINK_TOKEN,
        rollback: 'true',
        reset_token: 'rt_live_9f8e7d6c',
        state: expect.stringMatching(/^v2\./),
      });
      const sca = new URL(
        links.buildUrl({ token: LINK_TOKEN, userId: USER, reauth: { scaToken: 'st_live_1a2b3c4d' } }),
      );
      expect(Object.fromEntries(sca.searchParams)).toEqual({
        token: LINK_TOKEN,
        sca_token: 'st_live_1a2b3c4d',
        state: expect.stringMatching(/^v2\./),
      });
    });

    it('a bad reauth names the field, never the token', () => {
      const secret = 'rt_live_must_not_leak';
      const err = (() => {
        try {
          makeClient().links.buildUrl({
            token: LINK_TOKEN,
            reauth: { resetToken: secret, scaToken: secret } as never,
          });
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(FlanksValidationError);
      expect(dump(err)).not.toContain(secret);
    });

    it('null params → FlanksValidationError', () => {
      expect(() => makeClient().links.buildUrl(null as never)).toThrow(FlanksValidationError);
    });

    it('is pure: no request, not even a token fetch', async () => {
      // Any request to the API host is recorded (unhandled ones elsewhere would also fail the file).
      const seen: string[] = [];
      server.use(
        http.all(`${BASE}/*`, ({ request }) => {
          seen.push(`${request.method} ${request.url}`);
          return HttpResponse.json({});
        }),
      );
      const client = makeClient();
      const url = client.links.buildUrl({ token: LINK_TOKEN, userId: USER, bank: 'testbank' });
      expect(unsigned(url)).toBe(`${LINK_BASE}?token=${LINK_TOKEN}&bank=testbank`);
      await new Promise((resolve) => setTimeout(resolve, 20)); // let any stray request arrive
      expect(seen).toEqual([]);
    });
  });

  describe('parseRedirect', () => {
    const links = makeClient().links;

    it('an absolute URL string with a code', () => {
      expect(links.parseRedirect('https://app.example.com/cb?code=abc123&campaign=spring')).toEqual({
        ok: true,
        code: 'abc123',
        params: { code: 'abc123', campaign: 'spring' },
      });
    });

    it("a relative path such as Node's req.url", () => {
      expect(links.parseRedirect('/cb?code=abc&campaign=x')).toEqual({
        ok: true,
        code: 'abc',
        params: { code: 'abc', campaign: 'x' },
      });
    });

    it('a URL object', () => {
      const result = links.parseRedirect(new URL('https://app.example.com/cb?code=c%20d&x=%C3%B1'));
      expect(result).toEqual({ ok: true, code: 'c d', params: { code: 'c d', x: 'ñ' } });
    });

    it('a fetch Request', () => {
      const result = links.parseRedirect(new Request('https://app.example.com/cb?code=req_code&user=7'));
      expect(result).toEqual({ ok: true, code: 'req_code', params: { code: 'req_code', user: '7' } });
    });

    it('an object with a url (e.g. an Express/Node request)', () => {
      expect(links.parseRedirect({ url: '/flanks/callback?code=k1' })).toEqual({
        ok: true,
        code: 'k1',
        params: { code: 'k1' },
      });
    });

    it('an error redirect', () => {
      expect(links.parseRedirect('/cb?error=INVALID_CREDENTIALS&plan=pro')).toEqual({
        ok: false,
        error: 'INVALID_CREDENTIALS',
        params: { error: 'INVALID_CREDENTIALS', plan: 'pro' },
      });
    });

    it('error wins over code', () => {
      const result = links.parseRedirect('https://app.example.com/cb?code=abc&error=ABORTED_BY_USER');
      expect(result.ok).toBe(false);
      expect(result.error).toBe('ABORTED_BY_USER');
      expect(result.code).toBeUndefined();
      expect(result.params).toEqual({ code: 'abc', error: 'ABORTED_BY_USER' });
    });

    it('the fragment is ignored', () => {
      expect(links.parseRedirect('/cb?code=abc#section')).toMatchObject({ ok: true, code: 'abc' });
    });

    it.each([
      ['no query', 'https://app.example.com/cb'],
      ['other params only', '/cb?state=1&foo=bar'],
      ['empty code and error', '/cb?code=&error='],
    ])('neither code nor error (%s) → FlanksValidationError', (_what, input) => {
      expect(() => links.parseRedirect(input)).toThrow(FlanksValidationError);
    });

    it.each([
      ['a number', 42],
      ['null', null],
      ['undefined', undefined],
      ['an empty string', ''],
      ['an object without url', { href: '/cb?code=1' }],
      ['an object with a non-string url', { url: 7 }],
    ])('garbage input (%s) → FlanksValidationError', (_what, input) => {
      expect(() => links.parseRedirect(input as never)).toThrow(FlanksValidationError);
    });
  });

  describe('exchangeCode', () => {
    it("POSTs the code and returns ready with Flanks' answer as sent", async () => {
      tokenRoute();
      const body = {
        credentials_token: 'ct_new_1',
        message: 'Successfully retrieved',
        extra: { external_id: 'user-42', plan: 'pro' },
        link_token: LINK_TOKEN,
      };
      const calls = route('post', '/v0/platform/link', { body });
      const result = await makeClient({ validation: 'strict' }).links.exchangeCode(CODE);
      expect(result).toEqual({ status: 'ready', body });
      expect(calls).toHaveLength(1);
      expect(calls[0]!.method).toBe('POST');
      expect(calls[0]!.body).toEqual({ code: CODE });
      expect(calls[0]!.headers.get('authorization')).toBe(`Bearer ${ACCESS_TOKEN}`);
      expect(calls[0]!.headers.get('content-type')).toContain('application/json');
    });

    it.each([
      ['missing', {}],
      ['null', { extra: null }],
    ])('extra stays as sent when %s (nothing is defaulted)', async (_what, over) => {
      tokenRoute();
      route('post', '/v0/platform/link', { body: { credentials_token: 'ct_new_1', ...over } });
      const result = await makeClient({ validation: 'strict' }).links.exchangeCode(CODE);
      expect(result).toEqual({ status: 'ready', body: { credentials_token: 'ct_new_1', ...over } });
    });

    it("a wire field named `status` cannot collide with the SDK's", async () => {
      tokenRoute();
      const body = { credentials_token: 'ct_new_1', status: 'ACTIVE', extra: null };
      route('post', '/v0/platform/link', { body });
      const result = await makeClient({ validation: 'strict' }).links.exchangeCode(CODE);
      expect(result).toEqual({ status: 'ready', body });
    });

    it('202 → delayed, with whatever the body holds', async () => {
      tokenRoute();
      route('post', '/v0/platform/link', { status: 202, body: { message: 'Security checks in progress' } });
      const result = await makeClient({ validation: 'strict' }).links.exchangeCode(CODE);
      expect(result).toEqual({ status: 'delayed', body: { message: 'Security checks in progress' } });
    });

    it('202 with an empty body → delayed', async () => {
      tokenRoute();
      route('post', '/v0/platform/link', { status: 202, text: '' });
      await expect(makeClient({ validation: 'strict' }).links.exchangeCode(CODE)).resolves.toEqual({
        status: 'delayed',
        body: undefined,
      });
    });

    it('is not retried on a 500', async () => {
      vi.useFakeTimers();
      tokenRoute();
      const calls = route(
        'post',
        '/v0/platform/link',
        { status: 500, body: { error: 'Internal Error' } },
        {
          body: { credentials_token: 'ct_x' },
        },
      );
      const err = await settle(makeClient({ maxRetries: 2 }).links.exchangeCode(CODE)).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(FlanksApiError);
      expect((err as FlanksApiError).status).toBe(500);
      expect(calls).toHaveLength(1);
    });

    it('is not retried after a network error', async () => {
      vi.useFakeTimers();
      tokenRoute();
      const calls = route('post', '/v0/platform/link', 'network-error', {
        body: { credentials_token: 'ct_x' },
      });
      const err = await settle(makeClient({ maxRetries: 2 }).links.exchangeCode(CODE)).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(FlanksError);
      expect(err).not.toBeInstanceOf(FlanksApiError);
      expect(calls).toHaveLength(1);
      expect(dump(err)).not.toContain(CODE);
    });

    it('is retried on a 429 (Flanks did not act on it)', async () => {
      vi.useFakeTimers();
      tokenRoute();
      const calls = route(
        'post',
        '/v0/platform/link',
        { status: 429, body: { error: 'Too many requests' }, headers: { 'retry-after': '2' } },
        { body: { credentials_token: 'ct_after_429', extra: {} } },
      );
      const started = Date.now();
      const result = await settle(makeClient({ maxRetries: 2 }).links.exchangeCode(CODE));
      expect(result).toMatchObject({ status: 'ready', body: { credentials_token: 'ct_after_429' } });
      expect(calls).toHaveLength(2);
      expect(calls[1]!.body).toEqual({ code: CODE });
      expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    });

    it('a persistent 429 ends in FlanksRateLimitError after maxRetries', async () => {
      vi.useFakeTimers();
      tokenRoute();
      const calls = route('post', '/v0/platform/link', { status: 429, body: { error: 'Too many requests' } });
      const err = await settle(makeClient({ maxRetries: 1 }).links.exchangeCode(CODE)).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(FlanksRateLimitError);
      expect(calls).toHaveLength(2);
    });

    it('a 400 → FlanksApiError whose message, JSON and inspect output do not contain the code', async () => {
      tokenRoute();
      const calls = route('post', '/v0/platform/link', { status: 400, body: { error: 'Invalid code' } });
      const err = await makeClient()
        .links.exchangeCode(CODE)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FlanksApiError);
      expect((err as FlanksApiError).status).toBe(400);
      expect((err as Error).message).toContain('Invalid code');
      expect(dump(err)).not.toContain(CODE);
      expect(calls).toHaveLength(1);
    });

    it('a 400 echoing the code in its text does not leak it', async () => {
      tokenRoute();
      route('post', '/v0/platform/link', {
        status: 400,
        body: { error: `Code ${CODE} already used`, detail: { given: CODE } },
      });
      const err = await makeClient()
        .links.exchangeCode(CODE)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FlanksApiError);
      expect((err as Error).message).toContain('already used');
      expect(dump(err)).not.toContain(CODE);
    });

    // Regression: an endpoint echoing `{ code: <link code> }` must not leak the code via err.code/message.
    it('a 400 echoing the request body `{ code }` does not leak the code', async () => {
      tokenRoute();
      route('post', '/v0/platform/link', {
        status: 400,
        body: { error: 'Code already used', code: CODE },
      });
      const err = await makeClient()
        .links.exchangeCode(CODE)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FlanksApiError);
      expect((err as Error).message).toContain('already used');
      expect(dump(err)).not.toContain(CODE);
    });

    it('an empty code → FlanksValidationError, no request', async () => {
      await expect(makeClient().links.exchangeCode('')).rejects.toBeInstanceOf(FlanksValidationError);
    });

    it('strict: a 200 without a credentials token → FlanksValidationError', async () => {
      tokenRoute();
      route('post', '/v0/platform/link', { body: { message: 'ok' } });
      const err = await makeClient({ validation: 'strict' })
        .links.exchangeCode(CODE)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FlanksValidationError);
      expect((err as FlanksValidationError).path).toBe('response.credentials_token');
    });
  });

  describe('list', () => {
    it('POSTs {} and unwraps { success, count, items }', async () => {
      tokenRoute();
      const calls = route('post', '/v0/links/list-links', {
        body: { success: true, count: 1, items: [LINK] },
      });
      await expect(makeClient({ validation: 'strict' }).links.list()).resolves.toEqual([LINK]);
      expect(calls).toHaveLength(1);
      expect(calls[0]!.method).toBe('POST');
      expect(calls[0]!.body).toEqual({});
      expect(calls[0]!.headers.get('authorization')).toBe(`Bearer ${ACCESS_TOKEN}`);
      expect(calls[0]!.headers.get('content-type')).toContain('application/json');
    });

    it('accepts a bare array', async () => {
      tokenRoute();
      const other = { ...LINK, token: 'lt_2', name: 'mobile', active: false, extra_field: 'kept' };
      route('post', '/v0/links/list-links', { body: [LINK, other] });
      await expect(makeClient({ validation: 'strict' }).links.list()).resolves.toEqual([LINK, other]);
    });

    it.each(['strict', 'warn', 'off'] as const)(
      'an unknown shape → FlanksValidationError (%s)',
      async (validation) => {
        tokenRoute();
        route('post', '/v0/links/list-links', { body: { foo: 1 } });
        const err = await makeClient({ validation })
          .links.list()
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(FlanksValidationError);
        expect((err as FlanksValidationError).path).toBe('response');
      },
    );

    it('is retried on a 500 (a read)', async () => {
      vi.useFakeTimers();
      tokenRoute();
      const calls = route(
        'post',
        '/v0/links/list-links',
        { status: 500, body: { error: 'Internal Error' } },
        {
          body: { success: true, count: 0, items: [] },
        },
      );
      await expect(settle(makeClient().links.list())).resolves.toEqual([]);
      expect(calls).toHaveLength(2);
    });
  });

  describe('create / edit / pause / resume', () => {
    it('create sends the wire-name body and unwraps { success, data }', async () => {
      tokenRoute();
      const params = {
        redirect_uri: 'https://app.example.com/flanks/callback',
        name: 'web',
        company_name: 'Gestora Ejemplo S.L.',
        terms_and_conditions_url: 'https://app.example.com/terms',
        privacy_policy_url: null,
      };
      const calls = route('post', '/v0/links/create-link', { body: { success: true, data: LINK } });
      await expect(makeClient({ validation: 'strict' }).links.create(params)).resolves.toEqual(LINK);
      expect(calls).toHaveLength(1);
      expect(calls[0]!.method).toBe('POST');
      expect(calls[0]!.body).toEqual(params);
      expect(calls[0]!.headers.get('authorization')).toBe(`Bearer ${ACCESS_TOKEN}`);
      expect(calls[0]!.headers.get('content-type')).toContain('application/json');
    });

    it('create accepts a bare Link', async () => {
      tokenRoute();
      route('post', '/v0/links/create-link', { body: LINK });
      await expect(makeClient().links.create({ redirect_uri: 'https://x.example/cb' })).resolves.toEqual(
        LINK,
      );
    });

    it.each([
      ['missing', {}],
      ['empty', { redirect_uri: '' }],
      ['not a string', { redirect_uri: 5 }],
    ])('create with redirect_uri %s → FlanksValidationError, no request', async (_what, params) => {
      const client = makeClient();
      const err = await caught(() => client.links.create(params as never));
      expect(err).toBeInstanceOf(FlanksValidationError);
      expect((err as FlanksValidationError).path).toBe('params.redirect_uri');
    });

    // Regression: argument errors must reject, not throw synchronously, so `.catch(handle)` sees them.
    it('create/edit/pause/resume report bad arguments as a rejected promise', async () => {
      const links = makeClient().links;
      for (const call of [
        () => links.create({} as never),
        () => links.edit({} as never),
        () => links.pause(''),
        () => links.resume(''),
      ]) {
        let promise: Promise<unknown> | undefined;
        expect(() => {
          promise = call();
        }).not.toThrow();
        await expect(promise).rejects.toBeInstanceOf(FlanksValidationError);
      }
    });

    it('create is not retried on a 500', async () => {
      vi.useFakeTimers();
      tokenRoute();
      const calls = route(
        'post',
        '/v0/links/create-link',
        { status: 500, body: { error: 'Internal Error' } },
        {
          body: LINK,
        },
      );
      const err = await settle(makeClient().links.create({ redirect_uri: 'https://x.example/cb' })).catch(
        (e: unknown) => e,
      );
      expect((err as FlanksApiError).status).toBe(500);
      expect(calls).toHaveLength(1);
    });

    it('a 400 ValidationError envelope → FlanksApiError with code, trace id and the field', async () => {
      vi.useFakeTimers();
      tokenRoute();
      const calls = route('post', '/v0/links/create-link', {
        status: 400,
        body: {
          success: false,
          error: { code: 'ValidationError', details: [{ error_type: 'missing', field: 'redirect_uri' }] },
          trace_id: 'tr_1',
        },
      });
      const err = await settle(makeClient().links.create({ redirect_uri: 'https://x.example/cb' })).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(FlanksApiError);
      const api = err as FlanksApiError;
      expect(api.status).toBe(400);
      expect(api.code).toBe('ValidationError');
      expect(api.traceId).toBe('tr_1');
      expect(api.message).toContain('redirect_uri');
      expect(api.message).toContain('tr_1');
      expect(api.retryable).toBe(false);
      expect(calls).toHaveLength(1);
    });

    it('edit POSTs the token and the changes (null removes a field)', async () => {
      tokenRoute();
      const edited = { ...LINK, name: 'web-2026', company_name: null };
      const calls = route('post', '/v0/links/edit-link', { body: { success: true, data: edited } });
      const result = await makeClient({ validation: 'strict' }).links.edit({
        token: LINK_TOKEN,
        name: 'web-2026',
        company_name: null,
      });
      expect(result).toEqual(edited);
      expect(calls[0]!.body).toEqual({ token: LINK_TOKEN, name: 'web-2026', company_name: null });
    });

    it('edit without a token → FlanksValidationError, no request', async () => {
      const client = makeClient();
      const err = await caught(() => client.links.edit({ name: 'x' } as never));
      expect(err).toBeInstanceOf(FlanksValidationError);
      expect((err as FlanksValidationError).path).toBe('params.token');
    });

    it.each([
      ['pause', '/v0/links/pause-link', false],
      ['resume', '/v0/links/resume-link', true],
    ] as const)('%s POSTs {token} and returns the Link (wrapped or bare)', async (method, path, active) => {
      tokenRoute();
      const link = { ...LINK, active };
      const calls = route('post', path, { body: { success: true, data: link } }, { body: link });
      const links = makeClient({ validation: 'strict' }).links;
      await expect(links[method](LINK_TOKEN)).resolves.toEqual(link);
      await expect(links[method](LINK_TOKEN)).resolves.toEqual(link);
      expect(calls).toHaveLength(2);
      expect(calls[0]!.method).toBe('POST');
      expect(calls[0]!.body).toEqual({ token: LINK_TOKEN });
      expect(calls[0]!.headers.get('authorization')).toBe(`Bearer ${ACCESS_TOKEN}`);
    });

    it('a body that is not an object → FlanksValidationError', async () => {
      tokenRoute();
      route('post', '/v0/links/pause-link', { body: ['nope'] });
      await expect(makeClient({ validation: 'off' }).links.pause(LINK_TOKEN)).rejects.toBeInstanceOf(
        FlanksValidationError,
      );
    });
  });

  describe('delete', () => {
    it('POSTs {token}', async () => {
      tokenRoute();
      const calls = route('post', '/v0/links/delete-link', { body: { success: true } });
      await expect(makeClient().links.delete(LINK_TOKEN)).resolves.toEqual({ success: true });
      expect(calls).toHaveLength(1);
      expect(calls[0]!.method).toBe('POST');
      expect(calls[0]!.path).toBe('/v0/links/delete-link');
      expect(calls[0]!.body).toEqual({ token: LINK_TOKEN });
      expect(calls[0]!.headers.get('authorization')).toBe(`Bearer ${ACCESS_TOKEN}`);
      expect(calls[0]!.headers.get('content-type')).toContain('application/json');
    });

    it('an empty body gives undefined, a body is returned as sent', async () => {
      tokenRoute();
      route('post', '/v0/links/delete-link', { text: '' }, { body: { success: true, message: null } });
      await expect(makeClient({ validation: 'strict' }).links.delete(LINK_TOKEN)).resolves.toBeUndefined();
      await expect(makeClient({ validation: 'strict' }).links.delete(LINK_TOKEN)).resolves.toEqual({
        success: true,
        message: null,
      });
    });

    it('is not retried on a 500', async () => {
      vi.useFakeTimers();
      tokenRoute();
      const calls = route('post', '/v0/links/delete-link', {
        status: 500,
        body: { error: 'Internal Error' },
      });
      await expect(settle(makeClient().links.delete(LINK_TOKEN))).rejects.toBeInstanceOf(FlanksApiError);
      expect(calls).toHaveLength(1);
    });

    it('an empty token → FlanksValidationError, no request', async () => {
      await expect(makeClient().links.delete('')).rejects.toBeInstanceOf(FlanksValidationError);
    });
  });

  describe('unusedCodes', () => {
    const CODES = [{ code: 'lc_1', extra: { external_id: 'u1' }, link_token: LINK_TOKEN }, { code: 'lc_2' }];

    it('GETs /v0/platform/link?link_token= when a link token is given', async () => {
      tokenRoute();
      const calls = route('get', '/v0/platform/link', { body: CODES });
      await expect(
        makeClient({ validation: 'strict' }).links.unusedCodes({ linkToken: LINK_TOKEN }),
      ).resolves.toEqual(CODES);
      expect(calls).toHaveLength(1);
      expect(calls[0]!.method).toBe('GET');
      expect(Object.fromEntries(calls[0]!.search)).toEqual({ link_token: LINK_TOKEN });
      expect(calls[0]!.body).toBeUndefined();
      expect(calls[0]!.headers.get('authorization')).toBe(`Bearer ${ACCESS_TOKEN}`);
    });

    it('sends no query without a link token', async () => {
      tokenRoute();
      const calls = route('get', '/v0/platform/link', { body: CODES });
      await expect(makeClient().links.unusedCodes()).resolves.toEqual(CODES);
      expect([...calls[0]!.search.keys()]).toEqual([]);
      expect(calls[0]!.body).toBeUndefined();
    });

    it('accepts { items }', async () => {
      tokenRoute();
      route('get', '/v0/platform/link', { body: { items: CODES } });
      await expect(makeClient().links.unusedCodes({})).resolves.toEqual(CODES);
    });

    it('an empty link token → FlanksValidationError, no request', async () => {
      await expect(makeClient().links.unusedCodes({ linkToken: '' })).rejects.toBeInstanceOf(
        FlanksValidationError,
      );
    });
  });
});
