import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import type { FlanksValidationError } from '../../src';
import { many, one, SAMPLE_THRESHOLD, Validator } from '../../src/internal/validate';
import { spyLogger } from '../helpers';

/*
 * The validation policy (src/internal/validate.ts) at its edges: exactly which items `warn` checks
 * in a large array (head, tail, stride, and every item whose numbers could not be read), where the
 * threshold lies, how many issues a report keeps, and what each kind of issue says was expected.
 */

const Item = z.looseObject({ id: z.string(), amount: z.optional(z.nullable(z.number())) });

let endpoints = 0;
const endpoint = () => `POST /sampling/${++endpoints}`;

/** The indexes of the bad items (ids that are numbers) that `warn` reports for an array of `size`. */
function seenByWarn(size: number, bad: number[]): number[] {
  const data = Array.from({ length: size }, (_, i) => ({ id: bad.includes(i) ? i : `t${i}` }));
  const logger = spyLogger();
  new Validator('warn', logger).check(many('Item', Item), data, endpoint());
  if (logger.warn.mock.calls.length === 0) return [];
  const report = logger.warn.mock.calls[0]![1] as { issues: Array<{ count: number }> };
  const seen = report.issues[0]!.count;
  // Which ones: check each bad index alone.
  if (seen === bad.length) return bad;
  return bad.filter((i) => seenByWarn(size, [i]).length === 1);
}

describe('warn samples large arrays', () => {
  it('up to the threshold every item is checked', () => {
    expect(seenByWarn(SAMPLE_THRESHOLD, [201, 333, 499])).toEqual([201, 333, 499]);
  });

  it('above it: the first 200, the last 100, and every (length / 200)th item between', () => {
    // 1,000 items: stride 5 from 200 up to the tail, which starts at 900.
    const size = 1_000;
    const onGrid = [0, 199, 200, 205, 895, 900, 999];
    const offGrid = [201, 204, 896, 898];
    expect(seenByWarn(size, [...onGrid, ...offGrid])).toEqual(onGrid);
    // Just over the threshold the stride is 2, and the tail starts at length - 100.
    expect(seenByWarn(SAMPLE_THRESHOLD + 1, [200, 201, 202, 399, 400, 401])).toEqual([200, 202, 400, 401]);
  });

  it('an item whose number could not be read is always checked, wherever it is', () => {
    const size = 1_000;
    const data: Array<Record<string, unknown>> = Array.from({ length: size }, (_, i) => ({ id: `t${i}` }));
    data[201] = { id: 't201', amount: 'twelve' };
    data[202] = { id: 202 }; // off the grid (stride 5), its numbers fine: not checked
    data[203] = { id: 't203', amount: '12' }; // numeric: becomes 12, nothing to report
    const logger = spyLogger();
    new Validator('warn', logger).check(many('Item', Item), data, endpoint());
    expect(data[203]).toEqual({ id: 't203', amount: 12 });
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn.mock.calls[0]![1]).toMatchObject({
      issues: [{ path: 'response[].amount', expected: 'number', received: 'string', count: 1 }],
    });
  });
});

describe('reports', () => {
  it('keep at most 50 distinct issues, counting repeats of each', () => {
    const Wide = z.looseObject(
      Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`f${i}`, z.number()])),
    );
    const bad = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`f${i}`, true]));
    const err = (() => {
      try {
        new Validator('strict', spyLogger()).check(many('Wide', Wide), [bad, bad], endpoint());
      } catch (e) {
        return e as FlanksValidationError;
      }
      throw new Error('expected a FlanksValidationError');
    })();
    expect(err.report!.issues).toHaveLength(50);
    expect(err.report!.issues.every((issue) => issue.count === 2)).toBe(true);
    expect(err.path).toBe('response[0].f0');
  });

  it('say what was expected: a type, a minimum, or each branch of a union', () => {
    const Shape = z.object({
      name: z.string().check(z.minLength(3)),
      tags: z.array(z.string()).check(z.minLength(1)),
      ref: z.union([z.number(), z.array(z.number())]),
      when: z.union([z.string(), z.object({ at: z.string() })]),
      list: z.union([z.string(), z.array(z.number())]),
      at: z.union([z.number(), z.looseObject({ at: z.string() })]),
    });
    const err = (() => {
      try {
        new Validator('strict', spyLogger()).check(
          one('Shape', Shape),
          { name: 'ab', tags: [], ref: 'x', when: 5, list: ['x'], at: { at: 5 } },
          endpoint(),
        );
      } catch (e) {
        return e as FlanksValidationError;
      }
      throw new Error('expected a FlanksValidationError');
    })();
    expect(err.report!.issues.map(({ path, expected, received }) => ({ path, expected, received }))).toEqual([
      { path: 'response.name', expected: 'string of at least 3', received: 'string' },
      { path: 'response.tags', expected: 'array of at least 1', received: 'array' },
      { path: 'response.ref', expected: 'number or array', received: 'string' },
      { path: 'response.when', expected: 'string or object', received: 'number' },
      // A branch that took the value's kind but failed inside it is named by that kind.
      { path: 'response.list', expected: 'string or array', received: 'array' },
      { path: 'response.at', expected: 'number or object', received: 'object' },
    ]);
  });

  it('a value the SDK cannot use at all names the kind of value and where it was', () => {
    const validator = new Validator('off', spyLogger());
    const err = validator.mismatch(
      one('Item', Item),
      { data: { items: [1, 2] } },
      'GET /x',
      'an object',
      'response.data.items',
      'The list was wrapped twice. ',
    );
    expect(err.message).toBe(
      "Flanks GET /x answered with an array at response.data.items where an object was expected. The list was wrapped twice. Flanks may have changed this API; please report it (the error's `report` describes the response without its values).",
    );
    expect(err.report).toMatchObject({
      validation: 'off',
      issues: [{ path: 'response.data.items', expected: 'an object', received: 'array', count: 1 }],
    });
    expect(
      validator.mismatch(one('Item', Item), 'text', 'GET /x', 'an object', 'response.data').message,
    ).toMatch(
      /^Flanks GET \/x answered with missing at response\.data where an object was expected\. Flanks may/,
    );
  });
});

