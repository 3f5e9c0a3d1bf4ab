/**
 * The OAuth client the sandbox accepts on `POST /v0/token` when no `clients` option is given.
 *
 * @example
 * ```ts
 * await fetch(`${url}/v0/token`, {
 *   method: 'POST',
 *   headers: { 'content-type': 'application/json' },
 *   body: JSON.stringify({
 *     client_id: SANDBOX_CLIENT_ID,
 *     client_secret: SANDBOX_CLIENT_SECRET,
 *     grant_type: 'client_credentials',
 *   }),
 * });
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/authentication
 */
export const SANDBOX_CLIENT_ID = 'sandbox-client-id';

/**
 * The secret paired with {@link SANDBOX_CLIENT_ID}.
 *
 * @example
 * ```ts
 * const sandbox = new FlanksSandbox({ clients: [{ clientId: SANDBOX_CLIENT_ID, clientSecret: SANDBOX_CLIENT_SECRET }] });
 * ```
 * @see https://docs.flanks.io/pages/concepts/applications
 */
export const SANDBOX_CLIENT_SECRET = 'sandbox-client-secret';

/**
 * One Flanks Application (client id and secret) the sandbox knows. Links and credentials are
 * scoped to the client that created them, as in Flanks.
 *
 * @example
 * ```ts
 * const client: SandboxClient = { clientId: 'app-a', clientSecret: 'secret-a' };
 * ```
 * @see https://docs.flanks.io/pages/concepts/applications
 */
export interface SandboxClient {
  clientId: string;
  clientSecret: string;
}

/**
 * How a {@link FlanksSandbox} behaves. Every field is optional.
 *
 * @example
 * ```ts
 * let now = Date.parse('2026-03-01T10:00:00Z');
 * const sandbox = new FlanksSandbox({ pendingPolls: 0, clock: () => now, seed: 7 });
 * ```
 * @see https://docs.flanks.io/pages/testbank
 */
export interface SandboxOptions {
  /** Applications that may request tokens. Default: one, {@link SANDBOX_CLIENT_ID} / {@link SANDBOX_CLIENT_SECRET}. */
  clients?: SandboxClient[];
  /** Where the API lives; its path becomes the prefix of every API route. Default `https://api.flanks.io`. */
  apiBaseUrl?: string;
  /** Where the Link page lives. Default `https://platform.flanks.io/link`. */
  linkBaseUrl?: string;
  /** Redirect URI of each client's default Link. Default `http://localhost:3000/flanks/callback`. */
  defaultRedirectUri?: string;
  /** How many status polls a new credential answers `pending: true`. Default 2; 0 means ready at once. */
  pendingPolls?: number;
  /** When set, a new credential is pending for this many milliseconds of `clock` time instead of `pendingPolls` polls. */
  pendingMs?: number;
  /** Time source in epoch milliseconds, for token expiry and the time-based lifecycle. Default `Date.now`. */
  clock?: () => number;
  /** `expires_in` of access tokens. Default 3600. */
  tokenTtlSeconds?: number;
  /** Makes generated tokens and bank data reproducible. Default: random tokens, data seeded by token only. */
  seed?: number;
  /** Items per page of `POST /v0/bank/credentials/list` and of every cursor list (Connect v2, Aggregation v2). Default 20. */
  pageSize?: number;
  /** Spelling of the status object's transaction key; archived Flanks docs show both. Default `transactions`. */
  statusTransactionKey?: 'transaction' | 'transactions';
}

/**
 * What {@link FlanksSandbox.handle} returns instead of a `Response` when a transport fault was
 * scheduled: adapters drop the connection (`reset`) or send only part of `response` (`truncate`).
 *
 * @example
 * ```ts
 * const result = await sandbox.handle(request);
 * if (!(result instanceof Response) && result.fault === 'reset') socket.destroy();
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/authentication
 */
export type SandboxFault = { fault: 'reset' } | { fault: 'truncate'; response: Response };

/**
 * A fault to inject with {@link FlanksSandbox.failNext}: an HTTP error answer (the request is not
 * applied), a delay before the normal answer, a dropped connection (not applied), or a body cut in
 * half (applied).
 *
 * @example
 * ```ts
 * sandbox.failNext('/v0/bank/credentials/status', 2, { status: 429, retryAfter: 1 });
 * sandbox.failNext('*', 1, { reset: true });
 * ```
 * @see https://docs.flanks.io/troubleshooting-the-api
 */
export type SandboxFaultSpec =
  | { status: number; body?: unknown; retryAfter?: number | string }
  | { delayMs: number }
  | { reset: true }
  | { truncate: true };

/**
 * The Link object exactly as the Links API returns it.
 *
 * @example
 * ```ts
 * const link: SandboxLink = sandbox.defaultLink;
 * const url = `${sandbox.linkBaseUrl}?token=${link.token}`;
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/links-api
 */
export interface SandboxLink {
  token: string;
  name: string;
  redirect_uri: string;
  company_name: string;
  terms_and_conditions_url: string | null;
  privacy_policy_url: string | null;
  active: boolean;
  pending_code_count: number;
}

/**
 * Error codes the sandbox Link can end with. The first seven are Flanks Link error codes
 * (`ABORTED_BY_USER`: the user pressed Cancel); `INVALID_LINK` (an unknown or paused link, or a
 * re-authentication token that is unknown or already used) and `UNKNOWN_BANK` are only returned by
 * {@link FlanksSandbox.connect}, where the HTML Link would show an error page instead.
 *
 * @example
 * ```ts
 * const result = sandbox.connect({ password: 'INVALID_CREDENTIALS' });
 * if ('error' in result) expect(result.error).toBe<SandboxLinkError>('INVALID_CREDENTIALS');
 * ```
 * @see https://docs.flanks.io/link-errors
 */
