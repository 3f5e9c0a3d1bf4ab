/**
 * flanks-sdk: a typed client for the Flanks wealth-data aggregation API.
 *
 * @module flanks-sdk
 */
export { type CompleteLinkParams, FlanksClient, type FlanksClientOptions } from './client';
export { APIPromise, type FlanksResponse, type WithResponse } from './core/api-promise';
export {
  type CredentialRecord,
  CredentialRecordSchema,
  type CredentialStore,
  type ListableCredentialStore,
  MemoryCredentialStore,
  type StoreListOptions,
} from './core/credential-store';
export {
  EncryptedCredentialStore,
  type EncryptedCredentialStoreOptions,
} from './core/encrypted-credential-store';
export { envelopeOf } from './core/envelope';
export {
  FlanksAbortError,
  FlanksApiError,
  type FlanksApiErrorInit,
  FlanksAuthError,
  FlanksConnectionError,
  FlanksCredentialConflictError,
  FlanksCredentialsBlockedError,
  FlanksDataError,
  FlanksDataNotReadyError,
  FlanksError,
  type FlanksErrorCode,
  FlanksLinkCodeError,
  FlanksLinkDelayedError,
  FlanksLinkStateError,
  FlanksRateLimitError,
  FlanksRedirectError,
  FlanksReportError,
  FlanksResponseTooLargeError,
  FlanksScaRequiredError,
  FlanksSessionError,
  FlanksStoreError,
  FlanksTimeoutError,
  FlanksUserActionRequiredError,
  FlanksValidationError,
  type ReauthToken,
  type ShapeIssue,
  type ShapeReport,
} from './core/errors';
export type {
  FlanksCallEvent,
  FlanksEndEvent,
  FlanksEventListener,
  FlanksEventName,
  FlanksEvents,
  FlanksHttpMethod,
  FlanksRequestEvent,
  FlanksResponseEvent,
  FlanksRetryEvent,
  FlanksRetryReason,
  FlanksTokenEvent,
} from './core/events';
export type { Logger } from './core/logger';
export { type Page, Paginator } from './core/pagination';
export type { PollOptions } from './core/polling';
export type { RequestOptions } from './core/request-options';
export {
  type CachedAccessToken,
  CachedAccessTokenSchema,
  MemoryTokenCache,
  type TokenCache,
  type TokenCacheLock,
} from './core/token-cache';
export type { ValidationMode } from './internal/validate';
export * from './resources/aggregation';
export * from './resources/aggregation-v2';
export * from './resources/connect';
export * from './resources/credentials';
export type { CursorListParams } from './resources/cursor';
export * from './resources/entities';
export * from './resources/links';
export * from './resources/reports';
export { type ActionResult, ActionResultSchema, type RedirectInput, Resource } from './resources/shared';
export { VERSION } from './version';
