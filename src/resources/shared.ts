import { FlanksValidationError } from '../core/errors';

/*
 * Envelope handling shared by the resources. Flanks wraps some answers (`{success, data}`,
 * `{success, count, items}`) and not others, and third-party clients disagree on which (e.g. list
 * links: the docs show `{items}`, another client claims a bare array), so both forms are accepted.
 * A body in neither form is an error in every validation mode: returning `[]` or `{}` for it would be
 * a silent wrong answer.
 */

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function unwrapList(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  if (isRecord(body) && Array.isArray(body.items)) return body.items;
  throw new FlanksValidationError(
    'Flanks answered with a list in an unknown form (neither an array nor { items: [...] }). Flanks may have changed this API; please report it.',
    { path: 'response' },
  );
}

export function unwrapData(body: unknown): unknown {
  if (isRecord(body) && isRecord(body.data)) return body.data;
  if (isRecord(body)) return body;
  throw new FlanksValidationError(
    'Flanks answered with an unexpected body (expected an object, or { data: {...} }). Flanks may have changed this API; please report it.',
    { path: 'response' },
  );
}
