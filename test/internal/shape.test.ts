import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import type { FlanksValidationError } from '../../src';
import { numericValue } from '../../src/internal/shape';
import { many, one, Validator } from '../../src/internal/validate';
import { spyLogger } from '../helpers';

/*
 * The schema walk and the shape report (src/internal/shape.ts) on the schema kinds the resources do
 * not use yet (pipes, intersections, wrappers, literal and enum unions), numeric strings at the
 * edges of the grammar, and the limits of a report: 1,000 paths, 1,000 items, field-like keys.
 */

let endpoints = 0;
const endpoint = () => `POST /shape/${++endpoints}`;
const check = <S extends z.ZodMiniType>(schema: S, data: unknown) =>
  new Validator('warn', spyLogger()).check(one('X', schema), data, endpoint());

function strictError(shape: Parameters<Validator['check']>[0], data: unknown): FlanksValidationError {
  try {
    new Validator('strict', spyLogger()).check(shape, data, endpoint());
  } catch (error) {
    return error as FlanksValidationError;
  }
  throw new Error('expected a FlanksValidationError');
}

describe('numeric strings at the edges of the grammar', () => {
  it.each([
    ['.25', 0.25],
    ['-.5', -0.5],
    ['1e10', 1e10],
    ['2E+2', 200],
    ['12.', 12],
  ])('%s reads as %d', (text, value) => {
    expect(numericValue(text)).toBe(value);
  });

  it.each(['1e+', '+.', 'e5', '1.2.3', '--1', '1e5.5'])('%j is not numeric', (text) => {
    expect(numericValue(text)).toBeUndefined();
  });
});

describe('which positions take numbers', () => {
  it('through wrappers, pipes, intersections, records and arrays', () => {
    const schema = z.object({
      wrapped: z.optional(z.nullable(z.readonly(z.catch(z._default(z.number(), 0), 0)))),
      piped: z.pipe(z.number(), z.number()),
      both: z.intersection(z.object({ a: z.number() }), z.object({ b: z.array(z.number()) })),
      byKey: z.record(z.string(), z.number()),
    });
    expect(
      check(schema, { wrapped: '1', piped: '2', both: { a: '3', b: ['4', 5] }, byKey: { k: '6' } }),
    ).toEqual({ wrapped: 1, piped: 2, both: { a: 3, b: [4, 5] }, byKey: { k: 6 } });
  });

  it('not where a union also takes a string of any kind; yes where it takes null', () => {
    const schema = z.object({
      literal: z.union([z.number(), z.literal('n/a')]),
      enumerated: z.union([z.number(), z.enum(['none', 'all'])]),
      anything: z.union([z.number(), z.unknown()]),
      wrappedString: z.union([z.number(), z.optional(z.string())]),
      nullable: z.union([z.number(), z.null()]),
      nested: z.union([z.number(), z.union([z.null(), z.string()])]),
    });
    expect(
      check(schema, {
        literal: '1',
        enumerated: '2',
        anything: '3',
        wrappedString: '4',
        nullable: '5',
        nested: '6',
      }),
    ).toEqual({ literal: '1', enumerated: '2', anything: '3', wrappedString: '4', nullable: 5, nested: '6' });
  });

  it('an object with declared fields and record values: each declared field keeps its own type', () => {
    const schema = z.intersection(
      z.object({ total: z.number(), label: z.string() }),
      z.record(z.string(), z.number()),
    );
    expect(check(schema, { total: '10', label: '5', a: '1', b: 2 })).toEqual({
      total: 10,
      label: '5',
      a: 1,
      b: 2,
    });
  });
});