describe('the warn sample, in order', () => {
  const Row = z.looseObject({
    id: z.string(),
    amounts: z.optional(z.array(z.nullable(z.number()))),
    a: z.optional(z.string()),
    b: z.optional(z.string()),
  });

  it('checks its items in array order: the issues are listed as the items come', () => {
    // 600 items: head 0-199, stride 3 from 200, tail from 500.
    const data: Array<Record<string, unknown>> = Array.from({ length: 600 }, (_, i) => ({ id: `t${i}` }));
    data[211] = { id: 't211', amounts: ['twelve'] }; // flagged, off the grid
    data[251] = { id: 't251', a: 1 }; // on the stride
    data[550] = { id: 't550', b: 2 }; // in the tail
    const logger = spyLogger();
    new Validator('warn', logger).check(many('Row', Row), data, endpoint());
    const report = logger.warn.mock.calls[0]![1] as { issues: Array<{ path: string }> };
    expect(report.issues.map((issue) => issue.path)).toEqual([
      'response[].amounts[]',
      'response[].a',
      'response[].b',
    ]);
  });

  it('numbers and nulls that read fine do not flag their item: off the grid it is not checked', () => {
    const data = Array.from({ length: 600 }, (_, i) => ({ id: `t${i}`, amounts: [1, null, 2.5] }));
    (data[250] as Record<string, unknown>).id = 250; // off the grid (stride 3 from 200)
    const logger = spyLogger();
    new Validator('warn', logger).check(many('Row', Row), data, endpoint());
    expect(logger.warn).not.toHaveBeenCalled();
  });
});

describe('coercion and issue paths', () => {
  it('a list of numbers sent as strings becomes a list of numbers, in the same array', () => {
    const data = ['1', '2.5', 3];
    const result = new Validator('strict', spyLogger()).check(many('N', z.number()), data, endpoint());
    expect(result).toBe(data);
    expect(data).toEqual([1, 2.5, 3]);
  });

  it('an issue inside a tuple in a tuple has a path, though the walk knows no tuples', () => {
    const Pair = z.tuple([z.tuple([z.string()])]);
    const err = (() => {
      try {
        new Validator('strict', spyLogger()).check(one('Pair', Pair), [[5]], endpoint());
      } catch (e) {
        return e as FlanksValidationError;
      }
      throw new Error('expected a FlanksValidationError');
    })();
    expect(err.path).toBe('response[0][0]');
    expect(err.report!.issues).toEqual([
      { path: 'response[][]', expected: 'string', received: 'number', count: 1 },
    ]);
  });

  it('two issues are both in the message, in strict and in warn', () => {
    const Two = z.object({ a: z.string(), b: z.number() });
    const bad = { a: 1, b: 'x' };
    const summary =
      'response.a: expected string, received number; response.b: expected number, received string';
    expect(() => new Validator('strict', spyLogger()).check(one('Two', Two), { ...bad }, endpoint())).toThrow(
      `at response.a: ${summary}. Flanks may`,
    );
    const logger = spyLogger();
    new Validator('warn', logger).check(one('Two', Two), { ...bad }, endpoint());
    expect(String(logger.warn.mock.calls[0]![0])).toContain(`schema: ${summary}. The data is returned`);
  });

  it('a value the SDK cannot use is looked up along its path only through objects', () => {
    const validator = new Validator('off', spyLogger());
    expect(
      validator.mismatch(one('Item', Item), null, 'GET /x', 'an object', 'response.data').report,
    ).toMatchObject({
      issues: [{ path: 'response.data', received: 'missing' }],
    });
    // A string has a length, but no field of a response.
    expect(
      validator.mismatch(one('Item', Item), 'text', 'GET /x', 'an object', 'response.length').report,
    ).toMatchObject({ issues: [{ path: 'response.length', received: 'missing' }] });
  });
});
