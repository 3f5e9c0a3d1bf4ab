// Connect API v2 sessions (beta at Flanks): create-session, list-sessions, list-connectors, and the
// session lifecycle the Connect widget (connect-pages.ts) and `FlanksSandbox.connectSession()`
// drive. TestBank's rules come from testbank.ts. Where Flanks is silent the sandbox chooses:
// - The widget URL is `<linkBaseUrl>/connect?session=<token>`, a token other than the session id,
//   so the `session_id` that travels in the redirect cannot reopen the widget. It works once: after
//   the session leaves `Waiting:*` the page says the session has ended.
// - A failed login or SCA answer ends the session (`Finished:Error` with the matching error code)
//   and redirects; the user needs a new session to try again.
// - After the user's last step the session shows `Processing:<step>` for one read, then
//   `Finished:OK` / `Finished:Error`, so a client has to poll as it would with Flanks.
// - Connecting login details that are already connected finishes OK with the existing connection,
//   as a session that updates a connection would (the Link answers CREDENTIALS_ALREADY_EXIST).
// - `connection_id` is the v0 `credentials_token` of the new credential.
// - Cancel in the widget ends the session `Finished:Error` with `error_code: 'AbortedByUser'` (a
//   name the sandbox chose; Flanks documents none) and redirects like any other ending.
// - Re-authentication (docs/reauthentication.md): `configuration.reset_token` / `sca_token` bind the
//   session to the credential holding that token (else 400 ValidationError). A reset session opens
//   that credential's login (the username must be its own); an SCA session opens on the challenge
//   (`Waiting:Challenge`). Success updates the credential and finishes OK with its token as
//   `connection_id`; nothing is created.

import { isRecord } from '../../internal/args';
import type { RouteContext } from './api';
import { ENTITIES } from './catalog';
import { json } from './http';
import { type CredentialRecord, entityById, type Reauth, type SandboxState } from './state';
import {
  addLoginCredential,
  checkLogin,
  checkScaAnswer,
  credentialBehaviour,
  type LoginCheck,
} from './testbank';
import type { SandboxLinkError } from './types';
import { cursorPage, invalid, matchesIn, type Routes, readQuery } from './v2';

type Step = 'ProvideCredentials' | 'Challenge';

type SessionOutcome = { connectionId: string } | { errorCode: string };

export interface SessionRecord {
  sessionId: string;
  clientId: string;
  /** The secret in the widget URL. */
  widgetToken: string;
  status: string;
  connectorId: string | null;
  redirectUrl: string;
  /** `privacy_notice`, when it is a URL: linked from the widget's footer. */
  privacyUrl: string | null;
  createdAtMs: number;
  connectionId: string | null;
  errorCode: string | null;
  /** A login waiting for its SCA answer; kept here so the password never reaches the HTML. */
  pendingLogin: { bank: string; username: string; password: string; challenge: string } | null;
  /** What the session ends with, once the user is done; shown after `processingReads` reads. */
  outcome: SessionOutcome | null;
  processingReads: number;
  /** The credential a re-authentication session updates (its token), and how. */
  reauth: { kind: Reauth['kind']; credentialsToken: string } | null;
}

/** Reads that still show `Processing:*` once the user has finished. */
const PROCESSING_READS = 1;
const ABORTED = 'AbortedByUser';
/** The challenge an SCA re-authentication session opens with. */
const REAUTH_CHALLENGE = 'SCA_SMS';

const SESSION_ERROR_CODES: Partial<Record<SandboxLinkError, string>> = {
  INVALID_CREDENTIALS: 'InvalidCredentials',
  INVALID_SCA: 'InvalidChallengeResponse',
  SCA_TYPE_NOT_ALLOWED: 'UnsupportedChallengeMethod',
  USER_INTERACTION_NEEDED: 'UserInteractionNeeded',
  INTERNAL_ERROR: 'InternalError',
};

function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

export function widgetUrl(state: SandboxState, session: SessionRecord): string {
  return `${state.config.linkBaseUrl}/connect?${new URLSearchParams({ session: session.widgetToken })}`;
}

export function sessionByWidgetToken(state: SandboxState, token: string): SessionRecord | undefined {
  return [...state.sessions.values()].find((s) => s.widgetToken === token);
}

