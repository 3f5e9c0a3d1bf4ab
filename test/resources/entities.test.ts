import { afterEach, describe, expect, it, vi } from 'vitest';
import { FlanksApiError, FlanksValidationError } from '../../src';
import { ACCESS_TOKEN, makeClient, route, settle, spyLogger, tokenRoute, useMsw } from '../helpers';

useMsw();

const ENTITIES = [
  { id: 'testbank', name: 'TestBank', country: 'ES', logo_url: 'https://cdn.flanks.test/testbank.png' },
  {
    id: 'santander',
    name: 'Banco Santander',
    country: 'ES',
    logo_url: null,
    tipo: 'banca',
    sca: ['app', 'sms'],
  },
  { id: 'ing' },
];

describe('entities', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('GETs /v0/bank/available with the bearer token and no body', async () => {
    tokenRoute();
    const calls = route('get', '/v0/bank/available', { body: ENTITIES });
    const entities = await makeClient({ validation: 'strict' }).entities.list();
    expect(entities).toEqual(ENTITIES);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.method).toBe('GET');
    expect(calls[0]!.path).toBe('/v0/bank/available');
    expect([...calls[0]!.search.keys()]).toEqual([]);
    expect(calls[0]!.body).toBeUndefined();
    expect(calls[0]!.headers.get('authorization')).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(calls[0]!.headers.get('accept')).toContain('application/json');
  });

  it('unknown extra fields pass through, in strict mode and without a warning', async () => {
    tokenRoute();
    route('get', '/v0/bank/available', { body: ENTITIES });
    const logger = spyLogger();
    const entities = await makeClient({ validation: 'strict', logger }).entities.list();
    expect((entities[1] as Record<string, unknown>).tipo).toBe('banca');
    expect((entities[1] as Record<string, unknown>).sca).toEqual(['app', 'sms']);
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('an empty list', async () => {
    tokenRoute();
    route('get', '/v0/bank/available', { body: [] });
    await expect(makeClient().entities.list()).resolves.toEqual([]);
  });

  it('also accepts { items }', async () => {
    tokenRoute();
    route('get', '/v0/bank/available', { body: { items: ENTITIES } });
    await expect(makeClient().entities.list()).resolves.toEqual(ENTITIES);
  });

  it.each(['strict', 'warn', 'off'] as const)(
    'an unknown shape → FlanksValidationError (%s)',
    async (validation) => {
      tokenRoute();
      route('get', '/v0/bank/available', { body: { banks: ENTITIES } });
      await expect(makeClient({ validation }).entities.list()).rejects.toBeInstanceOf(FlanksValidationError);
    },
  );

  it('strict: an entity without an id → FlanksValidationError with the path', async () => {
    tokenRoute();
    route('get', '/v0/bank/available', { body: [{ id: 'a' }, { name: 'No id' }] });
    const err = await makeClient({ validation: 'strict' })
      .entities.list()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksValidationError);
    expect((err as FlanksValidationError).path).toBe('response[1].id');
  });

  it('warn: an entity without an id is returned, with one warning', async () => {
    tokenRoute();
    const body = [{ name: 'No id' }];
    route('get', '/v0/bank/available', { body });
    const logger = spyLogger();
    await expect(makeClient({ logger }).entities.list()).resolves.toEqual(body);
    expect(logger.warn).toHaveBeenCalledTimes(1);
  });

  it('is retried on a 503 (a read)', async () => {
    vi.useFakeTimers();
    tokenRoute();
    const calls = route(
      'get',
      '/v0/bank/available',
      { status: 503, body: { error: 'Unavailable' } },
      {
        body: ENTITIES,
      },
    );
    await expect(settle(makeClient().entities.list())).resolves.toEqual(ENTITIES);
    expect(calls).toHaveLength(2);
  });

  it('a 500 that persists → FlanksApiError after maxRetries', async () => {
    vi.useFakeTimers();
    tokenRoute();
    const calls = route('get', '/v0/bank/available', { status: 500, body: { error: 'Internal Error' } });
    const err = await settle(makeClient({ maxRetries: 1 }).entities.list()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksApiError);
    expect((err as FlanksApiError).status).toBe(500);
    expect((err as Error).message).toContain('Internal Error');
    expect(calls).toHaveLength(2);
  });
});
