import { inspect } from 'node:util';
import { HttpResponse, http } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import {
  EncryptedCredentialStore,
  type FlanksClient,
  type FlanksClientOptions,
  FlanksCredentialConflictError,
  FlanksLinkStateError,
  FlanksValidationError,
  MemoryCredentialStore,
} from '../../src';
import { SANDBOX_CLIENT_SECRET } from '../../src/testing';
import { useSandbox } from '../helpers';

// Signed link state, on by default (security review, issue 12, finding 1): a code is completed only
// for the user whose Link URL produced it. The attack: Mallory connects her own bank through the
// app's Link, stops at the redirect, and gets Victor (logged in to the app) to open the callback
// with her code; without the check Victor's account now shows, and the app acts on, Mallory's bank.

const STATE_SECRET = 'state-secret-for-tests-0123456789abcdef';
const { sandbox, server, client: sandboxClient } = await useSandbox({ seed: 3 });

function client(options: FlanksClientOptions = {}) {
  return sandboxClient({ store: new MemoryCredentialStore(), ...options });
}

/** Plays a user through the Link whose URL the app built, returning the code it brings back. */
function codeFrom(url: string): string {
  const params = Object.fromEntries(new URL(url).searchParams);
  const { token, bank, ...custom } = params;
  // 'lt' stands for the sandbox's default link in URLs whose link does not matter.
  const linkToken = token === 'lt' ? undefined : token;
  const result = sandbox.connect({
    linkToken,
    bank,
    username: `u-${Math.random()}`,
    password: 'pw',
    params: custom,
  });
  if (!('code' in result)) throw new Error(JSON.stringify(result));
  return result.code;
}

/** Credentials that still exist at the sandbox (a deleted one is gone from the list). */
async function credentialsAtFlanks(flanks: FlanksClient): Promise<string[]> {
  return (await flanks.credentials.list().toArray({ limit: 1_000 })).map((c) => c.credentials_token);
}

/** From now on the sandbox's code exchanges answer with `token` (the same bank login connected again). */
function exchangeReturns(token: string): void {
  server.use(
    http.post('https://api.flanks.io/v0/platform/link', async ({ request }) => {
      const body = (await ((await sandbox.handle(request)) as Response).json()) as Record<string, unknown>;
      return HttpResponse.json({ ...body, credentials_token: token });
    }),
  );
}

const deletes = () =>
  sandbox.requests.filter((r) => r.path === '/v0/bank/credentials' && r.method === 'DELETE');

