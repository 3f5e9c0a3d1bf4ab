import { describe, expect, it } from 'vitest';
import { FlanksValidationError, MemoryCredentialStore } from '../../src';
import { makeClient, route, tokenRoute, useMsw } from '../helpers';

/*
 * The argument checks (src/internal/args.ts) at the public edge: each kind of bad value is named in
 * the message without showing it (an argument may be a secret), each bound is exact, and a good
 * value at the bound goes through to Flanks.
 */

useMsw();

const PATH = '/v0/bank/credentials/status';
const MAX_TIMER_MS = 2_147_483_647;

async function refusal(
  call: () => Promise<unknown>,
): Promise<{ message: string; path?: string | undefined }> {
  const err = await call().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(FlanksValidationError);
  return { message: (err as Error).message, path: (err as FlanksValidationError).path };
}

describe('argument checks', () => {
  it('say what kind of value a string argument got, never the value', async () => {
    const flanks = makeClient();
    const got = async (value: unknown) =>
      (await refusal(() => flanks.credentials.getStatus(value as string))).message;
    expect(await got('')).toBe('credentialsToken must be a non-empty string; got an empty string.');
    expect(await got(' \t ')).toBe('credentialsToken must be a non-empty string; got a string.');
    expect(await got(null)).toBe('credentialsToken must be a non-empty string; got null.');
    expect(await got(['ct_1'])).toBe('credentialsToken must be a non-empty string; got an array.');
    expect(await got(12345)).toBe('credentialsToken must be a non-empty string; got number.');
    expect(await got(undefined)).toBe('credentialsToken must be a non-empty string; got undefined.');
  });

  it('hold request options to their bounds, naming the option', async () => {
    const flanks = makeClient();
    const bad = {
      'options.timeoutMs': [0, 0.5, MAX_TIMER_MS + 1, Number.NaN, Number.POSITIVE_INFINITY, '5'],
      'options.maxRetries': [-1, 1.5],
      'options.maxResponseBytes': [0, 10.5],
      'options.signal': [{ aborted: false }],
    };
    for (const [path, values] of Object.entries(bad)) {
      const option = path.split('.')[1]!;
      for (const value of values) {
        const { path: reported } = await refusal(() =>
          flanks.credentials.getStatus('ct_1', { [option]: value } as never),
        );
        expect({ option, value, reported }).toEqual({ option, value, reported: path });
      }
    }
    expect((await refusal(() => flanks.credentials.getStatus('ct_1', 'fast' as never))).message).toBe(
      'options must be an object; got a string.',
    );
    expect((await refusal(() => flanks.credentials.getStatus('ct_1', [] as never))).message).toBe(
      'options must be an object; got an array.',
    );
    expect((await refusal(() => flanks.credentials.getStatus('ct_1', { maxRetries: 1.5 }))).message).toBe(
      'options.maxRetries must be a finite integer between 0 and Infinity; got 1.5.',
    );
    expect(
      (await refusal(() => flanks.credentials.getStatus('ct_1', { timeoutMs: '5' as never }))).message,
    ).toBe(`options.timeoutMs must be a finite number between 1 and ${MAX_TIMER_MS}; got a string.`);
    expect(
      (await refusal(() => flanks.credentials.getStatus('ct_1', { signal: null as never }))).message,
    ).toBe('options.signal must be an AbortSignal; got null.');
  });

  it('let every value at a bound through to Flanks', async () => {
    tokenRoute();
    const calls = route('post', PATH, { body: { pending: false } });
    const flanks = makeClient();
    for (const options of [
      { timeoutMs: 1 },
      { timeoutMs: MAX_TIMER_MS },
      { maxRetries: 0 },
      { maxResponseBytes: 1_000_000 },
      { signal: new AbortController().signal },
      {},
      undefined,
    ]) {
      await expect(flanks.credentials.getStatus('ct_1', options)).resolves.toEqual({ pending: false });
    }
    expect(calls).toHaveLength(7);
  });

  it('hold polling options to 0 and up, and name a non-boolean flag', async () => {
    const flanks = makeClient({ store: new MemoryCredentialStore() });
    for (const key of ['timeoutMs', 'pollIntervalMs', 'maxPollIntervalMs']) {
      const { message, path } = await refusal(() => flanks.connect.waitForSession('sess_1', { [key]: -1 }));
      expect(path).toBe(`options.${key}`);
      expect(message).toBe(`options.${key} must be a finite number between 0 and ${MAX_TIMER_MS}; got -1.`);
    }
    const flag = await refusal(() =>
      flanks.completeLink({ code: 'c', userId: 'u', dangerouslyAllowMissingState: 'yes' as never }),
    );
    expect(flag).toEqual({
      message: 'params.dangerouslyAllowMissingState must be a boolean; got a string.',
      path: 'params.dangerouslyAllowMissingState',
    });
    // Left out, the flag is simply off: the code goes to Flanks (which refuses it here).
    tokenRoute();
    const exchanges = route('post', '/v0/platform/link', { status: 400, body: { error: 'Invalid code' } });
    await expect(flanks.completeLink({ code: 'c', userId: 'u' })).rejects.not.toBeInstanceOf(
      FlanksValidationError,
    );
    expect(exchanges).toHaveLength(1);
  });

  it('take a store or a logger by its methods: a class instance or a plain object, not half of one', () => {
    class Quiet {
      debug() {}
      info() {}
      warn() {}
      error() {}
    }
    expect(() => makeClient({ logger: new Quiet() })).not.toThrow();
    // A function carrying the methods (some loggers are callable) is as good as an object.
    const callable = Object.assign(() => undefined, { debug() {}, info() {}, warn() {}, error() {} });
    expect(() => makeClient({ logger: callable })).not.toThrow();
    expect(() => makeClient({ logger: { debug() {}, info() {}, warn() {} } as never })).toThrow(
      FlanksValidationError,
    );
    expect(() => makeClient({ logger: 'console' as never })).toThrow(FlanksValidationError);
    const store = new MemoryCredentialStore();
    expect(() => makeClient({ store })).not.toThrow();
    const methods = { get: async () => undefined, listByUser: async () => [], delete: async () => false };
    expect(() => makeClient({ store: { ...methods, save: async () => undefined } as never })).not.toThrow();
    expect(() => makeClient({ store: { ...methods, save: 'no' } as never })).toThrow(FlanksValidationError);
  });
});

