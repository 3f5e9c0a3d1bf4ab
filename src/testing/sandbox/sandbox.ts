import { argumentError, isRecord, optionalNumber, requireNumber, requireString } from '../../internal/args';
import { abortableSleep } from '../../internal/sleep';
import { handleApi } from './api';
import { TESTBANK_ID } from './catalog';
import { answerSessionChallenge, cancelSession, type SessionStep, submitSessionLogin } from './connect';
import { handleConnectWidget } from './connect-pages';
import { FaultQueue, statusFault } from './faults';
import { errorJson, parseBody } from './http';
import { handleLink } from './link-pages';
import { handleReportFile } from './reports';
import {
  type CredentialRecord,
  entityById,
  type Reauth,
  resolveConfig,
  type SandboxConfig,
  SandboxState,
} from './state';
import {
  answerChallenge,
  credentialBehaviour,
  isScaTrigger,
  type LoginOutcome,
  loginFailure,
  pendingPollsFor,
  startScaReauth,
  submitLogin,
} from './testbank';
import type {
  SandboxConnectOptions,
  SandboxConnectResult,
  SandboxCredentialOptions,
  SandboxFault,
  SandboxFaultSpec,
  SandboxLink,
  SandboxOptions,
  SandboxRequestRecord,
  SandboxSessionOptions,
  SandboxSessionResult,
  SandboxStats,
} from './types';

/** TestBank accepts any SCA answer that is not one of its failure triggers. */
const PASSING_SCA_ANSWER = '123456';

type Route = { kind: 'api'; path: string } | { kind: 'link'; subpath: string };

function trimSlashes(path: string): string {
  return path.replace(/\/+$/, '');
}

/**
 * A stateful, in-memory fake of the Flanks API and the Flanks Link, built on Web-standard
 * `Request`/`Response` only, so the same object runs under msw, a Node HTTP server, or an edge
 * runtime. It issues tokens, keeps Links, codes and credentials, walks each credential through
 * its first extraction, and serves believable, seeded Spanish bank data. TestBank's special
 * passwords behave as documented; `SANDBOX_DELAYED`, `SANDBOX_BLOCKED`, `SANDBOX_SCA_REQUIRED` and
 * `SANDBOX_PENDING` are sandbox-only extras (docs/testing.md). It also models what the SDK assumes
 * about re-authenticating a credential (docs/reauthentication.md).
 *
 * @example
 * ```ts
 * const sandbox = new FlanksSandbox({ pendingPolls: 1 });
 * const result = sandbox.connect({ params: { external_id: 'user-42' } });
 * const response = await sandbox.handle(
 *   new Request('https://api.flanks.io/v0/token', {
 *     method: 'POST',
 *     headers: { 'content-type': 'application/json' },
 *     body: JSON.stringify({ client_id: SANDBOX_CLIENT_ID, client_secret: SANDBOX_CLIENT_SECRET, grant_type: 'client_credentials' }),
 *   }),
 * );
 * ```
 * @see https://docs.flanks.io/pages/testbank
 */
export class FlanksSandbox {
  /** Base of the API routes, without a trailing slash. */
  readonly apiBaseUrl: string;
  /** Where the Link page is served, without a trailing slash. */
  readonly linkBaseUrl: string;
  private readonly config: SandboxConfig;
  private readonly api: URL;
  private readonly link: URL;
  private readonly defaultLinkTokens: readonly string[];
  private state: SandboxState;
  private readonly faults = new FaultQueue();
  private counters: SandboxStats = { requests: {}, tokenRequests: 0 };
  private log: SandboxRequestRecord[] = [];

  constructor(options: SandboxOptions = {}) {
    this.config = resolveConfig(options);
    this.apiBaseUrl = this.config.apiBaseUrl;
    this.linkBaseUrl = this.config.linkBaseUrl;
    this.api = new URL(this.apiBaseUrl);
    this.link = new URL(this.linkBaseUrl);
    this.state = new SandboxState(this.config);
    this.defaultLinkTokens = [...this.state.links.keys()];
  }

  /**
   * The first client's default Link (redirect URI `defaultRedirectUri`), as the Links API shows it.
   *
   * @example
   * ```ts
   * const page = await fetch(`${sandbox.linkBaseUrl}?token=${sandbox.defaultLink.token}&bank=testbank`);
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/links-api
   */
  get defaultLink(): SandboxLink {
    const link = this.state.links.get(this.defaultLinkTokens[0] ?? '');
    if (!link) throw new Error('The default Link was deleted; create one with POST /v0/links/create-link');
    return this.state.linkView(link);
  }

