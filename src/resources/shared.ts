import { FlanksValidationError } from '../core/errors';
import { requireString } from '../internal/args';
import type { Transport } from '../internal/transport';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * The base of every resource class. It holds the client's transport (which holds the client secret
 * and the live access token) in a `#private` field, which neither `util.inspect` nor `JSON.stringify`
 * can reach, and prints as its name plus what `toJSON` returns: nothing secret. TypeScript `private`
 * would not do: it is a plain property at run time.
 */
export abstract class Resource {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** The client's transport: a getter on the prototype, so it shows in no inspect or JSON output. */
  protected get transport(): Transport {
    return this.#transport;
  }

  /** A secret-free view for `JSON.stringify` and loggers. */
  toJSON(): Record<string, unknown> {
    return {};
  }

  /** Keeps the transport's secrets out of `util.inspect` output. */
  [INSPECT](): string {
    const shown = Object.entries(this.toJSON()).map(([key, value]) => `${key}: ${JSON.stringify(value)}`);
    return `${this.constructor.name} {${shown.length > 0 ? ` ${shown.join(', ')} ` : ''}}`;
  }
}

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

/** What a redirect back to your app can be given as: a URL string (absolute, or a path such as Node's `req.url`), a `URL`, a `Request`, or anything with a `url` string. */
export type RedirectInput = string | URL | Request | { url: string };

/** Reads the URL of a redirect back to the app (the Link's or the Connect widget's). */
export function redirectUrl(input: RedirectInput): URL {
  let raw: unknown = input;
  if (input instanceof URL) raw = input.href;
  else if (input !== null && typeof input === 'object') raw = (input as { url?: unknown }).url;
  const text = requireString(raw, 'input (redirect URL)');
  try {
    return new URL(text, 'http://redirect.invalid');
  } catch {
    throw new FlanksValidationError('input is not a valid URL.', { path: 'input' });
  }
}

/**
 * A body that must be an object (optionally holding an array under `listKey`). Anything else is an
 * error in every validation mode: code reading `status.pending` or `page.items` would crash on it.
 */
export function expectObject(body: unknown, listKey?: string): Record<string, unknown> {
  if (isRecord(body) && (listKey === undefined || Array.isArray(body[listKey]))) return body;
  const got = body === null ? 'null' : Array.isArray(body) ? 'an array' : typeof body;
  throw new FlanksValidationError(
    `Flanks answered with ${got} where an object${listKey ? ` with a list under "${listKey}"` : ''} was expected. Flanks may have changed this API; please report it.`,
    { path: 'response' },
  );
}
