import { describe, expect, it } from 'vitest';
import { FlanksApiError, FlanksConnectionError } from '../../src';
import { CLIENT_SECRET, makeClient, route, tokenRoute, useMsw } from '../helpers';

/*
 * The redaction rules (src/internal/redact.ts) at their edges, as an error body or cause carries
 * them back from Flanks or a custom fetch: secrets by key (but not a null under such a key), secrets
 * by value from four characters up, arrays, the depth limit, and cause chains.
 */

useMsw();

const PATH = '/v0/bank/credentials/status';

async function errorFor(credentialsToken: string, body: unknown): Promise<FlanksApiError> {
  tokenRoute();
  route('post', PATH, { status: 400, body: body as never });
  const err = await makeClient()
    .credentials.getStatus(credentialsToken)
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(FlanksApiError);
  return err as FlanksApiError;
}

describe('redaction', () => {
  it('scrubs a secret value of four characters, and leaves shorter ones (too likely to hit plain text)', async () => {
    const four = await errorFor('ct_9', { error: 'unknown ct_9', items: ['ct_9', 'x ct_9 y'] });
    expect(four.body).toEqual({ error: 'unknown [REDACTED]', items: ['[REDACTED]', 'x [REDACTED] y'] });
    expect(four.message).not.toContain('ct_9');

    const three = await errorFor('c_9', { error: 'unknown c_9' });
    expect(three.body).toEqual({ error: 'unknown c_9' });
  });

  it('replaces the value under a secret-named key in any case, keeps a null or absent one as is', async () => {
    const err = await errorFor('ct_abcdef', {
      error: 'bad',
      Access_Token: 'anything-at-all',
      nested: [{ password: 12345, refresh_token: null, state: undefined, other: 'kept' }],
    });
    expect(err.body).toEqual({
      error: 'bad',
      Access_Token: '[REDACTED]',
      nested: [{ password: '[REDACTED]', refresh_token: null, other: 'kept' }],
    });
  });

  it('copies an error body down to 20 levels below its top and cuts what is deeper', async () => {
    let body: Record<string, unknown> = { leaf: 'bottom' };
    for (let i = 0; i < 22; i++) body = { down: body };
    const err = await errorFor('ct_abcdef', body);
    let at: unknown = err.body;
    for (let depth = 0; depth <= 20; depth++) {
      expect(at).toBeTypeOf('object');
      at = (at as Record<string, unknown>).down;
    }
    expect(at).toBe('[Truncated]');
  });

  it('counts a level of array like a level of object', async () => {
    let body: unknown = ['bottom'];
    for (let i = 0; i < 21; i++) body = [body];
    const err = await errorFor('ct_abcdef', { error: 'deep', list: body });
    let at: unknown = (err.body as { list: unknown }).list;
    for (let depth = 1; depth <= 20; depth++) {
      expect(Array.isArray(at)).toBe(true);
      at = (at as unknown[])[0];
    }
    expect(at).toBe('[Truncated]');
  });

  it("keeps a fetch failure's cause chain, scrubbed, with its codes, and survives a cause that is itself", async () => {
    tokenRoute();
    const token = 'ct_secret_in_a_cause';
    const inner = Object.assign(new Error(`socket for ${token} closed`), { code: 'ECONNRESET' });
    const loop = new Error(`loop ${token}`);
    (loop as { cause?: unknown }).cause = loop;
    const failing = (cause: unknown): typeof fetch =>
      (async (input: RequestInfo | URL, init?: RequestInit) => {
        if (String(input).endsWith('/v0/token')) return fetch(input, init);
        throw new TypeError(`fetch failed for ${token}`, { cause });
      }) as typeof fetch;

    const chained = await makeClient({ fetch: failing(inner), maxRetries: 0 })
      .credentials.getStatus(token)
      .catch((e: unknown) => e);
    expect(chained).toBeInstanceOf(FlanksConnectionError);
    expect((chained as FlanksConnectionError).cause).toStrictEqual({
      name: 'TypeError',
      message: 'fetch failed for [REDACTED]',
      cause: { name: 'Error', message: 'socket for [REDACTED] closed', code: 'ECONNRESET' },
    });

    const looped = await makeClient({ fetch: failing(loop), maxRetries: 0 })
      .credentials.getStatus(token)
      .catch((e: unknown) => e);
    expect(looped).toBeInstanceOf(FlanksConnectionError);
    expect((looped as FlanksConnectionError).cause).toStrictEqual({
      name: 'TypeError',
      message: 'fetch failed for [REDACTED]',
      cause: { name: 'Error', message: 'loop [REDACTED]' },
    });
  });

  // A cause chain that loops through two errors made the redaction recurse until the stack
  // overflowed: a RangeError escaped instead of the FlanksConnectionError.
  it('a cause chain that loops back is followed once round, not until the stack overflows', async () => {
    tokenRoute();
    const a = new Error('first ct_secret_in_a_loop');
    const b = new Error('second');
    (a as { cause?: unknown }).cause = b;
    (b as { cause?: unknown }).cause = a;
    const looping: typeof fetch = async (input, init) => {
      if (String(input).endsWith('/v0/token')) return fetch(input, init);
      throw new TypeError('fetch failed', { cause: a });
    };
    const err = await makeClient({ fetch: looping, maxRetries: 0 })
      .credentials.getStatus('ct_secret_in_a_loop')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksConnectionError);
    expect((err as FlanksConnectionError).cause).toStrictEqual({
      name: 'TypeError',
      message: 'fetch failed',
      cause: { name: 'Error', message: 'first [REDACTED]', cause: { name: 'Error', message: 'second' } },
    });
  });

  it('a thrown value that is not an Error becomes its redacted copy', async () => {
    tokenRoute();
    const token = 'ct_secret_thrown_plain';
    const plain: typeof fetch = async (input, init) => {
      if (String(input).endsWith('/v0/token')) return fetch(input, init);
      throw { reason: `refused ${token}`, client_secret: CLIENT_SECRET };
    };
    const err = await makeClient({ fetch: plain, maxRetries: 0 })
      .credentials.getStatus(token)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksConnectionError);
    expect((err as FlanksConnectionError).cause).toEqual({
      reason: 'refused [REDACTED]',
      client_secret: '[REDACTED]',
    });
  });
});
