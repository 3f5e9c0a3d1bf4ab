import * as z from 'zod/mini';
import { FlanksAbortError, FlanksApiError } from '../core/errors';
import { raceSignal } from './sleep';
import type { AuthProvider, Transport } from './transport';
import { one } from './validate';

/*
 * Access-token policy (POST /v0/token, client-credentials grant; tokens live `expires_in` s, 3600
 * per the docs):
 * - No token, or less than REFRESH_SKEW_MS of life left → fetch one; callers wait for it.
 * - Concurrent callers share one in-flight request: Flanks' legacy docs say a new token revokes the
 *   previous one, so two parallel fetches could knock each other's token out.
 * - A 401 on an API call calls `invalidate(token)`. The cache is dropped only if it still holds that
 *   token; if another call already refreshed, the replay simply uses the newer token. This turns a
 *   burst of 401s into one refresh instead of a storm.
 * - A failed token request rejects every waiter and is not cached; the next call tries again.
 * - The token request is retried by the transport like any read: issuing a token twice is harmless.
 */

const REFRESH_SKEW_MS = 60_000;
const DEFAULT_EXPIRES_IN_S = 3600;

const TokenResponse = z.looseObject({
  access_token: z.string().check(z.minLength(1)),
  expires_in: z.optional(z.number()),
  token_type: z.optional(z.string()),
  scope: z.optional(z.unknown()),
});

export class TokenManager implements AuthProvider {
  #token: { value: string; expiresAt: number } | undefined;
  #inflight: Promise<string> | undefined;
  /** Recent tokens, kept only so they can be scrubbed from errors. */
  readonly #seen: string[] = [];
  #requests = 0;

  constructor(
    private readonly transport: Transport,
    private readonly credentials: { clientId: string; clientSecret: string },
    private readonly now: () => number = Date.now,
  ) {}

  /** How many token requests were sent; for diagnostics and tests. */
  get requestCount(): number {
    return this.#requests;
  }

  async token(options: { signal?: AbortSignal | undefined }): Promise<string> {
    const cached = this.#token;
    if (cached && cached.expiresAt - this.now() > REFRESH_SKEW_MS) return cached.value;
    // The shared request runs without any one caller's signal; each caller races its own instead.
    this.#inflight ??= this.#fetch().finally(() => {
      this.#inflight = undefined;
    });
    return raceSignal(
      this.#inflight,
      options.signal,
      () => new FlanksAbortError('Flanks request was aborted while waiting for an access token.'),
    );
  }

  invalidate(token: string): void {
    if (this.#token?.value === token) this.#token = undefined;
  }

  secrets(): string[] {
    return this.#seen;
  }

  async #fetch(): Promise<string> {
    this.#requests++;
    const { data } = await this.transport.request({
      method: 'POST',
      path: '/v0/token',
      auth: false,
      idempotent: true,
      body: {
        client_id: this.credentials.clientId,
        client_secret: this.credentials.clientSecret,
        grant_type: 'client_credentials',
      },
      response: one('Token', TokenResponse),
    });
    // The token is needed whatever the validation mode, so its presence is checked here too.
    if (typeof data?.access_token !== 'string' || data.access_token === '') {
      throw new FlanksApiError({
        status: 200,
        message: 'Flanks POST /v0/token answered without an access_token. Contact Flanks support.',
        method: 'POST',
        path: '/v0/token',
      });
    }
    const expiresIn =
      typeof data.expires_in === 'number' && data.expires_in > 0 ? data.expires_in : DEFAULT_EXPIRES_IN_S;
    this.#token = { value: data.access_token, expiresAt: this.now() + expiresIn * 1000 };
    this.#seen.push(data.access_token);
    if (this.#seen.length > 8) this.#seen.shift();
    return data.access_token;
  }
}