describe('signed link state with no configuration', () => {
  it('buildUrl needs the user starting the Link and signs it into the state', () => {
    const flanks = client();
    expect(() => flanks.links.buildUrl({ token: 'lt' })).toThrow(FlanksValidationError);
    expect(() => flanks.links.buildUrl({ token: 'lt' })).toThrow(/params\.userId is required/);
    const state = new URL(flanks.links.buildUrl({ token: 'lt', userId: 'user-7' })).searchParams.get('state');
    expect(state).toMatch(/^v2\.\d+\.[\w-]{16}\.[\w-]+\.[\w-]{43}$/);
    // The user id is readable (base64url; use opaque ids): the MAC, not secrecy, is the protection.
    expect(Buffer.from(state!.split('.')[3]!, 'base64url').toString()).toBe('user-7');
  });

  it('the same user completes: the record is stored, without the state in extra', async () => {
    const flanks = client();
    const code = codeFrom(
      flanks.links.buildUrl({ token: 'lt', bank: 'testbank', userId: 'alice', params: { plan: 'pro' } }),
    );
    const record = await flanks.completeLink({ code, userId: 'alice' });
    expect(record.extra).toEqual({ plan: 'pro' });
    expect(await flanks.store!.listByUser('alice')).toHaveLength(1);
  });

  it('login CSRF: the attacker’s code is refused for the victim, nothing stored, the credential deleted at Flanks', async () => {
    const flanks = client();
    const mallorysCode = codeFrom(
      flanks.links.buildUrl({ token: 'lt', bank: 'testbank', userId: 'mallory' }),
    );
    const err = await flanks.completeLink({ code: mallorysCode, userId: 'victor' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksLinkStateError);
    expect(err).toMatchObject({ reason: 'invalid', credentialDeleted: true });
    expect((err as Error).message).toMatch(/was deleted/);
    expect(await flanks.store!.listByUser('victor')).toEqual([]);
    expect(await credentialsAtFlanks(flanks)).toEqual([]);
    expect(deletes()).toHaveLength(1);
  });

  it('a code from a Link URL built without state is refused, unless the caller opts out by name', async () => {
    const flanks = client();
    const unsigned = () =>
      codeFrom(flanks.links.buildUrl({ token: 'lt', bank: 'testbank', dangerouslyOmitState: true }));
    await expect(flanks.completeLink({ code: unsigned(), userId: 'alice' })).rejects.toMatchObject({
      reason: 'missing',
      credentialDeleted: true,
    });
    const record = await flanks.completeLink({
      code: unsigned(),
      userId: 'alice',
      dangerouslyAllowMissingState: true,
    });
    expect(record.userId).toBe('alice');
    // The opt-out accepts a missing state only: a present one is still checked.
    const mallorys = codeFrom(flanks.links.buildUrl({ token: 'lt', bank: 'testbank', userId: 'mallory' }));
    await expect(
      flanks.completeLink({ code: mallorys, userId: 'victor', dangerouslyAllowMissingState: true }),
    ).rejects.toMatchObject({ reason: 'invalid' });
  });

  it('editing the user inside the state breaks it', async () => {
    const flanks = client();
    const url = new URL(flanks.links.buildUrl({ token: 'lt', bank: 'testbank', userId: 'mallory' }));
    const parts = url.searchParams.get('state')!.split('.');
    parts[3] = Buffer.from('victor').toString('base64url');
    url.searchParams.set('state', parts.join('.'));
    await expect(flanks.completeLink({ code: codeFrom(url.href), userId: 'victor' })).rejects.toMatchObject({
      reason: 'invalid',
    });
  });

  it('a state signed by another application is invalid; a mangled one is malformed; an old one expired', async () => {
    const flanks = client();
    const other = client({ clientSecret: 'another-application-secret' });
    const foreign = codeFrom(other.links.buildUrl({ token: 'lt', bank: 'testbank', userId: 'alice' }));
    await expect(flanks.completeLink({ code: foreign, userId: 'alice' })).rejects.toMatchObject({
      reason: 'invalid',
    });
    const url = new URL(flanks.links.buildUrl({ token: 'lt', bank: 'testbank', userId: 'alice' }));
    url.searchParams.set('state', 'v1.not-a-number.x.y');
    await expect(flanks.completeLink({ code: codeFrom(url.href), userId: 'alice' })).rejects.toMatchObject({
      reason: 'malformed',
    });
    const code = codeFrom(
      flanks.links.buildUrl({ token: 'lt', bank: 'testbank', userId: 'alice', stateTtlMs: 60_000 }),
    );
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 120_000 });
    await expect(flanks.completeLink({ code, userId: 'alice' })).rejects.toMatchObject({ reason: 'expired' });
  });

  it('stateSecret overrides the derived key: states follow the secret, not the client secret', async () => {
    const a = client({ stateSecret: STATE_SECRET });
    const b = client({ stateSecret: STATE_SECRET, clientSecret: SANDBOX_CLIENT_SECRET });
    const code = codeFrom(a.links.buildUrl({ token: 'lt', bank: 'testbank', userId: 'alice' }));
    await expect(b.completeLink({ code, userId: 'alice' })).resolves.toMatchObject({ userId: 'alice' });
    const derived = codeFrom(client().links.buildUrl({ token: 'lt', bank: 'testbank', userId: 'alice' }));
    await expect(a.completeLink({ code: derived, userId: 'alice' })).rejects.toMatchObject({
      reason: 'invalid',
    });
  });

  it('when the delete fails, the error says so and what is left to do', async () => {
    const flanks = client();
    const code = codeFrom(flanks.links.buildUrl({ token: 'lt', bank: 'testbank', userId: 'mallory' }));
    sandbox.failNext('/v0/bank/credentials', 1, { status: 500 });
    const err = await flanks.completeLink({ code, userId: 'victor' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'invalid', credentialDeleted: false });
    expect((err as Error).message).toMatch(
      /Deleting the credential .* failed .*credentials\.list\(\).*delete it/,
    );
    expect(deletes()).toHaveLength(1); // one attempt, not retried
    expect(await credentialsAtFlanks(flanks)).toHaveLength(1);
  });

  it('a refused code whose connection a record already uses is left at Flanks', async () => {
    const flanks = client();
    const alices = await flanks.completeLink({
      code: codeFrom(flanks.links.buildUrl({ token: 'lt', bank: 'testbank', userId: 'alice' })),
      userId: 'alice',
    });
    const mallorys = codeFrom(flanks.links.buildUrl({ token: 'lt', bank: 'testbank', userId: 'mallory' }));
    exchangeReturns(alices.credentialsToken);
    const err = await flanks.completeLink({ code: mallorys, userId: 'victor' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'invalid', credentialDeleted: false });
    expect((err as Error).message).toMatch(/already stored for a user, so it was left in place/);
    expect(deletes()).toHaveLength(0);
    expect(await flanks.store!.get(alices.credentialsToken)).toEqual(alices);
  });

  it('rejects a short stateSecret and shows no secret in errors or output', async () => {
    expect(() => client({ stateSecret: 'too-short' })).toThrow(/at least 32/);
    const flanks = client({ stateSecret: STATE_SECRET });
    const err = await flanks.completeLink({ code: 'nope', userId: 'alice' }).catch((e: unknown) => e);
    const shown = `${(err as Error).message} ${JSON.stringify(err)} ${inspect(err)} ${inspect(flanks, { depth: 8 })}`;
    expect(shown).not.toContain(STATE_SECRET);
    expect(shown).not.toContain(SANDBOX_CLIENT_SECRET);
  });
});

