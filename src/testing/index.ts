/**
 * Test helpers for flanks-sdk users: a stateful fake of the Flanks API and Link (the sandbox)
 * with msw and HTTP-server adapters, record and replay of real Flanks exchanges (secrets and
 * personal data removed), and the CredentialStore and TokenCache conformance suites.
 *
 * @module flanks-sdk/testing
 */

// The main entry's types this entry's signatures use, so they can be named from here too.
export type { CredentialRecord, CredentialRecordSchema, CredentialStore } from '../core/credential-store';
export type {
  CachedAccessToken,
  CachedAccessTokenSchema,
  TokenCache,
  TokenCacheLock,
} from '../core/token-cache';
export { createFlanksHandlers, type FlanksHandlers } from './msw';
export {
  type FlanksFixture,
  type FlanksReplay,
  type RecordFlanksOptions,
  recordFlanks,
  replayFlanks,
} from './record';
export {
  FlanksSandbox,
  SANDBOX_CLIENT_ID,
  SANDBOX_CLIENT_SECRET,
  type SandboxClient,
  type SandboxConnectOptions,
  type SandboxConnectResult,
  type SandboxCredentialOptions,
  type SandboxFault,
  type SandboxFaultSpec,
  type SandboxLink,
  type SandboxLinkError,
  type SandboxOptions,
  type SandboxRequestRecord,
  type SandboxSessionOptions,
  type SandboxSessionResult,
  type SandboxStats,
} from './sandbox';
export { type RunningSandbox, type StartSandboxOptions, startSandbox } from './server';
export * from './store-contract';
export * from './token-cache-contract';
