import {
  FlanksAbortError,
  FlanksApiError,
  FlanksConnectionError,
  FlanksRateLimitError,
  FlanksTimeoutError,
} from '../core/errors';
import type { FlanksRetryReason } from '../core/events';

/*
 * Retry policy. One owner: p-retry runs the attempts (see transport.ts); this file decides.
 * - Safe-to-repeat calls (status, aggregation, lists, entities, the token request — POSTs included,
 *   Flanks uses POST for reads) retry on connection errors, timeouts, invalid JSON, 408, 429 and 5xx.
 * - Calls with effects (code exchange, force, delete, create) retry only when the request provably
 *   never reached Flanks: a refused connection or an unknown host, or a 429 (the server turned the
 *   request away without acting on it). A reset or a timeout after sending might have been
 *   processed, and a link code is single-use, so replaying would turn a success into an error.
 * - Other 4xx are the caller's to fix and are never retried. An abort is never retried.
 * - The wait is exponential with jitter (0.5 s, 1 s, 2 s … capped at 8 s, each scaled by a random
 *   factor in [0.5, 1]) unless Flanks sent `Retry-After`, which wins, capped at 60 s so a
 *   misbehaving header cannot park a caller for hours.
 */

export const RETRY_BASE_DELAY_MS = 500;
export const RETRY_MAX_DELAY_MS = 8_000;
export const RETRY_AFTER_CAP_MS = 60_000;

/** Retryable below 500; every 5xx is retryable. */
const RETRYABLE_STATUS = new Set([408, 429]);

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUS.has(status) || status >= 500;
}

export function shouldRetry(error: unknown, idempotent: boolean): boolean {
  // The rule comes first so that it reads first; the checks below would also answer false for an
  // abort (FlanksAbortError is none of those classes), so dropping the condition changes nothing.
  // Stryker disable next-line ConditionalExpression: equivalent, see above
  if (error instanceof FlanksAbortError) return false;
  if (error instanceof FlanksRateLimitError) return true;
  if (error instanceof FlanksConnectionError) return idempotent || !error.reachedServer;
  if (error instanceof FlanksTimeoutError) return idempotent;
  // Only FlanksApiError carries `retryable`; for any other error the expression is falsy anyway.
  // Stryker disable next-line ConditionalExpression: equivalent, see above
  if (error instanceof FlanksApiError) return idempotent && error.retryable;
  return false;
}

/** The reason a `retry` event gives for an error `shouldRetry` accepted. */
export function retryReason(error: unknown): FlanksRetryReason {
  if (error instanceof FlanksRateLimitError) return 'rate_limit';
  if (error instanceof FlanksTimeoutError) return 'timeout';
  if (error instanceof FlanksConnectionError) return 'connection';
  if (error instanceof FlanksApiError && error.code === 'invalid_json') return 'invalid_json';
  if (error instanceof FlanksApiError && error.status === 408) return 'timeout';
  return 'server_error';
}

export function retryDelayMs(attempt: number, error: unknown, random: () => number = Math.random): number {
  if (error instanceof FlanksRateLimitError && error.retryAfterMs !== undefined) {
    return Math.min(error.retryAfterMs, RETRY_AFTER_CAP_MS);
  }
  const exp = Math.min(RETRY_BASE_DELAY_MS * 2 ** (attempt - 1), RETRY_MAX_DELAY_MS);
  return Math.round(exp * (0.5 + random() / 2));
}

/** Parses `Retry-After` (delta-seconds or an HTTP date) into ms; `undefined` when absent or invalid. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  // Headers strip the whitespace around a value, so a blank header arrives as ''.
  if (value === null || value === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? Math.round(seconds * 1000) : undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
