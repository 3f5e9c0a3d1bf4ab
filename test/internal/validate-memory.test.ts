import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { one, Validator } from '../../src/internal/validate';
import { spyLogger } from '../helpers';

/*
 * `warn` remembers which (endpoint, issue) pairs it has logged, process-wide, up to 10,000 of them:
 * then it stops logging new ones rather than grow without bound. In a file of its own, so that the
 * memory starts empty (vitest gives each test file its own module instances).
 */

describe('the memory of issues already logged', () => {
  it('holds 10,000 issues; past that a new issue is no longer logged', () => {
    const logger = spyLogger();
    const validator = new Validator('warn', logger);
    const shape = one('X', z.object({ id: z.string() }));
    for (let i = 0; i < 10_001; i++) validator.check(shape, { id: 1 }, `GET /endpoint/${i}`);
    expect(logger.warn).toHaveBeenCalledTimes(10_000);
    expect(String(logger.warn.mock.calls.at(-1)![0])).toContain('GET /endpoint/9999 ');
  });
});
