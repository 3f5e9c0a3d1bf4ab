import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  FlanksApiError,
  FlanksAuthError,
  FlanksDataError,
  FlanksDataNotReadyError,
  FlanksError,
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
});