describe('argument messages that list what was expected', () => {
  it('name one choice alone, two with "or", three or more with commas and "or"', async () => {
    const flanks = makeClient();
    // Three or more: the validation modes.
    expect(() => makeClient({ validation: 'loud' as never })).toThrow(
      "options.validation must be one of 'strict', 'warn' or 'off'.",
    );
    // Two: the kinds of re-authentication token.
    expect(await refusal(() => flanks.credentials.reauthToken('ct_1', 'otp' as never))).toEqual({
      message: "kind must be one of 'reset' or 'sca'.",
      path: 'kind',
    });
    // One: the only parameter of a credentials list.
    expect(() => flanks.credentials.list({ page: 2 } as never)).toThrow(
      'params.page is not a known parameter; expected cursor.',
    );
  });

  it('an array option is refused when any element is unknown, not only when all are', async () => {
    tokenRoute();
    const calls = route('post', PATH, { body: { pending: false } });
    const flanks = makeClient();
    expect(
      await refusal(() =>
        flanks.credentials.waitUntilReady('ct_1', { products: ['portfolio', 'shares'] as never }),
      ),
    ).toEqual({
      message:
        "options.products must be an array of 'auth', 'account', 'card', 'portfolio', 'investment', 'liability' or 'holders'.",
      path: 'options.products',
    });
    expect(calls).toHaveLength(0);
  });

  it('a store, cache or logger missing a method is told every method it needs', () => {
    const methods = { get: async () => undefined, listByUser: async () => [], delete: async () => false };
    expect(() => makeClient({ store: methods as never })).toThrow(
      'options.store must be a CredentialStore (an object with save(), get(), listByUser() and delete()).',
    );
    expect(() => makeClient({ tokenCache: { get: async () => undefined } as never })).toThrow(
      'options.tokenCache must be a TokenCache (an object with get(), set() and lock()).',
    );
  });

  it('a function option names what it got', async () => {
    expect(() => makeClient({ fetch: 'node-fetch' as never })).toThrow(
      'options.fetch must be a function; got a string.',
    );
    const flanks = makeClient();
    expect(await refusal(() => flanks.credentials.waitUntilReady('ct_1', { onStatus: 5 as never }))).toEqual({
      message: 'options.onStatus must be a function; got number.',
      path: 'options.onStatus',
    });
  });

  it('a store key and a required number say what they must be', async () => {
    const store = new MemoryCredentialStore();
    expect(await refusal(() => store.get(''))).toEqual({
      message: 'credentialsToken must be a non-empty string; got an empty string.',
      path: 'credentialsToken',
    });
    const flanks = makeClient();
    expect(await refusal(() => flanks.credentials.list().toArray({} as never))).toEqual({
      message: 'options.limit is required: a number.',
      path: 'options.limit',
    });
  });
});