/** Where the widget sends the user when the session is over. */
export function redirectOf(session: SessionRecord): string {
  const url = new URL(session.redirectUrl);
  url.searchParams.set('session_id', session.sessionId);
  return url.href;
}

/** Reading a session moves a finished one from `Processing:*` to `Finished:*` (see the header). */
function observe(session: SessionRecord): SessionRecord {
  if (session.outcome === null || !session.status.startsWith('Processing:')) return session;
  if (session.processingReads > 0) {
    session.processingReads -= 1;
    return session;
  }
  if ('connectionId' in session.outcome) {
    session.status = 'Finished:OK';
    session.connectionId = session.outcome.connectionId;
  } else {
    session.status = 'Finished:Error';
    session.errorCode = session.outcome.errorCode;
  }
  return session;
}

function sessionView(state: SandboxState, session: SessionRecord): Record<string, unknown> {
  return {
    session_id: session.sessionId,
    status: session.status,
    connection_id: session.connectionId,
    error_code: session.errorCode,
    url: widgetUrl(state, session),
    connector_id: session.connectorId,
    redirect_url: session.redirectUrl,
    created_at: new Date(session.createdAtMs).toISOString(),
  };
}

function finish(session: SessionRecord, step: Step, outcome: SessionOutcome): void {
  session.status = `Processing:${step}`;
  session.pendingLogin = null;
  session.outcome = outcome;
  session.processingReads = PROCESSING_READS;
}

/** What the widget shows next: a challenge, the redirect, or the login form again. */
export type SessionStep =
  | { kind: 'challenge'; challenge: string }
  | { kind: 'redirect'; location: string }
  | { kind: 'retry'; error: SandboxLinkError };

function existingCredential(state: SandboxState, clientId: string, bank: string, username: string) {
  return [...state.credentials.values()].find(
    (c) => c.clientId === clientId && c.bank === bank && c.username === username,
  ) as CredentialRecord;
}

function proceed(state: SandboxState, session: SessionRecord, check: LoginCheck, step: Step): SessionStep {
  const login = session.pendingLogin;
  if (!login) return { kind: 'retry', error: 'INTERNAL_ERROR' };
  if (check.kind === 'challenge') {
    login.challenge = check.challenge;
    session.status = 'Waiting:Challenge';
    return { kind: 'challenge', challenge: check.challenge };
  }
  if (check.kind === 'error') {
    finish(session, step, { errorCode: SESSION_ERROR_CODES[check.error] ?? 'InternalError' });
    return { kind: 'redirect', location: redirectOf(session) };
  }
  if (session.reauth) {
    const target = state.credentials.get(session.reauth.credentialsToken);
    if (target) state.reauthenticate(target, session.reauth.kind, credentialBehaviour(login.password));
    finish(session, step, target ? { connectionId: target.token } : { errorCode: 'InternalError' });
    return { kind: 'redirect', location: redirectOf(session) };
  }
  const created = addLoginCredential(state, {
    clientId: session.clientId,
    bank: login.bank,
    username: login.username,
    password: login.password,
    externalId: null,
    linkToken: null,
  });
  const credential =
    created === 'CREDENTIALS_ALREADY_EXIST'
      ? existingCredential(state, session.clientId, login.bank, login.username)
      : created;
  finish(session, step, { connectionId: credential.token });
  return { kind: 'redirect', location: redirectOf(session) };
}

/** The login form of the widget. An unknown bank sends the user back to the picker, nothing else. */
export function submitSessionLogin(
  state: SandboxState,
  session: SessionRecord,
  login: { bank: string; username: string; password: string },
): SessionStep {
  const own = session.reauth && state.credentials.get(session.reauth.credentialsToken);
  const check: LoginCheck =
    own && login.username !== own.username
      ? { kind: 'error', error: 'INVALID_CREDENTIALS' }
      : checkLogin(login.bank, login.username, login.password);
  if (check.kind === 'error' && check.error === 'UNKNOWN_BANK') return { kind: 'retry', error: check.error };
  session.pendingLogin = { ...login, challenge: '' };
  return proceed(state, session, check, 'ProvideCredentials');
}

/** The widget's Cancel button, at any step; returns where the widget redirects. */
export function cancelSession(session: SessionRecord): string {
  finish(session, session.status === 'Waiting:Challenge' ? 'Challenge' : 'ProvideCredentials', {
    errorCode: ABORTED,
  });
  return redirectOf(session);
}