  /**
   * Request counters since construction or the last {@link FlanksSandbox.reset}; a snapshot.
   *
   * @example
   * ```ts
   * expect(sandbox.stats.tokenRequests).toBe(1);
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/authentication
   */
  get stats(): SandboxStats {
    return { requests: { ...this.counters.requests }, tokenRequests: this.counters.tokenRequests };
  }

  /**
   * Every request received, oldest first, with bodies and Authorization headers as sent.
   *
   * @example
   * ```ts
   * expect(sandbox.requests.map((r) => r.path)).toEqual(['/v0/token', '/v0/bank/credentials/status']);
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/credentials-api
   */
  get requests(): readonly SandboxRequestRecord[] {
    return [...this.log];
  }

  /**
   * The Link URL a user would open, with the given custom params (`bank`, `external_id`,
   * `rollback`, anything else).
   *
   * @example
   * ```ts
   * const url = sandbox.linkUrl({ bank: 'testbank', external_id: 'user-42', rollback: 'true' });
   * ```
   * @see https://docs.flanks.io/pages/flanks-link
   */
  linkUrl(params: Record<string, string> = {}, linkToken = this.defaultLink.token): string {
    return `${this.linkBaseUrl}?${new URLSearchParams({ token: linkToken, ...params })}`;
  }

  /**
   * Answers one request to the API or the Link, or returns a transport fault for the adapter
   * to enact. Unexpected failures answer 500 `{"error":"Internal Error"}` like Flanks does.
   *
   * @example
   * ```ts
   * const result = await sandbox.handle(new Request('https://api.flanks.io/v0/bank/available'));
   * if (result instanceof Response) console.info(result.status); // 401: no token
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/aggregation-api
   */
  async handle(request: Request): Promise<Response | SandboxFault> {
    try {
      return await this.dispatch(request);
    } catch {
      return errorJson(500, 'Internal Error');
    }
  }

  private route(url: URL): Route | undefined {
    const path = trimSlashes(url.pathname);
    const linkPath = trimSlashes(this.link.pathname);
    if (url.origin === this.link.origin && (path === linkPath || path.startsWith(`${linkPath}/`))) {
      return { kind: 'link', subpath: path.slice(linkPath.length) };
    }
    const apiPath = trimSlashes(this.api.pathname);
    if (url.origin === this.api.origin && (path === apiPath || path.startsWith(`${apiPath}/`))) {
      return { kind: 'api', path: path.slice(apiPath.length) || '/' };
    }
    return undefined;
  }

  private async dispatch(request: Request): Promise<Response | SandboxFault> {
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    const text = method === 'GET' || method === 'HEAD' ? '' : await request.text();
    const body = parseBody(text, request.headers.get('content-type'));
    const route = this.route(url);
    const key = route?.kind === 'api' ? route.path : url.pathname;
    this.counters.requests[key] = (this.counters.requests[key] ?? 0) + 1;
    if (key === '/v0/token') this.counters.tokenRequests += 1;
    this.log.push({
      method,
      path: key,
      query: Object.fromEntries(url.searchParams),
      authorization: request.headers.get('authorization'),
      body: body.ok ? body.value : body.text,
      at: this.state.now(),
    });

    if (!route) return errorJson(404, 'Not found');
    if (route.kind === 'link') {
      const form: Record<string, string> = {};
      if (body.ok && isRecord(body.value)) {
        for (const [name, value] of Object.entries(body.value))
          if (typeof value === 'string') form[name] = value;
      }
      const call = { method, subpath: route.subpath, query: url.searchParams, form };
      // The Connect widget and report files share the Link's host; each handler claims its own paths.
      return (
        handleConnectWidget(this.state, call) ??
        handleReportFile(this.state, call) ??
        handleLink(this.state, call)
      );
    }

    const fault = this.faults.take(route.path);
    if (fault && 'status' in fault) return statusFault(fault);
    if (fault && 'reset' in fault) return { fault: 'reset' };
    if (fault && 'delayMs' in fault) await abortableSleep(fault.delayMs, request.signal);
    const response = handleApi(this.state, {
      method,
      path: route.path,
      query: url.searchParams,
      authorization: request.headers.get('authorization'),
      body,
    });
    return fault && 'truncate' in fault ? { fault: 'truncate', response } : response;
  }