describe('numbers in unions, pipes and odd places', () => {
  it('a union of objects reads numbers declared under either branch, at any depth', () => {
    const schema = z.object({
      a: z.union([
        z.object({ b: z.object({ n: z.number() }) }),
        z.object({ b: z.object({ m: z.number() }) }),
      ]),
    });
    expect(check(schema, { a: { b: { n: '1', m: '2' } } })).toEqual({ a: { b: { n: 1, m: 2 } } });
  });

  it('a union with an array branch reads the numbers of its items', () => {
    const schema = z.object({ list: z.union([z.string(), z.array(z.object({ n: z.number() }))]) });
    expect(check(schema, { list: [{ n: '7' }] })).toEqual({ list: [{ n: 7 }] });
  });

  it('a union of a number and an object reads the numbers inside the object', () => {
    const schema = z.object({ v: z.union([z.number(), z.object({ amount: z.number() })]) });
    expect(check(schema, { v: { amount: '5' } })).toEqual({ v: { amount: 5 } });
  });

  it('a pipe takes the kind of what goes in: a pipe from a string keeps numeric strings', () => {
    const schema = z.object({
      code: z.pipe(
        z.string(),
        z.transform((text) => text.toUpperCase()),
      ),
    });
    const data = { code: '5' };
    expect(new Validator('strict', spyLogger()).check(one('X', schema), data, endpoint())).toEqual({
      code: '5',
    });
  });

  it('an array where a number is expected is left as sent, even holding one numeric string', () => {
    const err = strictError(one('X', z.object({ amount: z.number() })), { amount: ['5'] });
    expect(err.report!.issues).toEqual([
      { path: 'response.amount', expected: 'number', received: 'array', count: 1 },
    ]);
  });

  it('a null item of a list is no object to walk into', () => {
    const shape = many('X', z.nullable(z.object({ amount: z.number() })));
    expect(new Validator('strict', spyLogger()).check(shape, [null, { amount: '5' }], endpoint())).toEqual([
      null,
      { amount: 5 },
    ]);
  });

  it('a key named "undefined" is a key like any other', () => {
    expect(check(z.looseObject({ amount: z.number() }), { amount: '5', undefined: 'x' })).toEqual({
      amount: 5,
      undefined: 'x',
    });
  });

  it('a null where a value is required is reported as null', () => {
    const err = strictError(one('X', z.object({ name: z.string() })), { name: null });
    expect(err.report!.issues).toEqual([
      { path: 'response.name', expected: 'string', received: 'null', count: 1 },
    ]);
  });
});

describe('shape report limits', () => {
  it('holds at most 1,000 paths and says it was cut', () => {
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    const body: Record<string, number> = {};
    for (const a of letters)
      for (const b of letters) for (const c of letters.slice(0, 2)) body[`${a}${b}${c}`] = 1;
    expect(Object.keys(body)).toHaveLength(1_352);
    const err = strictError(one('X', z.object({ id: z.string() })), body);
    expect(Object.keys(err.report!.shape)).toHaveLength(1_000);
    expect(err.report!.truncated).toBe(true);
    const small = strictError(one('X', z.object({ id: z.string() })), { a: 1 });
    expect(small.report).not.toHaveProperty('truncated');
  });

  it('past 1,000 paths, a key that other objects lack is still marked missing where it is shown', () => {
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    const wide: Record<string, number> = {};
    for (const a of letters) for (const b of letters) for (const c of 'ab') wide[`${a}${b}${c}`] = 1;
    const err = strictError(many('X', z.looseObject({ id: z.string() })), [wide, {}]);
    expect(err.report!.truncated).toBe(true);
    expect(err.report!.shape['response[].aaa']).toBe('missing | number');
  });

  it('merges the first 1,000 items and the ones with issues, not the rest', () => {
    const data: Array<Record<string, unknown>> = Array.from({ length: 1_200 }, (_, i) => ({ id: `t${i}` }));
    data[999] = { id: 't999', seen_last: true };
    data[1_000] = { id: 1_000, flagged: true };
    data[1_001] = { id: 't1001', never_seen: true };
    data[1_100] = { id: 1_100 };
    const err = strictError(many('X', z.looseObject({ id: z.string() })), data);
    expect(err.report!.shape).toEqual({
      response: 'array',
      'response[]': 'object',
      'response[].flagged': 'boolean | missing',
      'response[].id': 'number | string',
      'response[].seen_last': 'boolean | missing',
    });
  });

  it('two keys shown as <key> in one object count once when marking what other objects lack', () => {
    const err = strictError(many('X', z.looseObject({ id: z.string() })), [{ 'acc-1': 1, 'acc-2': 2 }, {}]);
    expect(err.report!.shape['response[].<key>']).toBe('missing | number');
  });

  it('shows keys of letters and underscores up to 40 long; any other key as <key>', () => {
    const forty = 'a'.repeat(40);
    const err = strictError(one('X', z.object({ id: z.string() })), {
      [forty]: 1,
      [`${forty}b`]: 2,
      snake_Case: 3,
      with1digit: 4,
      '': 5,
    });
    expect(Object.keys(err.report!.shape)).toEqual([
      'response',
      'response.<key>',
      `response.${forty}`,
      'response.snake_Case',
    ]);
  });
});