describe('recovering lost codes (links.unusedCodes + links.stateOwner)', () => {
  it('reads the verified user of each unused code; an edited parameter is never trusted', async () => {
    const flanks = client();
    const link = await flanks.links.create({ redirect_uri: 'https://app.example.com/cb', name: 'recovery' });
    // Alice finishes the Link but her redirect is lost.
    codeFrom(flanks.links.buildUrl({ token: link.token, bank: 'testbank', userId: 'alice' }));
    // Mallory edits a parameter that names a user: the kind of value the old docs trusted.
    const forged = new URL(
      flanks.links.buildUrl({
        token: link.token,
        bank: 'testbank',
        userId: 'mallory',
        params: { user: 'mallory' },
      }),
    );
    forged.searchParams.set('user', 'victor');
    codeFrom(forged.href);
    // A code whose URL carried no state at all.
    codeFrom(flanks.links.buildUrl({ token: link.token, bank: 'testbank', dangerouslyOmitState: true }));

    const owners: Record<string, string> = {};
    for (const unused of await flanks.links.unusedCodes({ linkToken: link.token })) {
      const owner = flanks.links.stateOwner(unused);
      if (!owner.ok) {
        owners[owner.reason] = unused.code;
        continue;
      }
      const record = await flanks.completeLink({ code: unused.code, userId: owner.userId });
      owners[record.userId] = unused.code;
    }
    expect(Object.keys(owners).sort()).toEqual(['alice', 'mallory', 'missing']);
    expect(await flanks.store!.listByUser('victor')).toEqual([]);
  });

  it('reports a state of another application, a mangled one and an expired one', () => {
    const flanks = client();
    const stateOf = (url: string) => ({ extra: { state: new URL(url).searchParams.get('state') } });
    const other = client({ clientSecret: 'another-application-secret' });
    expect(flanks.links.stateOwner(stateOf(other.links.buildUrl({ token: 'lt', userId: 'a' })))).toEqual({
      ok: false,
      reason: 'invalid',
    });
    expect(flanks.links.stateOwner({ extra: { state: 'v2.1.x.y' } })).toEqual({
      ok: false,
      reason: 'malformed',
    });
    expect(flanks.links.stateOwner({ extra: null })).toEqual({ ok: false, reason: 'missing' });
    const old = stateOf(flanks.links.buildUrl({ token: 'lt', userId: 'a', stateTtlMs: 1_000 }));
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 5_000 });
    expect(flanks.links.stateOwner(old)).toEqual({ ok: false, reason: 'expired' });
  });
});

describe('a connection never changes owner (completeLink)', () => {
  it('a code that returns a connection stored for another user: typed error, nothing overwritten, nothing deleted', async () => {
    const store = new MemoryCredentialStore();
    const flanks = client({ store });
    // Alice's connection is stored. The same bank login, connected again by Mallory through her own
    // (validly signed) Link, comes back with the same credentials token.
    const code = codeFrom(flanks.links.buildUrl({ token: 'lt', bank: 'testbank', userId: 'alice' }));
    const alices = await flanks.completeLink({ code, userId: 'alice' });
    const mallorys = codeFrom(flanks.links.buildUrl({ token: 'lt', bank: 'testbank', userId: 'mallory' }));
    exchangeReturns(alices.credentialsToken);
    const err = await flanks.completeLink({ code: mallorys, userId: 'mallory' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksCredentialConflictError);
    expect((err as Error).message).toMatch(/already holds for another user/);
    expect((err as Error).message).not.toContain('alice');
    expect(await store.get(alices.credentialsToken)).toEqual(alices);
    expect(await store.listByUser('mallory')).toEqual([]);
    expect(deletes()).toHaveLength(0);
  });
});

describe('user ids with unpaired surrogates', () => {
  // '\uD800' and '\uDBFF' both become U+FFFD once encoded: two users, one signed state, one row.
  const [a, b] = ['user\uD800', 'user\uDBFF'];

  it('are refused where user ids enter: buildUrl, completeLink, stores', async () => {
    const flanks = client();
    for (const userId of [a, b]) {
      expect(() => flanks.links.buildUrl({ token: 'lt', userId })).toThrow(/unpaired UTF-16 surrogate/);
      await expect(flanks.completeLink({ code: 'c', userId })).rejects.toBeInstanceOf(FlanksValidationError);
      const record = { userId, credentialsToken: 'ct_x', createdAt: new Date().toISOString(), extra: {} };
      await expect(new MemoryCredentialStore().save(record)).rejects.toBeInstanceOf(FlanksValidationError);
      await expect(new MemoryCredentialStore().listByUser(userId)).rejects.toBeInstanceOf(
        FlanksValidationError,
      );
      const encrypted = new EncryptedCredentialStore(new MemoryCredentialStore(), {
        keys: { k: Buffer.alloc(32, 7).toString('base64') },
        currentKeyId: 'k',
      });
      await expect(encrypted.save(record)).rejects.toBeInstanceOf(FlanksValidationError);
      await expect(encrypted.listByUser(userId)).rejects.toBeInstanceOf(FlanksValidationError);
    }
    // A well-formed astral character (a surrogate pair) is fine.
    expect(() => flanks.links.buildUrl({ token: 'lt', userId: 'user-😀' })).not.toThrow();
  });
});