  /**
   * Does what a user completing the Link would do, without HTML: log in (TestBank passwords
   * apply), answer SCA challenges, and issue a single-use link code; or press Cancel (`cancel`), or
   * re-authenticate an existing credential (`resetToken` / `scaToken`, docs/reauthentication.md).
   *
   * @example
   * ```ts
   * const result = sandbox.connect({ password: 'SCA_SMS', scaAnswer: '123456', params: { campaign: 'spring' } });
   * sandbox.connect({ resetToken, password: 'new-password' }); // the code exchanges for the same token
   * if ('code' in result) {
   *   // POST /v0/platform/link { code: result.code } → { credentials_token, extra: { campaign: 'spring' } }
   * }
   * ```
   * @see https://docs.flanks.io/pages/testbank
   */
  connect(options: SandboxConnectOptions = {}): SandboxConnectResult {
    const state = this.state;
    const link = state.links.get(options.linkToken ?? this.defaultLinkTokens[0] ?? '');
    if (!link?.active) return { error: 'INVALID_LINK' };
    const reauth: Reauth | undefined =
      options.resetToken !== undefined
        ? { kind: 'reset', token: options.resetToken }
        : options.scaToken !== undefined
          ? { kind: 'sca', token: options.scaToken }
          : undefined;
    const target = reauth && state.reauthTarget(link.clientId, reauth);
    if (reauth && !target) return { error: 'INVALID_LINK' };
    if (options.cancel) return { error: 'ABORTED_BY_USER' };
    const attempt = {
      clientId: link.clientId,
      linkToken: link.token,
      bank: target?.bank ?? options.bank ?? TESTBANK_ID,
      username: options.username ?? target?.username ?? state.freshUsername(),
      password: options.password ?? (reauth?.kind === 'sca' ? '' : 'sandbox'),
      extra: { ...options.params },
      reauth,
    };
    let outcome: LoginOutcome =
      reauth?.kind === 'sca' ? startScaReauth(state, attempt) : submitLogin(state, attempt);
    const answers = [options.scaAnswer ?? []].flat();
    while (outcome.kind === 'challenge') {
      outcome = answerChallenge(state, outcome.challengeId, answers.shift() ?? PASSING_SCA_ANSWER) ?? {
        kind: 'error',
        error: 'INVALID_SCA',
      };
    }
    return outcome.kind === 'code' ? { code: outcome.code } : { error: outcome.error };
  }

  /**
   * Does what a user would do in the Connect widget of a Connect v2 session, without HTML: log in
   * (TestBank passwords apply) and answer SCA challenges. Returns where the widget redirects; the
   * session's outcome is read from List Sessions, as with Flanks.
   *
   * @example
   * ```ts
   * const session = await flanks.connect.createSession({ configuration: {} });
   * const { redirectUrl } = sandbox.connectSession(session.session_id, { password: 'SCA_SMS' });
   * const record = await flanks.connect.completeSession({
   *   sessionId: session.session_id,
   *   userId: 'u1',
   *   expectedSessionId: session.session_id,
   * });
   * ```
   * @see https://docs.flanks.io/pages/concepts/connect-sessions
   */
  connectSession(sessionId: string, options: SandboxSessionOptions = {}): SandboxSessionResult {
    const state = this.state;
    const session = state.sessions.get(sessionId);
    if (!session) throw argumentError('sessionId', 'is unknown to this sandbox.');
    // An SCA re-authentication session opens on its challenge; any other starts at the login.
    const opensOnChallenge = session.reauth?.kind === 'sca';
    if (session.status !== (opensOnChallenge ? 'Waiting:Challenge' : 'Waiting:ProvideCredentials')) {
      throw new Error(`connectSession(): the session is ${session.status}; a session can be used once`);
    }
    if (options.cancel) return { redirectUrl: cancelSession(session) };
    const own = session.reauth && state.credentials.get(session.reauth.credentialsToken);
    let step: SessionStep = opensOnChallenge
      ? { kind: 'challenge', challenge: session.pendingLogin?.challenge ?? '' }
      : submitSessionLogin(state, session, {
          bank: session.connectorId ?? options.bank ?? TESTBANK_ID,
          username: options.username ?? own?.username ?? state.freshUsername(),
          password: options.password ?? 'sandbox',
        });
    const answers = [options.scaAnswer ?? []].flat();
    while (step.kind === 'challenge') {
      step = answerSessionChallenge(state, session, answers.shift() ?? PASSING_SCA_ANSWER);
    }
    if (step.kind !== 'redirect') throw new Error(`connectSession(): ${step.error}`);
    return { redirectUrl: step.location };
  }