/** The credential a session's `configuration.reset_token` / `sca_token` re-authenticates. */
function reauthOf(
  state: SandboxState,
  clientId: string,
  configuration: Record<string, unknown>,
): { kind: Reauth['kind']; credential: CredentialRecord } | null {
  const given = (['reset', 'sca'] as const).filter((kind) => configuration[`${kind}_token`] !== undefined);
  if (given.length === 0) return null;
  if (given.length > 1) throw invalid('configuration.sca_token', 'conflict');
  const kind = given[0] as Reauth['kind'];
  const token = configuration[`${kind}_token`];
  const credential = typeof token === 'string' ? state.reauthTarget(clientId, { kind, token }) : undefined;
  if (!credential) throw invalid(`configuration.${kind}_token`, 'invalid_token');
  return { kind, credential };
}

/** The SCA form of the widget. */
export function answerSessionChallenge(
  state: SandboxState,
  session: SessionRecord,
  answer: string,
): SessionStep {
  return proceed(state, session, checkScaAnswer(answer), 'Challenge');
}

function createSession({ state, clientId, body }: RouteContext): Response {
  const configuration = body.configuration;
  if (configuration === undefined || configuration === null) throw invalid('configuration', 'missing');
  if (!isRecord(configuration)) throw invalid('configuration', 'invalid_type');
  const redirect = configuration.redirect_url;
  if (redirect !== undefined && !isHttpUrl(redirect))
    throw invalid('configuration.redirect_url', 'invalid_url');
  const connector = configuration.connector_id;
  if (connector !== undefined && (typeof connector !== 'string' || !entityById(connector)))
    throw invalid('configuration.connector_id', 'not_found');
  const reauth = reauthOf(state, clientId, configuration);
  const session: SessionRecord = {
    sessionId: state.newToken(),
    clientId,
    widgetToken: state.newToken(),
    status: reauth?.kind === 'sca' ? 'Waiting:Challenge' : 'Waiting:ProvideCredentials',
    // A re-authentication is for the credential's own bank.
    connectorId: reauth?.credential.bank ?? (connector as string | undefined) ?? null,
    redirectUrl: (redirect as string | undefined) ?? state.config.defaultRedirectUri,
    privacyUrl: isHttpUrl(configuration.privacy_notice) ? configuration.privacy_notice : null,
    createdAtMs: state.now(),
    connectionId: null,
    errorCode: null,
    pendingLogin:
      reauth?.kind === 'sca'
        ? {
            bank: reauth.credential.bank,
            username: reauth.credential.username,
            password: '',
            challenge: REAUTH_CHALLENGE,
          }
        : null,
    outcome: null,
    processingReads: 0,
    reauth: reauth && { kind: reauth.kind, credentialsToken: reauth.credential.token },
  };
  state.sessions.set(session.sessionId, session);
  return json({ session: sessionView(state, session) });
}

export const CONNECT_ROUTES: Routes = {
  '/connect/v2/sessions/create-session': { POST: createSession },
  '/connect/v2/sessions/list-sessions': {
    POST: ({ state, clientId, body }) => {
      const query = readQuery(body, {
        session_id_in: 'ids',
        status_in: 'ids',
        connection_id_in: 'ids',
        error_code_in: 'ids',
      });
      const items = [...state.sessions.values()]
        .filter((s) => s.clientId === clientId)
        .map(observe)
        .filter(
          (s) =>
            matchesIn(query, 'session_id_in', s.sessionId) &&
            matchesIn(query, 'status_in', s.status) &&
            matchesIn(query, 'connection_id_in', s.connectionId) &&
            matchesIn(query, 'error_code_in', s.errorCode),
        )
        .map((s) => sessionView(state, s));
      return cursorPage(state, body, 'sessions', items);
    },
  },
  '/connect/v2/connectors/list-connectors': {
    POST: ({ state, body }) => {
      const query = readQuery(body, { connector_id_in: 'ids' });
      const items = ENTITIES.filter((e) => matchesIn(query, 'connector_id_in', e.id)).map((e) => ({
        connector_id: e.id,
        name: e.name,
        country: e.country,
        logo_url: `${state.config.linkBaseUrl}/logos/${e.id}.svg`,
      }));
      return cursorPage(state, body, 'connectors', items);
    },
  },
};
