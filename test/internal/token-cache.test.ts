import { createHash } from 'node:crypto';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type CachedAccessToken,
  FlanksAbortError,
  FlanksAuthError,
  FlanksClient,
  type FlanksClientOptions,
  FlanksValidationError,
  MemoryTokenCache,
  type TokenCache,
} from '../../src';
import { CACHE_TIMEOUT_MS, LOCK_TTL_MS, refreshBudgetMs } from '../../src/internal/token-manager';
import { TokenSeal, tokenCacheKey } from '../../src/internal/token-seal';
import {
  createFlanksHandlers,
  FlanksSandbox,
  SANDBOX_CLIENT_ID,
  SANDBOX_CLIENT_SECRET,
} from '../../src/testing';
import { settle, spyLogger } from '../helpers';

// The shared token cache through the real client and HTTP stack, against the sandbox (which, like
// Flanks, revokes a client's previous token when it issues a new one). Time is faked throughout:
// the lock waits, the cache timeout and token expiry run on vi's clock.

const BASE = 'https://api.flanks.io';
const sandbox = new FlanksSandbox({ seed: 11 });
const server = setupServer(...(await createFlanksHandlers(sandbox)));
const KEY = tokenCacheKey(BASE, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET);
const seal = new TokenSeal(SANDBOX_CLIENT_SECRET);
/** The access token a cache entry holds, opened as the SDK opens it. */
const opened = async (entry: CachedAccessToken | undefined) => entry && (await seal.open(KEY, entry))?.value;

beforeAll(async () => {
  server.listen({ onUnhandledRequest: 'error' });
  // Loads the SDK's HTTP runtime (a dynamic import, real I/O) before any test fakes the clock.
  await client().entities.list();
});
beforeEach(() => sandbox.reset());
afterEach(() => {
  vi.useRealTimers();
  server.resetHandlers();
});
afterAll(() => server.close());

function client(options: FlanksClientOptions = {}) {
  return new FlanksClient({
    clientId: SANDBOX_CLIENT_ID,
    clientSecret: SANDBOX_CLIENT_SECRET,
    logger: spyLogger(),
    ...options,
  });
}

const bearers = () =>
  sandbox.requests.filter((r) => r.path === '/v0/bank/credentials/status').map((r) => r.authorization);

/** A cache that records every key and value it is handed, over a MemoryTokenCache. */
function recordingCache(inner = new MemoryTokenCache()) {
  const keys: string[] = [];
  const values: unknown[] = [];
  const cache: TokenCache = {
    get: (key) => {
      keys.push(key);
      return inner.get(key);
    },
    set: (key, token) => {
      keys.push(key);
      values.push(token);
      return inner.set(key, token);
    },
    lock: (key, ttl) => {
      keys.push(key);
      return inner.lock(key, ttl);
    },
  };
  return { cache, keys, values };
}

