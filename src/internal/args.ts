import { FlanksValidationError } from '../core/errors';
import type { RequestOptions } from '../core/request-options';

/*
 * Argument checks run at the public edge, before any I/O, so a bad call fails fast with the name of
 * the argument at fault. Messages describe the value's type, never its content: an argument may be a
 * secret.
 */

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length === 0 ? 'an empty string' : 'a string';
  return typeof value;
}

export function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.trim().length === 0) {
    throw new FlanksValidationError(`${name} must be a non-empty string; got ${describe(value)}.`, {
      path: name,
    });
  }
  return value;
}

/** An unpaired UTF-16 surrogate: not a character, so UTF-8 and databases turn it into U+FFFD. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

/**
 * A user id where one enters the SDK (link state, completion, stores): a non-empty string without
 * unpaired surrogates. Two ids that differ only there encode to the same bytes (each surrogate
 * becomes U+FFFD), so they would share one signed state and one store row.
 */
export function requireUserId(value: unknown, name: string): string {
  const id = requireString(value, name);
  if (hasLoneSurrogate(id)) {
    throw new FlanksValidationError(
      `${name} contains an unpaired UTF-16 surrogate, which is not text: two different ids would encode to the same bytes. Pass a well-formed string.`,
      { path: name },
    );
  }
  return id;
}

export function optionalString(value: unknown, name: string): string | undefined {
  return value === undefined ? undefined : requireString(value, name);
}

/** A plain-object-like value (not null, not an array): the one such guard of the SDK and its sandbox. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function requireObject(value: unknown, name: string): Record<string, unknown> {
  if (!isRecord(value)) {
    throw new FlanksValidationError(`${name} must be an object; got ${describe(value)}.`, { path: name });
  }
  return value;
}

export function optionalObject(value: unknown, name: string): Record<string, unknown> | undefined {
  return value === undefined ? undefined : requireObject(value, name);
}

/** The longest delay a JS timer honours; Node fires longer ones after 1 ms. */
/** Whether `value` is an object with every one of `methods` as a function: a structural interface check. */
export function hasMethods(value: unknown, methods: readonly string[]): boolean {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  const record = value as Record<string, unknown>;
  return methods.every((m) => typeof record[m] === 'function');
}

export const MAX_TIMER_MS = 2_147_483_647;

export function optionalNumber(
  value: unknown,
  name: string,
  {
    min = 0,
    max = Number.POSITIVE_INFINITY,
    integer = false,
  }: { min?: number; max?: number; integer?: boolean } = {},
): number | undefined {
  if (value === undefined) return undefined;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < min ||
    value > max ||
    (integer && !Number.isInteger(value))
  ) {
    throw new FlanksValidationError(
      `${name} must be a finite ${integer ? 'integer' : 'number'} between ${min} and ${max}; got ${
        typeof value === 'number' ? String(value) : describe(value)
      }.`,
      { path: name },
    );
  }
  return value;
}

export function optionalBoolean(value: unknown, name: string): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  throw new FlanksValidationError(`${name} must be a boolean; got ${describe(value)}.`, { path: name });
}

export function optionalSignal(value: unknown, name: string): AbortSignal | undefined {
  if (value === undefined || value instanceof AbortSignal) return value;
  throw new FlanksValidationError(`${name} must be an AbortSignal; got ${describe(value)}.`, { path: name });
}

export function checkRequestOptions(options: unknown, name = 'options'): RequestOptions {
  const o = optionalObject(options, name) ?? {};
  optionalSignal(o.signal, `${name}.signal`);
  optionalNumber(o.timeoutMs, `${name}.timeoutMs`, { min: 1, max: MAX_TIMER_MS });
  optionalNumber(o.maxRetries, `${name}.maxRetries`, { integer: true });
  optionalNumber(o.maxResponseBytes, `${name}.maxResponseBytes`, { min: 1, integer: true });
  return o as RequestOptions;
}

/** The timing options of every `waitUntil…` helper (see core/polling.ts). */
export function checkPollOptions(o: Record<string, unknown>): void {
  for (const key of ['timeoutMs', 'pollIntervalMs', 'maxPollIntervalMs']) {
    optionalNumber(o[key], `options.${key}`, { min: 0, max: MAX_TIMER_MS });
  }
}
