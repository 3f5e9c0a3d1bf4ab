// What happens when a user submits the Link: TestBank's special passwords and SCA answers,
// the duplicate-credential rule, and issuing the link code. The HTML Link and
// `FlanksSandbox.connect()` both drive this one implementation.

import {
  type CredentialBehaviour,
  type ExtractionStep,
  entityById,
  type LoginAttempt,
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
  };
}

export type LoginOutcome =
  | { kind: 'code'; code: string }
  | { kind: 'error'; error: SandboxLinkError }
  | { kind: 'challenge'; challenge: string; challengeId: string };

function challenge(state: SandboxState, attempt: LoginAttempt, type: string): LoginOutcome {
  const challengeId = state.newToken();
  state.challenges.set(challengeId, { attempt, challenge: type });
  return { kind: 'challenge', challenge: type, challengeId };
}

export function submitLogin(state: SandboxState, attempt: LoginAttempt): LoginOutcome {
  if (entityById(attempt.bank) === undefined) return { kind: 'error', error: 'UNKNOWN_BANK' };
  if (attempt.username === '' || attempt.password === '')
    return { kind: 'error', error: 'INVALID_CREDENTIALS' };
  const failure = loginFailure(attempt.password);
  if (failure) return { kind: 'error', error: failure };
  if (isScaTrigger(attempt.password)) return challenge(state, attempt, attempt.password);
  return complete(state, attempt);
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
  if (answer === '') return { kind: 'error', error: 'INVALID_SCA' };
  const failure = FAILING_SCA_ANSWERS[answer];
  if (failure) return { kind: 'error', error: failure };
  // TestBank chains challenges when another SCA trigger is typed into the challenge field.
  if (isScaTrigger(answer)) return challenge(state, entry.attempt, answer);
  return complete(state, entry.attempt);
}

function complete(state: SandboxState, attempt: LoginAttempt): LoginOutcome {
  if (state.hasCredential(attempt.clientId, attempt.bank, attempt.username)) {
    return { kind: 'error', error: 'CREDENTIALS_ALREADY_EXIST' };
  }
  const credential = state.addCredential({
    clientId: attempt.clientId,
    bank: attempt.bank,
    username: attempt.username,
    externalId: attempt.extra.external_id ?? null,
    linkToken: attempt.linkToken,
    ...credentialBehaviour(attempt.password),
  });
  const code = state.issueCode(
    credential,
    attempt.linkToken,
    attempt.extra,
    attempt.password === DELAYED_PASSWORD,
  );
  return { kind: 'code', code };
}