describe('shared token cache', () => {
  it('two clients sharing a MemoryTokenCache make one token request', async () => {
    vi.useFakeTimers();
    const tokenCache = new MemoryTokenCache();
    const [a, b] = [client({ tokenCache }), client({ tokenCache })];
    const ct = sandbox.createCredential({ pendingPolls: 0 });
    await settle(
      Promise.all([a.credentials.getStatus(ct), b.credentials.getStatus(ct), a.credentials.getStatus(ct)]),
    );
    await settle(b.credentials.getStatus(ct));
    expect(sandbox.stats.tokenRequests).toBe(1);
    expect(new Set(bearers()).size).toBe(1);
    expect(bearers()).toHaveLength(4); // no 401, no replay
  });

  it("token events say where each client's token came from: fetched, shared, refreshed", async () => {
    vi.useFakeTimers();
    const tokenCache = new MemoryTokenCache();
    const [a, b] = [client({ tokenCache }), client({ tokenCache })];
    const actions: Record<string, string[]> = { a: [], b: [] };
    a.on('token', (e) => actions.a!.push(e.action));
    b.on('token', (e) => actions.b!.push(e.action));
    const ct = sandbox.createCredential({ pendingPolls: 0 });
    await settle(a.credentials.getStatus(ct));
    await settle(b.credentials.getStatus(ct));
    vi.advanceTimersByTime(3_600_000); // both copies expired
    await settle(b.credentials.getStatus(ct));
    await settle(a.credentials.getStatus(ct));
    expect(actions).toEqual({ a: ['fetched', 'shared'], b: ['shared', 'refreshed'] });
    expect(sandbox.stats.tokenRequests).toBe(2);
  });

  it('without a cache the same two clients fetch two tokens and the first is revoked', async () => {
    const [a, b] = [client(), client()];
    const ct = sandbox.createCredential({ pendingPolls: 0 });
    await a.credentials.getStatus(ct);
    await b.credentials.getStatus(ct);
    await a.credentials.getStatus(ct); // 401 (b's token revoked a's), refresh, replay
    expect(sandbox.stats.tokenRequests).toBe(3);
    expect(bearers()).toHaveLength(4);
  });

  it('after a revocation, three clients refresh once between them', async () => {
    vi.useFakeTimers();
    const tokenCache = new MemoryTokenCache();
    const clients = [client({ tokenCache }), client({ tokenCache }), client({ tokenCache })];
    const ct = sandbox.createCredential({ pendingPolls: 0 });
    await settle(Promise.all(clients.map((c) => c.credentials.getStatus(ct))));
    sandbox.expireTokens();
    // Each client still holds the revoked token locally: every first call gets a 401.
    await settle(
      Promise.all(clients.flatMap((c) => [c.credentials.getStatus(ct), c.credentials.getStatus(ct)])),
    );
    expect(sandbox.stats.tokenRequests).toBe(2);
    // A client that was idle during the refresh: its 401 finds the replacement in the cache.
    const late = client({ tokenCache });
    await settle(late.credentials.getStatus(ct));
    sandbox.expireTokens();
    await settle(clients[0]!.credentials.getStatus(ct));
    await settle(clients[1]!.credentials.getStatus(ct));
    expect(sandbox.stats.tokenRequests).toBe(3);
    expect(new Set(bearers()).size).toBe(3);
  });

  it('the lock holder reads again first: a refresh that landed since its first read is adopted', async () => {
    const tokenCache = new MemoryTokenCache();
    // A's first read answers "empty" only after B has refreshed, as a slow round trip would.
    let openGate: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    let reads = 0;
    const slowFirstRead: TokenCache = {
      get: async (key) => (reads++ === 0 ? gate.then(() => undefined) : tokenCache.get(key)),
      set: (key, token) => tokenCache.set(key, token),
      lock: (key, ttl) => tokenCache.lock(key, ttl),
    };
    const ct = sandbox.createCredential({ pendingPolls: 0 });
    const a = client({ tokenCache: slowFirstRead }).credentials.getStatus(ct);
    await client({ tokenCache }).credentials.getStatus(ct);
    openGate();
    await a;
    expect(sandbox.stats.tokenRequests).toBe(1);
    expect(new Set(bearers()).size).toBe(1);
  });

  it('keys the cache by a MAC of base URL and client id; neither they nor the secret show in the key', async () => {
    const { cache, keys, values } = recordingCache();
    await client({ tokenCache: cache }).credentials.getStatus(sandbox.createCredential({ pendingPolls: 0 }));
    expect(new Set(keys)).toEqual(new Set([KEY]));
    expect(KEY).not.toContain(SANDBOX_CLIENT_ID);
    expect(KEY).not.toContain(SANDBOX_CLIENT_SECRET);
    expect(values).toHaveLength(1);
    expect(JSON.stringify(values)).not.toContain(SANDBOX_CLIENT_SECRET);
    const other = recordingCache();
    await client({ tokenCache: other.cache, baseUrl: `${BASE}/` }).entities.list();
    expect(other.keys[0]).toBe(KEY); // the normalised base URL: a trailing slash is the same app
  });

  for (const [label, tokenCache] of [
    ['without a cache', undefined],
    ['with a cache', new MemoryTokenCache()],
  ] as const) {
    it(`refreshes a short-lived token min(60 s, 10 % of its lifetime) before expiry, ${label}`, async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      const short = new FlanksSandbox({ tokenTtlSeconds: 3, seed: 3 });
      server.use(...(await createFlanksHandlers(short)));
      const c = client({ tokenCache });
      const ct = short.createCredential({ pendingPolls: 0 });
      await c.credentials.getStatus(ct);
      for (let i = 0; i < 5; i++) {
        vi.advanceTimersByTime(500); // up to 2.5 s: more than 300 ms left, keep the token
        await c.credentials.getStatus(ct);
      }
      expect(short.stats.tokenRequests).toBe(1);
      vi.advanceTimersByTime(250); // 2.75 s: inside the last 300 ms
      await c.credentials.getStatus(ct);
      expect(short.stats.tokenRequests).toBe(2);
      expect(short.stats.requests['/v0/bank/credentials/status']).toBe(7); // never a 401
    });
  }

  it('a cache that throws: warns once, falls back to its own token, the calls succeed', async () => {
    const logger = spyLogger();
    const failing: TokenCache = {
      get: async () => {
        throw new Error(`ECONNREFUSED while reading (secret ${SANDBOX_CLIENT_SECRET})`);
      },
      set: async () => {
        throw new Error('down');
      },
      lock: async () => {
        throw new Error('down');
      },
    };
    const c = client({ tokenCache: failing, logger });
    const ct = sandbox.createCredential({ pendingPolls: 0 });
    await expect(c.credentials.getStatus(ct)).resolves.toMatchObject({ pending: false });
    sandbox.expireTokens();
    await expect(c.credentials.getStatus(ct)).resolves.toMatchObject({ pending: false });
    expect(sandbox.stats.tokenRequests).toBe(2);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(String(logger.warn.mock.calls[0]?.[0])).toMatch(/token cache get failed .*ECONNREFUSED/);
    expect(logger.lines().join('\n')).not.toContain(SANDBOX_CLIENT_SECRET);
  });

  it('a cache that comes back is used again, and says so', async () => {
    const logger = spyLogger();
    const inner = new MemoryTokenCache();
    let down = true;
    const flaky: TokenCache = {
      get: (k) => (down ? Promise.reject(new Error('down')) : inner.get(k)),
      set: (k, t) => inner.set(k, t),
      lock: (k, ttl) => inner.lock(k, ttl),
    };
    const c = client({ tokenCache: flaky, logger });
    const ct = sandbox.createCredential({ pendingPolls: 0 });
    await c.credentials.getStatus(ct);
    down = false;
    sandbox.expireTokens();
    await c.credentials.getStatus(ct);
    expect(logger.info.mock.calls.map((call) => String(call[0]))).toContain(
      '[flanks-sdk] token cache answers again; sharing the access token again.',
    );
    expect(await opened(await inner.get(KEY))).toBe(bearers().at(-1)?.replace('Bearer ', ''));
  });

  it('a cache that hangs counts as down after CACHE_TIMEOUT_MS', async () => {
    vi.useFakeTimers();
    const logger = spyLogger();
    const hanging: TokenCache = {
      get: () => new Promise<CachedAccessToken | undefined>(() => undefined),
      set: async () => undefined,
      lock: async () => undefined,
    };
    const c = client({ tokenCache: hanging, logger });
    const ct = sandbox.createCredential({ pendingPolls: 0 });
    const started = Date.now();
    await expect(settle(c.credentials.getStatus(ct))).resolves.toMatchObject({ pending: false });
    expect(Date.now() - started).toBe(CACHE_TIMEOUT_MS);
    expect(String(logger.warn.mock.calls[0]?.[0])).toMatch(
      /token cache get failed .*no answer within 2000 ms/,
    );
  });

  it('a malformed shared entry is ignored with a warning and overwritten', async () => {
    const logger = spyLogger();
    const inner = new MemoryTokenCache();
    const corrupt: TokenCache = {
      get: async (k) => ((await inner.get(k)) ?? { value: 42 }) as unknown as CachedAccessToken,
      set: (k, t) => inner.set(k, t),
      lock: (k, ttl) => inner.lock(k, ttl),
    };
    await client({ tokenCache: corrupt, logger }).entities.list();
    expect(String(logger.warn.mock.calls[0]?.[0])).toMatch(/malformed entry/);
    expect(sandbox.stats.tokenRequests).toBe(1);
    expect((await inner.get(KEY))?.value).toMatch(/./);
  });

  it('a waiter adopts the token the lock holder fetched, and can abort while it waits', async () => {
    vi.useFakeTimers();
    const tokenCache = new MemoryTokenCache();
    const [holder, waiter, impatient] = [
      client({ tokenCache }),
      client({ tokenCache }),
      client({ tokenCache }),
    ];
    const ct = sandbox.createCredential({ pendingPolls: 0 });
    sandbox.failNext('/v0/token', 1, { delayMs: 5_000 });
    const held = holder.credentials.getStatus(ct);
    await vi.advanceTimersByTimeAsync(100);
    const waited = waiter.credentials.getStatus(ct);
    const controller = new AbortController();
    const aborted = impatient.credentials
      .getStatus(ct, { signal: controller.signal })
      .catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1_000);
    controller.abort();
    expect(await aborted).toBeInstanceOf(FlanksAbortError);
    await settle(Promise.all([held, waited]));
    expect(sandbox.stats.tokenRequests).toBe(1);
    expect(new Set(bearers()).size).toBe(1);
  });

  it('a holder slower than LOCK_TTL_MS (rate-limited token request) keeps the lock: the fleet asks once', async () => {
    vi.useFakeTimers();
    const tokenCache = new MemoryTokenCache();
    const [holder, ...waiters] = [1, 2, 3, 4].map(() => client({ tokenCache }));
    const ct = sandbox.createCredential({ pendingPolls: 0 });
    // Flanks throttles the token request for 15 s: the holder's retry outlives a 10 s lock.
    sandbox.failNext('/v0/token', 1, { status: 429, retryAfter: 15 });
    const held = holder!.credentials.getStatus(ct);
    await vi.advanceTimersByTimeAsync(100);
    const waited = waiters.map((w) => w.credentials.getStatus(ct));
    await settle(Promise.all([held, ...waited]));
    expect(sandbox.stats.tokenRequests).toBe(2); // the 429 and its retry, nothing else
    expect(new Set(bearers()).size).toBe(1);
    expect(bearers()).toHaveLength(4); // no 401: nobody revoked the token the others adopted
  });

  it('a lock whose holder died expires after LOCK_TTL_MS; a waiter then fetches', async () => {
    vi.useFakeTimers();
    const tokenCache = new MemoryTokenCache();
    await tokenCache.lock(KEY, LOCK_TTL_MS); // taken by a process that crashed: never released
    const c = client({ tokenCache });
    const call = c.credentials.getStatus(sandbox.createCredential({ pendingPolls: 0 }));
    await vi.advanceTimersByTimeAsync(LOCK_TTL_MS - 500);
    expect(sandbox.stats.tokenRequests).toBe(0);
    await settle(call);
    expect(sandbox.stats.tokenRequests).toBe(1);
    expect(await opened(await tokenCache.get(KEY))).toBe(bearers()[0]?.replace('Bearer ', ''));
  });

  it('a waiter that never sees the lock free fetches its own token once no holder could still be busy, with a warning', async () => {
    vi.useFakeTimers();
    const logger = spyLogger();
    const stuck: TokenCache = {
      get: async () => undefined,
      set: async () => undefined,
      lock: async () => undefined,
    };
    const started = Date.now();
    await settle(client({ tokenCache: stuck, logger, timeoutMs: 5_000, maxRetries: 1 }).entities.list());
    // A holder with these settings is done within 2 × 5 s + one 60 s Retry-After wait.
    const patience = refreshBudgetMs(5_000, 1) + LOCK_TTL_MS;
    expect(Date.now() - started).toBeGreaterThan(patience);
    expect(Date.now() - started).toBeLessThan(patience + 2_000);
    expect(sandbox.stats.tokenRequests).toBe(1);
    expect(String(logger.warn.mock.calls[0]?.[0])).toMatch(/refresh lock stayed taken/);
  });

  it('validates the option at construction', () => {
    for (const bad of [{}, 'redis', 42, { get() {}, set() {} }, null]) {
      let err: unknown;
      try {
        client({ tokenCache: bad as unknown as TokenCache });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(FlanksValidationError);
      expect((err as FlanksValidationError).path).toBe('options.tokenCache');
    }
    expect(() => client({ tokenCache: new MemoryTokenCache() })).not.toThrow();
  });
});

