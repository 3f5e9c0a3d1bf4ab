import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  FlanksApiError,
  FlanksAuthError,
  FlanksDataError,
  FlanksDataNotReadyError,
  FlanksError,
  FlanksLinkCodeError,
  FlanksRateLimitError,
} from '../../src';
import { errorFromResponse, findFlanksCode } from '../../src/internal/error-factory';

const ctx = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
  status,
  body,
  headers: new Headers(headers),
  method: 'POST',
  path: '/v0/bank/credentials/portfolio',
  secrets: ['ct_secret_value'],
});

describe('findFlanksCode', () => {
  it.each([
    [{ code: 20002 }, 20002],
    [{ code: '20002' }, 20002],
    [{ error_code: 20001 }, 20001],
    [{ error: { code: 'ValidationError' } }, 'ValidationError'],
    [{ success: false, error: { code: 'UNAUTHENTICATED' }, trace_id: 't' }, 'UNAUTHENTICATED'],
    [{ error: 'access_denied' }, undefined],
    [[1, 2], undefined],
    ['text', undefined],
    [null, undefined],
  ])('%j → %j', (body, code) => {
    expect(findFlanksCode(body)).toBe(code);
  });
});

describe('errorFromResponse', () => {
  it('maps codes before statuses', () => {
    expect(errorFromResponse(ctx(409, { code: 20002 }))).toBeInstanceOf(FlanksDataNotReadyError);
    expect(errorFromResponse(ctx(400, { error_code: '20001' }))).toBeInstanceOf(FlanksDataError);
    expect(errorFromResponse(ctx(401, { error: 'Invalid credentials' }))).toBeInstanceOf(FlanksAuthError);
    expect(errorFromResponse(ctx(403, { error: 'access_denied' }))).toBeInstanceOf(FlanksAuthError);
    expect(errorFromResponse(ctx(429, {}, { 'retry-after': '3' }))).toBeInstanceOf(FlanksRateLimitError);
    expect(errorFromResponse(ctx(500, { error: 'Internal Error' })).constructor).toBe(FlanksApiError);
  });

  it('marks only transient statuses retryable', () => {
    expect(errorFromResponse(ctx(503, {})).retryable).toBe(true);
    expect(errorFromResponse(ctx(408, {})).retryable).toBe(true);
    expect(errorFromResponse(ctx(400, {})).retryable).toBe(false);
    expect(errorFromResponse(ctx(409, { code: 20002 })).retryable).toBe(false);
  });

  it('reads the trace id from the body, else from headers', () => {
    expect(errorFromResponse(ctx(400, { trace_id: 'tr_body' })).traceId).toBe('tr_body');
    expect(errorFromResponse(ctx(400, {}, { 'x-trace-id': 'tr_head' })).traceId).toBe('tr_head');
  });

  it('summarises ValidationError details in the message', () => {
    const err = errorFromResponse(
      ctx(400, {
        success: false,
        error: { code: 'ValidationError', details: [{ error_type: 'missing', field: 'redirect_uri' }] },
        trace_id: 'tr_1',
      }),
    );
    expect(err.message).toMatch(/redirect_uri: missing/);
    expect(err.message).toMatch(/tr_1/);
    expect(err.code).toBe('ValidationError');
  });

  it('every message says what to do next', () => {
    for (const [status, body] of [
      [400, {}],
      [401, {}],
      [404, {}],
      [429, {}],
      [500, {}],
      [409, { code: 20002 }],
      [409, { code: 20001 }],
    ] as const) {
      expect(errorFromResponse(ctx(status, body)).message).toMatch(/(check|wait|try|slow)/i);
    }
  });

  it('redacts secrets from message, body, JSON and inspect', () => {
    const err = errorFromResponse(
      ctx(400, { error: 'bad token ct_secret_value', credentials_token: 'ct_secret_value', code: 'x' }),
    );
    const dump = [err.message, JSON.stringify(err), inspect(err, { depth: 5 })].join('\n');
    expect(dump).not.toContain('ct_secret_value');
    expect((err.body as Record<string, unknown>).credentials_token).toBe('[REDACTED]');
  });

  it('all errors are FlanksError with a JSON view', () => {
    const err = errorFromResponse(ctx(500, { error: 'Internal Error' }));
    expect(err).toBeInstanceOf(FlanksError);
    expect(err).toBeInstanceOf(Error);
    expect(JSON.parse(JSON.stringify(err))).toMatchObject({ name: 'FlanksApiError', status: 500 });
  });
});

