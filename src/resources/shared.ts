import * as z from 'zod/mini';
import type { APIPromise } from '../core/api-promise';
import { keepEnvelope } from '../core/envelope';
import type { ReauthToken } from '../core/errors';
import { argumentError, isRecord, requireObject, requireString } from '../internal/args';
import { apiCall, type Call } from '../internal/call';
import type { Transport } from '../internal/transport';
import { UnusableResponse } from '../internal/validate';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * The base of every resource class (`flanks.links`, `flanks.credentials` …). It holds the client's
 * transport (which holds the client secret and the live access token) in a `#private` field, which
 * neither `util.inspect` nor `JSON.stringify` can reach, and prints as its name plus what `toJSON`
 * returns: nothing secret. TypeScript `private` would not do: it is a plain property at run time.
 * Resources are built by {@link FlanksClient}; their constructors are not part of the public API.
 *
 * @example
 * ```ts
 * const resources: Resource[] = [flanks.links, flanks.credentials, flanks.aggregation];
 * console.log(resources.map((r) => JSON.stringify(r))); // ['{}', '{}', '{}']: nothing secret
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/authentication
 */
export abstract class Resource {
  readonly #transport: Transport;

  /** Built by FlanksClient: use `flanks.links`, `flanks.credentials` … @internal */
  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** The client's transport: a getter on the prototype, so it shows in no inspect or JSON output. @internal */
  protected get transport(): Transport {
    return this.#transport;
  }

  /**
   * Runs the body of an API method as one call (argument checks included, so they reject rather
   * than throw) and returns its APIPromise: its requests go through `call.request`. @internal
   */
  protected call<T>(run: (call: Call<T>) => Promise<T>): APIPromise<T> {
    return apiCall(this.#transport, run);
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
 * What is inside is returned untouched; the rest of the envelope is kept for `envelopeOf`. A body in
 * neither form is an error in every validation mode: returning `[]` or `{}` for it would be a silent
 * wrong answer.
 */

export function unwrapList(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  if (isRecord(body) && Array.isArray(body.items)) return keepEnvelope(body.items, body, 'items');
  throw new UnusableResponse('an array, or an object with a list under "items"');
}

/**
 * `{ success, data: {...} }` → the `data` object; any other object is the data itself. `success` must
 * be there: a bare object may well have a `data` field of its own, which must not be taken for it.
 */
export function unwrapData(body: unknown): unknown {
  if (isRecord(body) && isRecord(body.data) && typeof body.success === 'boolean') {
    return keepEnvelope(body.data, body, 'data');
  }
  if (isRecord(body)) return body;
  throw new UnusableResponse('an object, or { success, data: {...} }');
}

/**
 * What Flanks answers to a call that changes something and whose answer is undocumented (delete a
 * link or a credential, set labels): whatever it sends, as sent (`{ message }` in the legacy docs,
 * `{ success }` elsewhere); `undefined` when the body is empty.
 *
 * @example
 * ```ts
 * const result = await flanks.credentials.delete(token);
 * console.log(result?.message);
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/credentials-api
 */
export const ActionResultSchema = z.optional(
  z.nullable(z.looseObject({ message: z.optional(z.nullable(z.string())) })),
);
/**
 * What Flanks answers to a delete or set-labels call.
 *
 * @example
 * ```ts
 * const result: ActionResult = await flanks.links.delete(linkToken);
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/links-api
 */
export type ActionResult = z.infer<typeof ActionResultSchema>;

/**
 * What a redirect back to your app can be given as: a URL string (absolute, or a path such as Node's
 * `req.url`), a `URL`, a `Request`, or anything with a `url` string.
 *
 * @example
 * ```ts
 * const input: RedirectInput = req.url; // or new URL(href), a Fetch Request, { url }
 * const redirect = flanks.links.parseRedirect(input);
 * ```
 * @see https://docs.flanks.io/pages/integration-example
 */
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
    throw argumentError('input', 'is not a valid URL.');
  }
}

/**
 * A body that must be an object (optionally holding an array under `listKey`). Anything else is an
 * error in every validation mode: code reading `status.pending` or `page.items` would crash on it.
 */
export function expectObject(body: unknown, listKey?: string): Record<string, unknown> {
  if (isRecord(body) && (listKey === undefined || Array.isArray(body[listKey]))) return body;
  throw new UnusableResponse(listKey ? `an object with a list under "${listKey}"` : 'an object');
}

/*
 * Re-authentication of an existing credential (docs/reauthentication.md). Flanks does not document
 * how a `reset_token` / `sca_token` reaches the Link or a Connect session; the SDK assumes a
 * parameter of that wire name: a Link URL query parameter, a session `configuration` field.
 */
export type ReauthField = ['reset_token' | 'sca_token', string];

/** Checks a `reauth` option (exactly one of `resetToken`, `scaToken`); messages never echo the token. */
export function reauthField(value: unknown, name: string): ReauthField | undefined {
  if (value === undefined) return undefined;
  const r = requireObject(value, name) as Partial<ReauthToken>;
  if ((r.resetToken === undefined) === (r.scaToken === undefined)) {
    throw argumentError(
      name,
      'must hold exactly one of resetToken, scaToken (see credentials.reauthToken()).',
    );
  }
  return r.resetToken !== undefined
    ? ['reset_token', requireString(r.resetToken, `${name}.resetToken`)]
    : ['sca_token', requireString(r.scaToken, `${name}.scaToken`)];
}
