// What happens when a user submits the Link: TestBank's special passwords and SCA answers,
// the duplicate-credential rule, re-authentication of an existing credential, and issuing the link
// code. The HTML Link and `FlanksSandbox.connect()` both drive this one implementation; Connect v2
// sessions (connect.ts) reuse its rules (`checkLogin`, `checkScaAnswer`, `addLoginCredential`)
// without the link code.
//
// Re-authentication is undocumented at Flanks; the sandbox models what the SDK assumes
// (docs/reauthentication.md): a Link URL carrying `reset_token=` opens the login of that
// credential's bank, and the username must be the credential's; `sca_token=` opens an SCA challenge
// at once. Success updates the credential (tokens cleared, data extracted again) and issues a code
// that exchanges for the same `credentials_token`; no credential is created. A token that no
// credential holds (unknown, or already used) is an invalid link.

import {
  type CredentialBehaviour,
  type CredentialRecord,
  type ExtractionStep,
  entityById,
  type LoginAttempt,
  type NewCredential,
  type Reauth,
  type SandboxState,
} from './state';
import type { SandboxLinkError } from './types';

/** Passwords that make the login fail outright; no credential is created. */
const FAILING_PASSWORDS: Readonly<Record<string, SandboxLinkError>> = {
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  INTERNAL_ERROR: 'INTERNAL_ERROR',
  SCA_TYPE_NOT_ALLOWED: 'SCA_TYPE_NOT_ALLOWED',
  USER_INTERACTION_NEEDED: 'USER_INTERACTION_NEEDED',
  // TestBank's "already exists" trigger surfaces as the Link's documented duplicate error.
  ALREADY_EXISTS: 'CREDENTIALS_ALREADY_EXIST',
};

const FAILING_SCA_ANSWERS: Readonly<Record<string, SandboxLinkError>> = {
  INVALID_SCA: 'INVALID_SCA',
  INTERNAL_ERROR: 'INTERNAL_ERROR',
  USER_INTERACTION_NEEDED: 'USER_INTERACTION_NEEDED',
};

/** Sandbox-only password: the code exchange answers 202 instead of a credentials token. */
const DELAYED_PASSWORD = 'SANDBOX_DELAYED';
/** Sandbox-only password: the credential becomes blocked once its first extraction ends. */
const BLOCKED_PASSWORD = 'SANDBOX_BLOCKED';
/** Sandbox-only password: the bank asks for SCA again (an `sca_token`) once the extraction ends. */
const SCA_REQUIRED_PASSWORD = 'SANDBOX_SCA_REQUIRED';
/** Sandbox-only password: the first extraction never ends (until `stayPending(token, 0)`). */
const PENDING_PASSWORD = 'SANDBOX_PENDING';
/** The challenge an SCA re-authentication opens with. */
const REAUTH_CHALLENGE = 'SCA_SMS';
const ACCOUNT_DATA_ERROR: ReadonlySet<ExtractionStep> = new Set(['product.account', 'transactions.account']);

export function loginFailure(password: string): SandboxLinkError | undefined {
  return FAILING_PASSWORDS[password];
}

/** `SCA_SMS`, `SCA_APP`…: any `SCA_` value other than the "not allowed" trigger starts a challenge. */
export function isScaTrigger(value: string): boolean {
  return /^SCA_[A-Z_]+$/.test(value) && FAILING_PASSWORDS[value] === undefined;
}

export function credentialBehaviour(password: string): CredentialBehaviour {
  return {
    failingSteps: password === 'DATA_ERROR_PRODUCT_ACCOUNT' ? ACCOUNT_DATA_ERROR : new Set(),
    blockWhenSettled: password === BLOCKED_PASSWORD,
    scaWhenSettled: password === SCA_REQUIRED_PASSWORD,
  };
}

/** How many polls a new credential stays pending for this password; `undefined`: the sandbox's setting. */
export function pendingPollsFor(password: string): number | undefined {
  return password === PENDING_PASSWORD ? Number.POSITIVE_INFINITY : undefined;
}

export type LoginOutcome =
  | { kind: 'code'; code: string }
  | { kind: 'error'; error: SandboxLinkError }
  | { kind: 'challenge'; challenge: string; challengeId: string };

/** TestBank's verdict on one step: go on, fail with a Link error, or ask for an SCA challenge. */
export type LoginCheck =
  | { kind: 'ok' }
  | { kind: 'error'; error: SandboxLinkError }
  | { kind: 'challenge'; challenge: string };

