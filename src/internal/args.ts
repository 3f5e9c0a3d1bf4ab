import type * as z from 'zod/mini';
import { FlanksValidationError } from '../core/errors';
import type { RequestOptions } from '../core/request-options';

/*
 * The one argument check of the SDK: every public entry point (client options, resource methods,
 * paginators, stores, token caches, the testing helpers' options) checks its arguments with these
 * helpers, at the edge and before any I/O. Rules:
 * - A bad argument is a FlanksValidationError whose `path` names it (`params.query.status_in.0`,
 *   `record.userId`); `argumentError` is the one place that builds one. No TypeError, no raw zod
 *   error and no crash deeper down.
 * - Messages describe the value's type, never its content: an argument may be a secret.
 * - Structured arguments with a schema (records, queries) go through `checkArg`, which turns the
 *   schema's first issue into that error.
 */

/** The error of an argument that breaks `rule` (a sentence that starts after the argument's path). */
export function argumentError(path: string, rule: string): FlanksValidationError {
  return new FlanksValidationError(`${path} ${rule}`, { path });
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length === 0 ? 'an empty string' : 'a string';
  return typeof value;
}

export function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.trim().length === 0) {
    throw argumentError(name, `must be a non-empty string; got ${describe(value)}.`);
  }
  return value;
}

/**
 * A store or cache key: any non-empty string, spaces included, so that every key a record or entry
 * can be saved under (the schemas ask for a non-empty string) can be read back.
 */
export function requireKey(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw argumentError(name, `must be a non-empty string; got ${describe(value)}.`);
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
    throw argumentError(
      name,
      'contains an unpaired UTF-16 surrogate, which is not text: two different ids would encode to the same bytes. Pass a well-formed string.',
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
    throw argumentError(name, `must be an object; got ${describe(value)}.`);
  }
  return value;
}

export function optionalObject(value: unknown, name: string): Record<string, unknown> | undefined {
  return value === undefined ? undefined : requireObject(value, name);
}

/** Whether `value` is an object with every one of `methods` as a function: a structural interface check. */
export function hasMethods(value: unknown, methods: readonly string[]): boolean {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  const record = value as Record<string, unknown>;
  return methods.every((m) => typeof record[m] === 'function');
}

/**
 * `value` when it has every one of `methods` (see `hasMethods`), else an error saying it must be
 * `what` (e.g. `a CredentialStore`).
 */
export function requireMethods<T>(value: unknown, methods: readonly string[], name: string, what: string): T {
  if (!hasMethods(value, methods)) {
    throw argumentError(
      name,
      `must be ${what} (an object with ${listOf(
        methods.map((m) => `${m}()`),
        'and',
      )}).`,
    );
  }
  return value as T;
}

export function optionalFunction<F>(value: unknown, name: string): F | undefined {
  if (value === undefined || typeof value === 'function') return value as F | undefined;
  throw argumentError(name, `must be a function; got ${describe(value)}.`);
}

/** One of `allowed` (compared with `===`), or undefined when absent. */
export function optionalOneOf<K>(value: unknown, allowed: readonly K[], name: string): K | undefined {
  if (value === undefined || allowed.includes(value as K)) return value as K | undefined;
  throw argumentError(name, `must be one of ${listOf(allowed.map((k) => `'${String(k)}'`))}.`);
}

/** An array whose every element is one of `allowed`, or undefined when absent. */
export function optionalArrayOf<K>(value: unknown, allowed: readonly K[], name: string): K[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((k) => !allowed.includes(k as K))) {
    throw argumentError(name, `must be an array of ${listOf(allowed.map((k) => `'${String(k)}'`))}.`);
  }
  return value as K[];
}

/**
 * Refuses keys of `value` that are not in `known`: for parameters where a misspelt or misplaced key
 * would otherwise be ignored and give a silently wrong result (a resume cursor under a wrong name
 * restarts the list from the top).
 */
