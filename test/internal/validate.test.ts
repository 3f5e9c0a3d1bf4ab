import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { FlanksValidationError, VERSION } from '../../src';
import { numericValue } from '../../src/internal/shape';
import { many, one, SAMPLE_THRESHOLD, Validator } from '../../src/internal/validate';
import { spyLogger } from '../helpers';

const Item = z.looseObject({
  id: z.string(),
  balance: z.optional(z.nullable(z.number())),
  nested: z.optional(z.looseObject({ amounts: z.optional(z.array(z.number())) })),
  byCurrency: z.optional(z.record(z.string(), z.number())),
  ref: z.optional(z.union([z.number(), z.string()])),
});

// `warn` logs an issue once per process, so each test checks against endpoints of its own.
let endpoints = 0;
const endpoint = () => `POST /test/${++endpoints}`;

function thrown(fn: () => unknown): FlanksValidationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(FlanksValidationError);
    return error as FlanksValidationError;
  }
  throw new Error('expected a FlanksValidationError');
}

describe('numeric strings', () => {
  it.each([
    ['-50.00', -50],
    ['1500.50', 1500.5],
    ['+3', 3],
    ['.5', 0.5],
    ['5.', 5],
    ['1e3', 1000],
    ['-2.5E-2', -0.025],
    ['007', 7],
  ])('%s reads as %d', (text, value) => {
    expect(numericValue(text)).toBe(value);
  });

  it.each([
    '',
    ' 1',
    '1 ',
    '1,50',
    '1.500,50',
    '1_000',
    '0x10',
    'NaN',
    'Infinity',
    '-',
    '.',
    '1e',
    '1e400',
    '€5',
  ])('%j is not numeric', (text) => {
    expect(numericValue(text)).toBeUndefined();
  });

  it('become numbers on every item, at every depth, in warn and strict; the array is the same object', () => {
    for (const mode of ['warn', 'strict'] as const) {
      const data = Array.from({ length: SAMPLE_THRESHOLD * 4 }, (_, i) => ({
        id: `t${i}`,
        balance: `${i}.25`,
        nested: { amounts: ['1', 2, '-3.5'] },
        byCurrency: { EUR: '10.10', USD: 3 },
        ref: '42',
      }));
      const result = new Validator(mode, spyLogger()).check(many('Item', Item), data, endpoint());
      expect(result).toBe(data);
      for (const [i, item] of result.entries()) {
        expect(item.balance).toBe(i + 0.25);
        expect(item.nested?.amounts).toEqual([1, 2, -3.5]);
        expect(item.byCurrency).toEqual({ EUR: 10.1, USD: 3 });
        // A field that accepts a string keeps it.
        expect(item.ref).toBe('42');
      }
    }
  });

  it('off: the body is returned untouched', () => {
    const data = [{ id: 'a', balance: '1.50' }];
    const logger = spyLogger();
    const result = new Validator('off', logger).check(many('Item', Item), data, endpoint());
    expect(result).toBe(data);
    expect(result[0]!.balance).toBe('1.50');
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('a string that is not numeric stays as sent and is reported, even off the warn sample grid', () => {
    const size = SAMPLE_THRESHOLD * 40;
    const data = Array.from({ length: size }, (_, i) => ({ id: `t${i}`, balance: i }));
    // Off the sample grid (see the sampling test below): only the coercion pass sees it.
    const hidden = Math.floor(201 + Math.floor(size / 200) / 2);
    (data[hidden] as Record<string, unknown>).balance = '1.234,50';
    const logger = spyLogger();
    const at = endpoint();
    new Validator('warn', logger).check(many('Item', Item), data, at);
    expect(data[hidden]!.balance).toBe('1.234,50');
    expect(logger.warn).toHaveBeenCalledTimes(1);
    const [message, report] = logger.warn.mock.calls[0]!;
    expect(message).toContain(
      `${at} did not match the Item schema: response[].balance: expected number, received string`,
    );
    expect(report).toMatchObject({
      endpoint: at,
      issues: [{ path: 'response[].balance', expected: 'number', received: 'string', count: 1 }],
    });
    expect(JSON.stringify(report)).not.toContain('1.234,50');
  });

  it('null stays null, and unknown fields stay at every depth', () => {
    const data = { id: 'a', balance: null, nested: { amounts: ['2'], extra: { deep: '3' } }, other: '4' };
    const result = new Validator('strict', spyLogger()).check(one('Item', Item), data, endpoint());
    expect(result).toEqual({
      id: 'a',
      balance: null,
      nested: { amounts: [2], extra: { deep: '3' } },
      other: '4',
    });
  });
});

describe('strict', () => {
  it('throws with the path of the first bad field and a report of every distinct issue', () => {
    const at = endpoint();
    const data = [{ id: 'a' }, { id: 'b', balance: true }, { id: 7, balance: false }, { balance: 'x' }];
    const err = thrown(() => new Validator('strict', spyLogger()).check(many('Item', Item), data, at));
    expect(err.path).toBe('response[1].balance');
    expect(err.message).toContain(`${at} did not match the Item schema at response[1].balance`);
    expect(err.report).toEqual({
      sdk: 'flanks-sdk',
      sdkVersion: VERSION,
      endpoint: at,
      schema: 'Item',
      validation: 'strict',
      issues: [
        { path: 'response[].balance', expected: 'number', received: 'boolean', count: 2 },
        { path: 'response[].id', expected: 'string', received: 'number', count: 1 },
        { path: 'response[].id', expected: 'string', received: 'missing', count: 1 },
        { path: 'response[].balance', expected: 'number', received: 'string', count: 1 },
      ],
      shape: {
        response: 'array',
        'response[]': 'object',
        'response[].balance': 'boolean | missing | string',
        'response[].id': 'missing | number | string',
      },
    });
  });

  it('the report is in the error JSON and inspect output', () => {
    const err = thrown(() =>
      new Validator('strict', spyLogger()).check(one('Item', Item), { id: 1 }, endpoint()),
    );
    expect(JSON.parse(JSON.stringify(err)).report.issues).toEqual([
      { path: 'response.id', expected: 'string', received: 'number', count: 1 },
    ]);
    expect(inspect(err)).toContain('"received": "number"');
  });

  it('a non-array where an array is expected fails, with a report', () => {
    const err = thrown(() =>
      new Validator('strict', spyLogger()).check(many('Item', Item), { id: 'a' }, endpoint()),
    );
    expect(err.report?.issues).toEqual([
      { path: 'response', expected: 'an array of Item', received: 'object', count: 1 },
    ]);
  });
});

describe('shape reports', () => {
  it('record keys and data-like keys become <key>; declared and field-like keys stay', () => {
    const data = {
      id: 5,
      byCurrency: { EUR: 1, 'ES91 2100 0418': 2 },
      ES9121000418450200051332: { iban: 'x' },
      'user@example.com': 1,
      tax_type: 'x',
    };
    const err = thrown(() => new Validator('strict', spyLogger()).check(one('Item', Item), data, endpoint()));
    expect(Object.keys(err.report!.shape)).toEqual([
      'response',
      'response.<key>',
      'response.<key>.iban',
      'response.byCurrency',
      'response.byCurrency.<key>',
      'response.id',
      'response.tax_type',
    ]);
    expect(JSON.stringify(err.report)).not.toMatch(/EUR|ES91|2100|example/);
  });

  it('an issue under a record key names <key>, not the key', () => {
    const err = thrown(() =>
      new Validator('strict', spyLogger()).check(
        one('Item', Item),
        { id: 'a', byCurrency: { 'acc-42': 'lots' } },
        endpoint(),
      ),
    );
    expect(err.path).toBe('response.byCurrency.<key>');
    expect(err.report?.issues[0]).toMatchObject({ path: 'response.byCurrency.<key>', received: 'string' });
  });
});

describe('warn', () => {
  it('logs each issue once per process, across clients; a new issue or endpoint is logged again', () => {
    const first = spyLogger();
    const second = spyLogger();
    const at = endpoint();
    const bad = [{ id: 1 }];
    expect(new Validator('warn', first).check(many('Item', Item), bad, at)).toBe(bad);
    new Validator('warn', second).check(many('Item', Item), [{ id: 2 }], at);
    expect(first.warn).toHaveBeenCalledTimes(1);
    expect(second.warn).not.toHaveBeenCalled();
    // Another issue on the same endpoint, and the same issue on another endpoint.
    new Validator('warn', second).check(many('Item', Item), [{ id: 'a', balance: true }], at);
    new Validator('warn', second).check(many('Item', Item), [{ id: 3 }], endpoint());
    expect(second.warn).toHaveBeenCalledTimes(2);
    expect(second.warn.mock.calls[0]![0]).toContain('response[].balance: expected number, received boolean');
  });

  it('samples a large array for the full check; strict checks every item', () => {
    const size = SAMPLE_THRESHOLD * 40;
    const data = Array.from({ length: size }, (_, i) => ({ id: `t${i}` }));
    // A bad item off the sample grid: missed by warn (by design), caught by strict.
    const hidden = Math.floor(201 + Math.floor(size / 200) / 2);
    (data[hidden] as Record<string, unknown>).id = 5;
    const logger = spyLogger();
    new Validator('warn', logger).check(many('Item', Item), data, endpoint());
    expect(logger.warn).not.toHaveBeenCalled();
    expect(() => new Validator('strict', spyLogger()).check(many('Item', Item), data, endpoint())).toThrow(
      FlanksValidationError,
    );
    // ... while a bad first or last item is always seen.
    (data[size - 1] as Record<string, unknown>).id = 6;
    new Validator('warn', logger).check(many('Item', Item), data, endpoint());
    expect(logger.warn).toHaveBeenCalledTimes(1);
  });
});
