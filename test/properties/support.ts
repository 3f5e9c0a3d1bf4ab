import fc from 'fast-check';
import { afterAll, beforeAll, expect } from 'vitest';
import { FlanksError } from '../../src';

// Shared pieces of the property-based tests: hostile values, the "value or FlanksError" oracle, and
// an unhandled-rejection watch.

/** Any value at all: primitives, nested objects and arrays, null-prototype objects, boxed values, Maps… */
export const anyValue: fc.Arbitrary<unknown> = fc.anything({
  withBoxedValues: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
  withDate: true,
  withBigInt: true,
  maxDepth: 3,
});

/** Strings that stress URL and argument handling. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom(
    '',
    ' ',
    '\t\n',
    '\u0000',
    '%',
    '%E0%A4%A',
    '?code=',
    '#',
    '//',
    'http://',
    'javascript:alert(1)',
    '__proto__',
    'constructor',
    'toString',
    '\uD800',
    'a'.repeat(10_000),
  ),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
);

/** A string, or any other value, to put where the API expects a string. */
export const stringOrAnything: fc.Arbitrary<unknown> = fc.oneof(hostileString, anyValue);

/** Request options: mostly junk, sometimes valid, sometimes an already-aborted signal. */
export const anyRequestOptions: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(undefined),
  anyValue,
  fc.record(
    {
      timeoutMs: fc.oneof(fc.integer({ min: 1, max: 200 }), anyValue),
      maxRetries: fc.oneof(fc.constant(0), anyValue),
      signal: fc.oneof(
        fc.constant(undefined),
        fc.constant('signal'),
        fc.constant(null),
        fc.constant({ aborted: true }),
        fc.constant(AbortSignal.abort()),
      ),
    },
    { requiredKeys: [] },
  ),
);

/** Options for calls that must finish fast: at most 200 ms per attempt, no retries. */
export function bounded(options: unknown): unknown {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) return options;
  return { ...options, timeoutMs: 200, maxRetries: 0 };
}

export type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Runs `fn`, which must return a promise (async entry points must not throw synchronously), and
 * waits for it to settle. A call that never settles fails its test through the test's timeout, the
 * one hang watchdog: a shorter per-call limit here would fail a slow machine, not a hanging SDK.
 */
export async function outcomeOf(fn: () => unknown): Promise<Outcome> {
  let returned: unknown;
  try {
    returned = fn();
  } catch (error) {
    throw new Error(`threw synchronously instead of rejecting: ${describeError(error)}`);
  }
  expect(returned).toBeInstanceOf(Promise);
  return (returned as Promise<unknown>).then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

/** Runs a synchronous entry point. */
export function runSync(fn: () => unknown): Outcome {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    return { ok: false, error };
  }
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.constructor.name}: ${error.message}`;
  try {
    return `non-Error thrown: ${JSON.stringify(error)}`;
  } catch {
    return `non-Error thrown: ${String(error)}`;
  }
}

/** The oracle: a failure must be a FlanksError subclass. */
export function expectFlanksErrorIfFailed(outcome: Outcome): void {
  if (!outcome.ok && !(outcome.error instanceof FlanksError)) {
    throw new Error(`expected a value or a FlanksError, got ${describeError(outcome.error)}`);
  }
}

/** Fails the file if any promise rejection went unhandled while its tests ran. */
export function watchUnhandledRejections(): { readonly count: number } {
  const seen: unknown[] = [];
  const onUnhandled = (reason: unknown) => seen.push(reason);
  beforeAll(() => {
    process.on('unhandledRejection', onUnhandled);
  });
  afterAll(async () => {
    // Let rejections of the last runs surface before checking.
    await new Promise((resolve) => setTimeout(resolve, 20));
    process.off('unhandledRejection', onUnhandled);
    expect(seen.map(describeError)).toEqual([]);
  });
  return {
    get count() {
      return seen.length;
    },
  };
}

export const silentLogger = { debug() {}, info() {}, warn() {}, error() {} };