export function onlyKnownKeys(value: Record<string, unknown>, known: readonly string[], name: string): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw argumentError(`${name}.${key}`, `is not a known parameter; expected ${listOf(known)}.`);
    }
  }
}

/** `value` as JSON text (`null` for undefined), or an argument error when it cannot be (a cycle, a BigInt). */
export function jsonOf(value: unknown, name: string): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch {
    throw argumentError(name, 'must be JSON-serialisable (no cycles, no BigInt).');
  }
}

/** Checks an argument against a schema, naming the first bad field; messages never echo values. */
export function checkArg<S extends z.ZodMiniType>(schema: S, value: unknown, name: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data as z.infer<S>;
  // A failed parse has at least one issue, and every issue a path and a message.
  const issue = result.error.issues[0]!;
  const path = [name, ...issue.path.map(String)].join('.');
  throw argumentError(path, `is invalid: ${issue.message}.`);
}

function listOf(items: readonly string[], conjunction = 'or'): string {
  // Stryker disable next-line StringLiteral: equivalent, a list of one has no separator to show
  if (items.length < 2) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${conjunction} ${items.at(-1)}`;
}

/** The longest delay a JS timer honours; Node fires longer ones after 1 ms. */
export const MAX_TIMER_MS = 2_147_483_647;

/** A required number in a range (see `optionalNumber`). */
export function requireNumber(value: unknown, name: string, range: NumberRange = {}): number {
  if (value === undefined) throw argumentError(name, 'is required: a number.');
  return optionalNumber(value, name, range) as number;
}

/** A required whole number >= 0 (a count or a limit). */
export function requireWholeNumber(value: unknown, name: string): number {
  return requireNumber(value, name, { integer: true });
}

interface NumberRange {
  min?: number;
  max?: number;
  integer?: boolean;
}

export function optionalNumber(
  value: unknown,
  name: string,
  { min = 0, max = Number.POSITIVE_INFINITY, integer = false }: NumberRange = {},
): number | undefined {
  if (value === undefined) return undefined;
  if (
    // Narrows the type; Number.isFinite below is false for a non-number as well.
    // Stryker disable next-line ConditionalExpression: equivalent, see above
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < min ||
    value > max ||
    (integer && !Number.isInteger(value))
  ) {
    throw argumentError(
      name,
      `must be a finite ${integer ? 'integer' : 'number'} between ${min} and ${max}; got ${
        typeof value === 'number' ? String(value) : describe(value)
      }.`,
    );
  }
  return value;
}

export function optionalBoolean(value: unknown, name: string): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  throw argumentError(name, `must be a boolean; got ${describe(value)}.`);
}

export function optionalSignal(value: unknown, name: string): AbortSignal | undefined {
  if (value === undefined || value instanceof AbortSignal) return value;
  throw argumentError(name, `must be an AbortSignal; got ${describe(value)}.`);
}

export function checkRequestOptions(options: unknown, name = 'options'): RequestOptions {
  const o = optionalObject(options, name) ?? {};
  optionalSignal(o.signal, `${name}.signal`);
  optionalNumber(o.timeoutMs, `${name}.timeoutMs`, { min: 1, max: MAX_TIMER_MS });
  optionalNumber(o.maxRetries, `${name}.maxRetries`, { integer: true });
  optionalNumber(o.maxResponseBytes, `${name}.maxResponseBytes`, { min: 1, integer: true });
  return o as RequestOptions;
}

/** The options every wait method shares: poll timing (see core/polling.ts), signal, per-read limit. */
export function checkPollOptions(o: Record<string, unknown>): void {
  for (const key of ['timeoutMs', 'pollIntervalMs', 'maxPollIntervalMs']) {
    optionalNumber(o[key], `options.${key}`, { min: 0, max: MAX_TIMER_MS });
  }
  optionalSignal(o.signal, 'options.signal');
  optionalNumber(o.requestTimeoutMs, 'options.requestTimeoutMs', { min: 1, max: MAX_TIMER_MS });
}