describe('a refused link code (the exchange endpoint only)', () => {
  const exchange = (status: number, body: unknown, method = 'POST') => ({
    ...ctx(status, body),
    method,
    path: '/v0/platform/link',
    secrets: ['lc_live_code_0123456789'],
  });

  it('a 400 on POST /v0/platform/link is FlanksLinkCodeError saying codes are single-use, why, and what to do', () => {
    const err = errorFromResponse(exchange(400, { error: 'Invalid code' }));
    expect(err).toBeInstanceOf(FlanksLinkCodeError);
    expect(err).toBeInstanceOf(FlanksApiError);
    expect(err.name).toBe('FlanksLinkCodeError');
    expect(err.status).toBe(400);
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/^Flanks POST \/v0\/platform\/link failed with HTTP 400: Invalid code\./);
    expect(err.message).toMatch(/single-use/);
    for (const cause of [/page refresh/, /double submit/, /Back button/, /retried callback request/]) {
      expect(err.message).toMatch(cause);
    }
    expect(err.message).toMatch(/Redirect away from the callback/);
    expect(err.message).toMatch(/store\.listByUser\(userId\)/);
    expect(err.message).toMatch(/credentials\.list\(\)/);
    expect(err.message).toMatch(/docs\/link-outcomes\.md/);
  });

  it.each([404, 409, 410, 422])(
    'any other client error (%i) of the exchange is a refused code too',
    (status) => {
      expect(errorFromResponse(exchange(status, { error: 'gone' }))).toBeInstanceOf(FlanksLinkCodeError);
    },
  );

  it.each([
    [401, FlanksAuthError],
    [403, FlanksAuthError],
    [429, FlanksRateLimitError],
    [408, FlanksApiError],
    [500, FlanksApiError],
    [503, FlanksApiError],
  ])('%i on the exchange keeps its own class', (status, type) => {
    const err = errorFromResponse(exchange(status, {}));
    expect(err.constructor).toBe(type);
    expect(err.message).not.toMatch(/single-use/);
  });

  it('other endpoints, and GET /v0/platform/link (unused codes), are not about a link code', () => {
    for (const err of [
      errorFromResponse(exchange(400, { error: 'Invalid link_token' }, 'GET')),
      errorFromResponse(ctx(400, { error: 'Invalid credentials_token' })),
    ]) {
      expect(err.constructor).toBe(FlanksApiError);
      expect(err.message).not.toMatch(/single-use/);
    }
  });

  it('the code stays out of the message, JSON and inspect, even when Flanks echoes it', () => {
    const err = errorFromResponse(
      exchange(400, { error: 'Code lc_live_code_0123456789 already used', code: 'lc_live_code_0123456789' }),
    );
    const dump = [err.message, JSON.stringify(err), inspect(err, { depth: 5 })].join('\n');
    expect(err).toBeInstanceOf(FlanksLinkCodeError);
    expect(dump).not.toContain('lc_live_code_0123456789');
  });
});

describe('user-action errors', () => {
  it('blocked and SCA errors share a catchable base carrying the status', async () => {
    const { FlanksCredentialsBlockedError, FlanksScaRequiredError, FlanksUserActionRequiredError } =
      await import('../../src');
    const blocked = new FlanksCredentialsBlockedError('blocked', { status: { blocked: true } });
    const sca = new FlanksScaRequiredError('sca', { status: { sca_token: '[REDACTED]' } });
    for (const err of [blocked, sca]) {
      expect(err).toBeInstanceOf(FlanksUserActionRequiredError);
      expect(err).toBeInstanceOf(FlanksError);
    }
    expect(blocked.status).toEqual({ blocked: true });
    expect(sca.name).toBe('FlanksScaRequiredError');
  });

  it('carry the re-authentication token, kept out of the message, JSON, inspect and spreads', async () => {
    const { FlanksCredentialsBlockedError, FlanksScaRequiredError } = await import('../../src');
    const blocked = new FlanksCredentialsBlockedError('blocked', {
      status: { reset_token: '[REDACTED]' },
      reauth: { resetToken: 'rt_live_do_not_print' },
    });
    const sca = new FlanksScaRequiredError('sca', {
      status: {},
      reauth: { scaToken: 'st_live_do_not_print' },
    });
    expect(blocked.reauth).toEqual({ resetToken: 'rt_live_do_not_print' });
    expect(sca.reauth).toEqual({ scaToken: 'st_live_do_not_print' });
    for (const err of [blocked, sca]) {
      const dump = [err.message, JSON.stringify(err), inspect(err, { depth: 5 }), JSON.stringify({ ...err })];
      expect(dump.join('\n')).not.toMatch(/do_not_print/);
      expect(Object.keys(err)).not.toContain('reauth');
    }
    // A copy each time: the caller cannot change what the error holds.
    (blocked.reauth as { resetToken: string }).resetToken = 'changed';
    expect(blocked.reauth).toEqual({ resetToken: 'rt_live_do_not_print' });
    expect(new FlanksScaRequiredError('sca', { status: {} }).reauth).toBeUndefined();
  });
});
