import { describe, expect, it } from 'vitest';
import { FlanksValidationError } from '../../src';
import { makeClient, route, tokenRoute, useMsw } from '../helpers';

/*
 * Shape reports as a caller gets them through the HTTP stack (src/internal/validate.ts): a body the
 * SDK cannot use at all, and the envelope Flanks wrapped a list in.
 */

useMsw();

const PATH = '/v0/bank/available';

async function validationError(body: unknown): Promise<FlanksValidationError> {
  tokenRoute();
  route('get', PATH, { body: body as never });
  const err = await makeClient({ validation: 'strict' })
    .entities.list()
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(FlanksValidationError);
  return err as FlanksValidationError;
}

describe('shape reports through the client', () => {
  it('a body in neither list form: the message says what was expected, and nothing more', async () => {
    const err = await validationError({ entities: [] });
    expect(err.message).toBe(
      `Flanks GET ${PATH} answered with object at response where an array, or an object with a list under "items" was expected. Flanks may have changed this API; please report it (the error's \`report\` describes the response without its values).`,
    );
  });

  it('a list that came in an envelope: the report describes the envelope too, under its own root', async () => {
    const err = await validationError({ success: true, count: 1, items: [{ id: 7 }] });
    expect(err.report).toMatchObject({
      issues: [{ path: 'response[].id', expected: 'string', received: 'number', count: 1 }],
      envelope: { envelope: 'object', 'envelope.count': 'number', 'envelope.success': 'boolean' },
    });
  });
});