// Security review (issue 12, finding 3): the shared cache held the bearer token in clear under a key
// anyone could compute from the client id (sha256 of base URL and client id). Read access to the cache
// was then read access to every user's data, a writer could plant a token, and a process with the
// right client id but a wrong secret was served the fleet's token.
describe('shared token cache: what a reader or writer of the cache can do', () => {
  const issued = () => sandbox.requests.flatMap((r) => (r.authorization ? [r.authorization.slice(7)] : []));

  it('finds no access token in clear in anything the cache is handed', async () => {
    const { cache, keys, values } = recordingCache();
    const ct = sandbox.createCredential({ pendingPolls: 0 });
    await client({ tokenCache: cache }).credentials.getStatus(ct);
    sandbox.expireTokens();
    await client({ tokenCache: cache }).credentials.getStatus(ct);
    const tokens = [...new Set(issued())];
    expect(tokens).toHaveLength(2);
    expect(values).toHaveLength(2);
    const stored = JSON.stringify({ keys, values });
    for (const token of tokens) expect(stored).not.toContain(token);
    // Nor is the key computable from what is public: a hash of the base URL and client id.
    const plainHash = createHash('sha256').update(`${BASE}\n${SANDBOX_CLIENT_ID}`).digest('hex');
    expect(stored).not.toContain(plainHash);
  });

  it('a token planted in the cache is never sent: the client refreshes and overwrites it', async () => {
    const logger = spyLogger();
    const { cache, keys } = recordingCache();
    const ct = sandbox.createCredential({ pendingPolls: 0 });
    await client({ tokenCache: cache }).credentials.getStatus(ct);
    const key = keys[0]!;
    // Someone with write access to the cache replaces the entry with a token of their choosing.
    const planted = {
      value: 'at_planted_by_a_cache_writer',
      issuedAt: Date.now(),
      expiresAt: Date.now() + 3_600_000,
    };
    await cache.set(key, planted);
    const victim = client({ tokenCache: cache, logger });
    await victim.credentials.getStatus(ct);
    expect(issued()).not.toContain(planted.value);
    expect(sandbox.stats.tokenRequests).toBe(2);
    expect(JSON.stringify(await cache.get(key))).not.toContain(planted.value);
    expect(logger.lines().join('\n')).toMatch(/could not be opened/);
  });

  it('a sealed entry copied under another key does not open there', async () => {
    const shared = new MemoryTokenCache();
    const { cache, keys } = recordingCache(shared);
    const ct = sandbox.createCredential({ pendingPolls: 0 });
    await client({ tokenCache: cache }).credentials.getStatus(ct);
    const entry = await shared.get(keys[0]!);
    // Another application (another client id) on the same cache finds this app's sealed entry
    // moved under its own key: it must not open it.
    const otherKeys = recordingCache(shared);
    const other = new FlanksSandbox({
      seed: 12,
      clients: [{ clientId: 'other-app', clientSecret: SANDBOX_CLIENT_SECRET }],
    });
    server.use(...(await createFlanksHandlers(other)));
    const otherClient = client({ tokenCache: otherKeys.cache, clientId: 'other-app' });
    await otherClient.entities.list();
    await shared.set(otherKeys.keys[0]!, entry!);
    other.expireTokens();
    await otherClient.entities.list();
    expect(other.stats.tokenRequests).toBe(2);
  });

  it('a process with the right client id and a wrong secret is not served the fleet token', async () => {
    const tokenCache = new MemoryTokenCache();
    const ct = sandbox.createCredential({ pendingPolls: 0 });
    await client({ tokenCache }).credentials.getStatus(ct);
    const [fleetToken] = issued();
    const before = sandbox.requests.length;
    const intruder = client({ tokenCache, clientSecret: 'a-wrong-secret-for-the-right-client-id' });
    const err = await intruder.credentials.getStatus(ct).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksAuthError);
    const sent = sandbox.requests.slice(before);
    expect(sent.map((r) => r.path)).toEqual(['/v0/token']);
    expect(JSON.stringify(sent)).not.toContain(fleetToken);
  });
});
