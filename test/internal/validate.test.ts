import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { FlanksValidationError } from '../../src';
import { many, one, SAMPLE_THRESHOLD, Validator } from '../../src/internal/validate';
import { spyLogger } from '../helpers';

const Item = z.looseObject({ id: z.string(), balance: z.optional(z.number()) });

describe('Validator', () => {
  it('strict: throws with the path of the first bad field', () => {
    const v = new Validator('strict', spyLogger());
    const data = [{ id: 'a' }, { id: 'b', balance: 'lots' }];
    expect(() => v.check(many('Item', Item), data)).toThrow(FlanksValidationError);
    try {
      v.check(many('Item', Item), data);
    } catch (e) {
      expect((e as FlanksValidationError).path).toBe('response[1].balance');
    }
  });

  it('strict: a non-array where an array is expected fails', () => {
    expect(() => new Validator('strict', spyLogger()).check(many('Item', Item), { id: 'a' })).toThrow(
      /array/,
    );
  });

  it('warn: logs once per schema and returns the data untouched', () => {
    const logger = spyLogger();
    const v = new Validator('warn', logger);
    const data = [{ id: 1 }];
    expect(v.check(many('Item', Item), data)).toBe(data);
    v.check(many('Item', Item), data);
    v.check(one('Other', Item), { id: 2 });
    expect(logger.warn).toHaveBeenCalledTimes(2);
    expect(logger.warn.mock.calls[0]![0]).toMatch(/Item schema at response\[0\]\.id/);
  });

  it('warn: stops checking a schema once it has warned; strict checks every call', () => {
    let runs = 0;
    const Counted = z.looseObject({
      id: z.string().check(
        z.refine(() => {
          runs++;
          return true;
        }),
      ),
    });
    const logger = spyLogger();
    const warn = new Validator('warn', logger);
    warn.check(many('Counted', Counted), [{ id: 'a' }, { id: 'b' }]);
    expect(runs).toBe(2);
    warn.check(many('Counted', Counted), [{ id: 1 }]);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    const before = runs;
    warn.check(many('Counted', Counted), [{ id: 'c' }, { id: 2 }]);
    expect(runs).toBe(before);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    // Another schema is still checked and reported.
    warn.check(one('Item', Item), { id: 3 });
    expect(logger.warn).toHaveBeenCalledTimes(2);

    const strict = new Validator('strict', spyLogger());
    expect(() => strict.check(many('Counted', Counted), [{ id: 1 }])).toThrow(FlanksValidationError);
    expect(() => strict.check(many('Counted', Counted), [{ id: 'd' }, { id: 2 }])).toThrow(
      /response\[1\]\.id/,
    );
  });

  it('unknown fields pass through and are kept', () => {
    const data = { id: 'a', refValores: '123', future_field: { x: 1 } };
    expect(new Validator('strict', spyLogger()).check(one('Item', Item), data)).toEqual(data);
  });

  it('off: never checks', () => {
    const logger = spyLogger();
    expect(new Validator('off', logger).check(one('Item', Item), 42)).toBe(42);
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('warn: samples a large array; strict checks every item', () => {
    const size = SAMPLE_THRESHOLD * 40;
    const data = Array.from({ length: size }, (_, i) => ({ id: `t${i}` }));
    // A bad item off the sample grid: missed by warn (by design), caught by strict.
    const hidden = 201 + Math.floor(size / 200) / 2;
    (data[Math.floor(hidden)] as Record<string, unknown>).id = 5;
    const logger = spyLogger();
    new Validator('warn', logger).check(many('Item', Item), data);
    expect(logger.warn).not.toHaveBeenCalled();
    expect(() => new Validator('strict', spyLogger()).check(many('Item', Item), data)).toThrow(
      FlanksValidationError,
    );
    // ... while a bad first or last item is always seen.
    (data[size - 1] as Record<string, unknown>).id = 6;
    new Validator('warn', logger).check(many('Item', Item), data);
    expect(logger.warn).toHaveBeenCalledTimes(1);
  });
});
