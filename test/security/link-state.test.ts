import { inspect } from 'node:util';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  FlanksClient,
  FlanksError,
  FlanksLinkStateError,
  FlanksValidationError,
  MemoryCredentialStore,
} from '../../src';
import {
  createFlanksHandlers,
  FlanksSandbox,
  SANDBOX_CLIENT_ID,
  SANDBOX_CLIENT_SECRET,
} from '../../src/testing';
import { spyLogger } from '../helpers';

const STATE_SECRET = 'state-secret-for-tests-0123456789abcdef';
const sandbox = new FlanksSandbox({ seed: 3 });
const server = setupServer(...(await createFlanksHandlers(sandbox)));
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});
afterAll(() => server.close());

function client(stateSecret: string | null = STATE_SECRET) {
  return new FlanksClient({
    clientId: SANDBOX_CLIENT_ID,
    clientSecret: SANDBOX_CLIENT_SECRET,
    stateSecret: stateSecret ?? undefined,
    store: new MemoryCredentialStore(),
    logger: spyLogger(),
  });
}

/** Plays a user through the Link whose URL the app built, returning the code it brings back. */
function completeLinkAt(url: string): string {
  const params = Object.fromEntries(new URL(url).searchParams);
  const { token: _token, bank, ...custom } = params;
  const result = sandbox.connect({ bank, username: `u-${Math.random()}`, password: 'pw', params: custom });
  if (!('code' in result)) throw new Error(JSON.stringify(result));
  return result.code;
}

describe('signed link state', () => {
  it('buildUrl adds a v1 state that does not reveal the user id', () => {
    const url = new URL(
      client().links.buildUrl({ token: 'lt', bank: 'testbank', userId: 'alice@example.com' }),
    );
    expect(url.searchParams.get('state')).toMatch(/^v1\.\d+\.[\w-]+\.[\w-]{43}$/);
    expect(url.href).not.toContain('alice');
  });

  it('the same user completes: the record is stored, without the state in extra', async () => {
    const flanks = client();
    const code = completeLinkAt(
      flanks.links.buildUrl({ token: 'lt', bank: 'testbank', userId: 'alice', params: { plan: 'pro' } }),
    );
    const record = await flanks.completeLink({ code, userId: 'alice' });
    expect(record.extra).toEqual({ plan: 'pro' });
    expect(await flanks.store!.listByUser('alice')).toHaveLength(1);
  });

  it('login CSRF: a code started by the attacker is refused for the victim, nothing stored', async () => {
    const flanks = client();
    const attackersCode = completeLinkAt(
      flanks.links.buildUrl({ token: 'lt', bank: 'testbank', userId: 'mallory' }),
    );
    const err = await flanks.completeLink({ code: attackersCode, userId: 'victim' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksLinkStateError);
    expect((err as FlanksLinkStateError).reason).toBe('invalid');
    expect(await flanks.store!.listByUser('victim')).toEqual([]);
  });

  it('a code from a Link URL built without state is refused as missing', async () => {
    const flanks = client();
    const code = completeLinkAt(client(null).links.buildUrl({ token: 'lt', bank: 'testbank' }));
    await expect(flanks.completeLink({ code, userId: 'alice' })).rejects.toMatchObject({ reason: 'missing' });
  });

  it('a state signed with another secret is invalid; a mangled one is malformed', async () => {
    const flanks = client();
    const other = client('another-secret-another-secret-another-secret');
    const foreign = completeLinkAt(other.links.buildUrl({ token: 'lt', bank: 'testbank', userId: 'alice' }));
    await expect(flanks.completeLink({ code: foreign, userId: 'alice' })).rejects.toMatchObject({
      reason: 'invalid',
    });
    const url = new URL(flanks.links.buildUrl({ token: 'lt', bank: 'testbank', userId: 'alice' }));
    url.searchParams.set('state', 'v1.not-a-number.x.y');
    const mangled = completeLinkAt(url.href);
    await expect(flanks.completeLink({ code: mangled, userId: 'alice' })).rejects.toMatchObject({
      reason: 'malformed',
    });
  });

  it('a state past its time limit is expired', async () => {
    const flanks = client();
    const code = completeLinkAt(
      flanks.links.buildUrl({ token: 'lt', bank: 'testbank', userId: 'alice', stateTtlMs: 60_000 }),
    );
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 120_000 });
    await expect(flanks.completeLink({ code, userId: 'alice' })).rejects.toMatchObject({ reason: 'expired' });
  });

  it('with a stateSecret, buildUrl needs userId; without one, userId is refused', () => {
    expect(() => client().links.buildUrl({ token: 'lt' })).toThrow(FlanksValidationError);
    expect(() => client(null).links.buildUrl({ token: 'lt', userId: 'alice' })).toThrow(/stateSecret/);
    expect(() => client().links.buildUrl({ token: 'lt', userId: 'a', params: { state: 'x' } })).toThrow(
      /reserved/,
    );
  });

  it('rejects a short stateSecret and never shows it', async () => {
    expect(() => client('too-short')).toThrow(/at least 32/);
    const flanks = client();
    const err = await flanks.completeLink({ code: 'nope', userId: 'alice' }).catch((e: unknown) => e);
    expect(
      `${(err as Error).message} ${JSON.stringify(err)} ${inspect(err)} ${inspect(flanks)}`,
    ).not.toContain(STATE_SECRET);
  });
});

describe('browser guard', () => {
  it('refuses to start where window and document exist, unless opted in', () => {
    vi.stubGlobal('window', {});
    vi.stubGlobal('document', {});
    expect(() => client()).toThrow(FlanksError);
    expect(() => client()).toThrow(/server/);
    expect(
      () =>
        new FlanksClient({
          clientId: 'i',
          clientSecret: 's',
          dangerouslyAllowBrowser: true,
          logger: spyLogger(),
        }),
    ).not.toThrow();
  });

  it('a worker-like global (no document) is fine', () => {
    vi.stubGlobal('window', undefined);
    vi.stubGlobal('document', undefined);
    expect(() => client()).not.toThrow();
  });
});