export type SandboxLinkError =
  | 'INVALID_CREDENTIALS'
  | 'INVALID_SCA'
  | 'CREDENTIALS_ALREADY_EXIST'
  | 'INTERNAL_ERROR'
  | 'SCA_TYPE_NOT_ALLOWED'
  | 'USER_INTERACTION_NEEDED'
  | 'ABORTED_BY_USER'
  | 'INVALID_LINK'
  | 'UNKNOWN_BANK';

/**
 * Input of {@link FlanksSandbox.connect}: what a user would do in the Link.
 *
 * @example
 * ```ts
 * sandbox.connect({ password: 'SCA_SMS', scaAnswer: '123456', params: { external_id: 'user-42' } });
 * ```
 * @see https://docs.flanks.io/pages/flanks-link
 */
export interface SandboxConnectOptions {
  /** Default: the first client's default Link. */
  linkToken?: string;
  /** Entity id. Default `testbank`. */
  bank?: string;
  /** Default: a fresh username, so repeated calls never collide. */
  username?: string;
  /** A TestBank password; default `sandbox`, which succeeds. */
  password?: string;
  /** Answers to SCA challenges, in order; when they run out the challenge is passed. */
  scaAnswer?: string | readonly string[];
  /** Custom Link URL params (`external_id` included), echoed back as `extra` on exchange. */
  params?: Record<string, string>;
  /**
   * Re-authenticates the credential holding this `reset_token` (the Link URL's `reset_token=`):
   * the user logs in again (the username defaults to the credential's own), and the code exchanges
   * for the same `credentials_token`.
   */
  resetToken?: string;
  /** Re-authenticates the credential holding this `sca_token`: the user answers an SCA challenge. */
  scaToken?: string;
  /** The user presses Cancel instead of logging in: the result is `{ error: 'ABORTED_BY_USER' }`. */
  cancel?: boolean;
}

/**
 * Result of {@link FlanksSandbox.connect}: the link code the redirect would carry, or the error.
 *
 * @example
 * ```ts
 * const result = sandbox.connect();
 * if ('code' in result) await exchange(result.code);
 * ```
 * @see https://docs.flanks.io/pages/flanks-link
 */
export type SandboxConnectResult = { code: string } | { error: SandboxLinkError };

/**
 * Input of {@link FlanksSandbox.createCredential}.
 *
 * @example
 * ```ts
 * const token = sandbox.createCredential({ pendingPolls: 0, externalId: 'user-42' });
 * ```
 * @see https://docs.flanks.io/pages/concepts/credentials
 */
export interface SandboxCredentialOptions {
  /** Owner application. Default: the first client. */
  clientId?: string;
  /** Default `testbank`. */
  bank?: string;
  /** Default: a fresh username. */
  username?: string;
  /** A TestBank password; failing ones (`INVALID_CREDENTIALS`, `SCA_*`…) throw. Default `sandbox`. */
  password?: string;
  externalId?: string | null;
  /** Overrides the sandbox's `pendingPolls` for this credential. */
  pendingPolls?: number;
}

/**
 * Counters for assertions, from {@link FlanksSandbox.stats}. Keys of `requests` are paths
 * relative to the API base (e.g. `/v0/token`), or the full path for Link pages.
 *
 * @example
 * ```ts
 * expect(sandbox.stats.tokenRequests).toBe(1);
 * expect(sandbox.stats.requests['/v0/bank/credentials/status']).toBe(3);
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/credentials-api
 */
export interface SandboxStats {
  requests: Record<string, number>;
  tokenRequests: number;
}

/**
 * One request as the sandbox received it, secrets included: it is a test tool.
 *
 * @example
 * ```ts
 * const last = sandbox.requests.at(-1);
 * expect(last?.body).toEqual({ credentials_token: token });
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/aggregation-api
 */
export interface SandboxRequestRecord {
  method: string;
  /** Same key as {@link SandboxStats.requests}. */
  path: string;
  query: Record<string, string>;
  authorization: string | null;
  /** Parsed JSON or form body; the raw text when it is neither; `undefined` when empty. */
  body: unknown;
  /** When it arrived, in epoch ms of the sandbox's `clock`: for timing assertions (token refreshes). */
  at: number;
}

/**
 * Input of {@link FlanksSandbox.connectSession}: what a user would do in the Connect widget.
 *
 * @example
 * ```ts
 * sandbox.connectSession(session.session_id, { password: 'SCA_SMS', scaAnswer: '123456' });
 * ```
 * @see https://docs.flanks.io/pages/concepts/connect-sessions
 */
export interface SandboxSessionOptions {
  /** Entity id. Default: the session's `connector_id`, else `testbank`. */
  bank?: string;
  /** Default: a fresh username, so repeated calls never collide. */
  username?: string;
  /** A TestBank password; default `sandbox`, which succeeds. */
  password?: string;
  /** Answers to SCA challenges, in order; when they run out the challenge is passed. */
  scaAnswer?: string | readonly string[];
  /** The user presses Cancel: the session finishes `Finished:Error` with `error_code: 'AbortedByUser'`. */
  cancel?: boolean;
}

/**
 * Result of {@link FlanksSandbox.connectSession}: where the widget sends the user back
 * (`redirect_url?session_id=…`, on success and on failure alike: read the outcome from
 * List Sessions).
 *
 * @example
 * ```ts
 * const { redirectUrl } = sandbox.connectSession(sessionId);
 * const { sessionId: back } = flanks.connect.parseRedirect(redirectUrl);
 * ```
 * @see https://docs.flanks.io/pages/concepts/connect-sessions
 */
export interface SandboxSessionResult {
  redirectUrl: string;
}
