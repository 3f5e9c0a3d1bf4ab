import { describe, expect, it } from 'vitest';
import { FlanksValidationError, type ValidationMode } from '../../src';
import { makeClient, route, spyLogger, tokenRoute, useMsw } from '../helpers';
import { FIXTURES, type Fixture, type Json } from './fixtures';

// Compatibility suite: for every endpoint, the variations a real Flanks answer plausibly has — fields
// added at every depth, `null` for optional fields, numbers sent as strings, enum values the SDK has
// never seen, empty lists, each envelope — served over HTTP (msw at the network layer) in all three
// validation modes. A variation that matches must come back as sent (numbers as numbers, except with
// validation off) without a warning; an answer off the schema must be reported (warn), thrown with
// its report (strict), or returned untouched (off).

useMsw();

const MODES: ValidationMode[] = ['off', 'warn', 'strict'];
/** Keys whose values are maps of the user's own keys: nothing is added or nulled inside them. */
const RECORDS = new Set(['labels', 'extra']);
const FUTURE: Json = { added_in: '2027-01', nested: [{ deep: true, level: 3 }] };

/** Maps every leaf; `key` is the field holding it (undefined for an item of a list of leaves). */
function map(value: Json, leaf: (v: Json, key: string | undefined) => Json, key?: string): Json {
  if (Array.isArray(value)) {
    return value.map((v) => (v !== null && typeof v === 'object' ? map(v, leaf, key) : leaf(v, undefined)));
  }
  if (value !== null && typeof value === 'object') {
    if (key !== undefined && RECORDS.has(key)) return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, map(v, leaf, k)]));
  }
  return leaf(value, key);
}

function withFutureFields(value: Json, key?: string): Json {
  if (Array.isArray(value)) return value.map((v) => withFutureFields(v, key));
  if (value === null || typeof value !== 'object') return value;
  if (key !== undefined && RECORDS.has(key)) return value;
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(value)) out[k] = withFutureFields(v, k);
  out.zz_future_field = FUTURE;
  return out;
}

const stringifyNumbers = (body: Json, only?: readonly string[]) =>
  map(body, (v, key) => (typeof v === 'number' && (!only || only.includes(key ?? '')) ? String(v) : v));

async function run(fixture: Fixture, mode: ValidationMode, body: Json) {
  tokenRoute();
  const calls = route(fixture.method, fixture.path, { status: fixture.status ?? 200, body: body as never });
  const logger = spyLogger();
  const outcome = await fixture.call(makeClient({ validation: mode, logger, maxRetries: 0 })).then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  expect(calls.length).toBeGreaterThan(0);
  expect(calls[0]!.method).toBe(fixture.method.toUpperCase());
  return { outcome, logger };
}

async function expectMatch(fixture: Fixture, mode: ValidationMode, body: Json, expected: unknown) {
  const { outcome, logger } = await run(fixture, mode, body);
  if (!outcome.ok) throw outcome.error;
  expect(outcome.value).toEqual(expected);
  expect(logger.warn).not.toHaveBeenCalled();
}

describe.each(FIXTURES)('$name', (fixture) => {
  describe.each(MODES)('validation %s', (mode) => {
    it('the documented answer', async () => {
      await expectMatch(fixture, mode, fixture.body, fixture.result(fixture.body));
    });

    it('fields added at every depth stay, at every depth', async () => {
      const body = withFutureFields(fixture.body);
      await expectMatch(fixture, mode, body, fixture.result(body));
    });

    it('null for every optional field stays null', async () => {
      const required = new Set(fixture.required ?? []);
      const body = map(fixture.body, (v, key) =>
        key === undefined || required.has(key) || key === 'success' ? v : null,
      );
      await expectMatch(fixture, mode, body, fixture.result(body));
    });

    it('numbers sent as strings come back as numbers (as sent with validation off)', async () => {
      const body = stringifyNumbers(fixture.body);
      const expected = mode === 'off' ? body : stringifyNumbers(fixture.body, fixture.keepsStrings ?? []);
      await expectMatch(fixture, mode, body, fixture.result(expected));
    });

    // Registered only where the endpoint has enum-like fields: a skipped case would check nothing.
    if (fixture.enums?.length) {
      const enums = new Set(fixture.enums);
      it('enum values the SDK has never seen are returned as they are', async () => {
        const body = map(fixture.body, (v, key) =>
          key !== undefined && enums.has(key) ? 'Something:New2027' : v,
        );
        await expectMatch(fixture, mode, body, fixture.result(body));
      });
    }

    it.each(fixture.envelopes ?? [])('in the form %s', async (_form, wrap) => {
      await expectMatch(fixture, mode, wrap(fixture.body), fixture.result(fixture.body));
    });

    it.each((fixture.empty ?? []).map((body) => [JSON.stringify(body), body] as const))(
      'an empty answer: %s',
      async (_text, body) => {
        await expectMatch(fixture, mode, body, fixture.result(body));
      },
    );

    it('an answer off the schema', async () => {
      const { outcome, logger } = await run(fixture, mode, fixture.bad.body);
      const issue = expect.objectContaining(fixture.bad.issue);
      if (fixture.bad.unusable || mode === 'strict') {
        expect(outcome.ok).toBe(false);
        const error = (outcome as { error: unknown }).error as FlanksValidationError;
        expect(error).toBeInstanceOf(FlanksValidationError);
        expect(error.report).toMatchObject({
          endpoint: `${fixture.method.toUpperCase()} ${fixture.path}`,
          validation: mode,
          issues: expect.arrayContaining([issue]),
        });
        return;
      }
      if (!outcome.ok) throw outcome.error;
      expect(outcome.value).toEqual(fixture.result(fixture.bad.body));
      if (mode === 'off') {
        expect(logger.warn).not.toHaveBeenCalled();
        return;
      }
      expect(logger.warn).toHaveBeenCalledTimes(1);
      const [message, report] = logger.warn.mock.calls[0]!;
      expect(message).toContain(`${fixture.bad.issue.path}: expected ${fixture.bad.issue.expected}`);
      expect(report).toMatchObject({ validation: 'warn', issues: expect.arrayContaining([issue]) });
    });
  });
});