/** TestBank's rules for a login form, before anything is created. */
export function checkLogin(bank: string, username: string, password: string): LoginCheck {
  if (entityById(bank) === undefined) return { kind: 'error', error: 'UNKNOWN_BANK' };
  if (username === '' || password === '') return { kind: 'error', error: 'INVALID_CREDENTIALS' };
  const failure = loginFailure(password);
  if (failure) return { kind: 'error', error: failure };
  if (isScaTrigger(password)) return { kind: 'challenge', challenge: password };
  return { kind: 'ok' };
}

/** TestBank's rules for an answer to an SCA challenge. */
export function checkScaAnswer(answer: string): LoginCheck {
  if (answer === '') return { kind: 'error', error: 'INVALID_SCA' };
  const failure = FAILING_SCA_ANSWERS[answer];
  if (failure) return { kind: 'error', error: failure };
  // TestBank chains challenges when another SCA trigger is typed into the challenge field.
  if (isScaTrigger(answer)) return { kind: 'challenge', challenge: answer };
  return { kind: 'ok' };
}

/** Creates the credential of a successful login, unless these login details are already connected. */
export function addLoginCredential(
  state: SandboxState,
  login: Omit<NewCredential, keyof CredentialBehaviour | 'pendingPolls'> & { password: string },
): CredentialRecord | 'CREDENTIALS_ALREADY_EXIST' {
  if (state.hasCredential(login.clientId, login.bank, login.username)) return 'CREDENTIALS_ALREADY_EXIST';
  const { password, ...credential } = login;
  return state.addCredential({
    ...credential,
    ...credentialBehaviour(password),
    pendingPolls: pendingPollsFor(password),
  });
}

function challenge(state: SandboxState, attempt: LoginAttempt, type: string): LoginOutcome {
  const challengeId = state.newToken();
  state.challenges.set(challengeId, { attempt, challenge: type });
  return { kind: 'challenge', challenge: type, challengeId };
}

function proceed(state: SandboxState, attempt: LoginAttempt, check: LoginCheck): LoginOutcome {
  if (check.kind === 'error') return check;
  if (check.kind === 'challenge') return challenge(state, attempt, check.challenge);
  return complete(state, attempt);
}

export function submitLogin(state: SandboxState, attempt: LoginAttempt): LoginOutcome {
  if (attempt.reauth) {
    const target = state.reauthTarget(attempt.clientId, attempt.reauth);
    if (!target) return { kind: 'error', error: 'INVALID_LINK' };
    if (attempt.reauth.kind === 'reset' && attempt.username !== target.username) {
      return { kind: 'error', error: 'INVALID_CREDENTIALS' };
    }
  }
  return proceed(state, attempt, checkLogin(attempt.bank, attempt.username, attempt.password));
}

/** An SCA re-authentication opens on the challenge; no password is asked for. */
export function startScaReauth(state: SandboxState, attempt: LoginAttempt): LoginOutcome {
  if (!attempt.reauth || !state.reauthTarget(attempt.clientId, attempt.reauth)) {
    return { kind: 'error', error: 'INVALID_LINK' };
  }
  return challenge(state, attempt, REAUTH_CHALLENGE);
}

/** `undefined` when the challenge id is unknown or was already answered. */
export function answerChallenge(
  state: SandboxState,
  challengeId: string,
  answer: string,
): LoginOutcome | undefined {
  const entry = state.challenges.get(challengeId);
  if (!entry) return undefined;
  state.challenges.delete(challengeId);
  return proceed(state, entry.attempt, checkScaAnswer(answer));
}

/** The credential a re-authentication updates, once the user passed the bank's pages again. */
function reauthenticated(
  state: SandboxState,
  attempt: LoginAttempt,
  reauth: Reauth,
): CredentialRecord | 'INVALID_LINK' {
  // Checked again: another tab may have used the token since the form was shown.
  const target = state.reauthTarget(attempt.clientId, reauth);
  if (!target) return 'INVALID_LINK';
  state.reauthenticate(target, reauth.kind, credentialBehaviour(attempt.password));
  return target;
}

function complete(state: SandboxState, attempt: LoginAttempt): LoginOutcome {
  const credential = attempt.reauth
    ? reauthenticated(state, attempt, attempt.reauth)
    : addLoginCredential(state, {
        clientId: attempt.clientId,
        bank: attempt.bank,
        username: attempt.username,
        password: attempt.password,
        externalId: attempt.extra.external_id ?? null,
        linkToken: attempt.linkToken,
      });
  if (typeof credential === 'string') return { kind: 'error', error: credential };
  const code = state.issueCode(
    credential,
    attempt.linkToken,
    attempt.extra,
    attempt.password === DELAYED_PASSWORD,
  );
  return { kind: 'code', code };
}