  /**
   * Creates a credential directly and returns its `credentials_token`, skipping the Link and the
   * code exchange. Passwords that would fail the Link or ask for SCA throw; use
   * {@link FlanksSandbox.connect} for those.
   *
   * @example
   * ```ts
   * const token = sandbox.createCredential({ pendingPolls: 0, password: 'DATA_ERROR_PRODUCT_ACCOUNT' });
   * ```
   * @see https://docs.flanks.io/pages/concepts/credentials
   */
  createCredential(options: SandboxCredentialOptions = {}): string {
    const state = this.state;
    const clientId = options.clientId ?? this.config.clients[0]?.clientId ?? '';
    if (!this.config.clients.some((c) => c.clientId === clientId))
      throw argumentError('options.clientId', 'is not a client of this sandbox.');
    const bank = options.bank ?? TESTBANK_ID;
    if (!entityById(bank)) throw argumentError('options.bank', 'is not a bank of the sandbox.');
    const password = options.password ?? 'sandbox';
    if (loginFailure(password) !== undefined || isScaTrigger(password)) {
      throw argumentError(
        'options.password',
        'must log in directly in createCredential(); use connect() to simulate failures or SCA.',
      );
    }
    optionalNumber(options.pendingPolls, 'options.pendingPolls', { integer: true });
    const username = options.username ?? state.freshUsername();
    if (state.hasCredential(clientId, bank, username)) {
      throw new Error('createCredential(): CREDENTIALS_ALREADY_EXIST for this username and bank');
    }
    return state.addCredential({
      clientId,
      bank,
      username,
      externalId: options.externalId ?? null,
      linkToken: null,
      pendingPolls: options.pendingPolls ?? pendingPollsFor(password),
      ...credentialBehaviour(password),
    }).token;
  }

  /**
   * Makes the next `times` API requests to `match` (a path relative to the API base, such as
   * `/v0/bank/credentials/status`, or `'*'` for any) fail with `fault`. Rules apply in the order
   * they were added. Link pages are never faulted.
   *
   * @example
   * ```ts
   * sandbox.failNext('/v0/token', 1, { status: 503, retryAfter: 0 });
   * sandbox.failNext('*', 1, { delayMs: 50 });
   * sandbox.failNext('/v0/bank/credentials/portfolio', 1, { truncate: true });
   * ```
   * @see https://docs.flanks.io/troubleshooting-the-api
   */
  failNext(match: string, times: number, fault: SandboxFaultSpec): void {
    requireString(match, 'match');
    this.faults.add(match === '*' ? match : trimSlashes(match) || '/', times, fault);
  }

  private credential(token: string): CredentialRecord {
    const credential = this.state.credentials.get(token);
    if (!credential) throw argumentError('credentialsToken', 'is not a credential of this sandbox.');
    return credential;
  }

  /**
   * Puts a credential back into its first extraction: `pending: true` for the next `polls`
   * status polls, with `created.*` flags filling in again as it progresses.
   *
   * @example
   * ```ts
   * sandbox.stayPending(token, 10); // exercise a poller's give-up path
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/credentials-api
   */
  stayPending(credentialsToken: string, polls: number): void {
    requireNumber(polls, 'polls', { integer: true });
    this.state.restartExtraction(this.credential(credentialsToken), polls);
  }

  /**
   * Marks a credential `blocked: true` with a `reset_token`, as when the user changed their
   * bank password.
   *
   * @example
   * ```ts
   * sandbox.block(token);
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/credentials-api
   */
  block(credentialsToken: string): void {
    this.state.block(this.credential(credentialsToken));
  }

  /**
   * Gives a credential an `sca_token`, as when the bank asks for strong authentication again.
   *
   * @example
   * ```ts
   * sandbox.requireSca(token);
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/credentials-api
   */
  requireSca(credentialsToken: string): void {
    const credential = this.credential(credentialsToken);
    credential.scaToken ??= this.state.newToken();
  }

  /**
   * Invalidates every access token, so the next API call answers 401 and a client must fetch a
   * new token.
   *
   * @example
   * ```ts
   * sandbox.expireTokens();
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/authentication
   */
  expireTokens(): void {
    this.state.expireAccessTokens();
  }

  /**
   * Back to a fresh sandbox: no tokens, credentials, codes, faults or counters. Default Links
   * keep their tokens, so URLs built before the reset still open.
   *
   * @example
   * ```ts
   * afterEach(() => sandbox.reset());
   * ```
   * @see https://docs.flanks.io/pages/testbank
   */
  reset(): void {
    this.state = new SandboxState(this.config, this.defaultLinkTokens);
    this.faults.clear();
    this.counters = { requests: {}, tokenRequests: 0 };
    this.log = [];
  }
}
