/*
 * Flanks wraps some answers (`{ success, data }`, `{ success, count, items }`, `{ session }`,
 * `{ items, next_page_token }`) and not others. Methods return what is inside; the rest of the wrapper
 * is kept here, keyed by the returned object or array, so nothing Flanks sent is lost and nothing is
 * added to the data (where it could collide with a field of Flanks'). A weak map: it lives as long as
 * the returned value does.
 */
const envelopes = new WeakMap<object, Readonly<Record<string, unknown>>>();

/** Records that `payload` came out of `body[key]`: the other keys of `body` are its envelope. */
export function keepEnvelope<T>(payload: T, body: Record<string, unknown>, key: string): T {
  if (typeof payload === 'object' && payload !== null) {
    const { [key]: _, ...rest } = body;
    envelopes.set(payload, Object.freeze(rest));
  }
  return payload;
}

/**
 * The envelope a value came in, without the value itself: e.g. `{ success: true, count: 3 }` for the
 * links of a `{ success, count, items }` answer, or `{ next_page_token: … }` for a page of a cursor
 * list (`envelopeOf(page.items)` for each page of `list.pages()`). `undefined` when Flanks sent the
 * value bare.
 *
 * @example
 * ```ts
 * const links = await flanks.links.list();
 * console.log(envelopeOf(links)?.count);
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/links-api
 */
export function envelopeOf(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return typeof value === 'object' && value !== null ? envelopes.get(value) : undefined;
}
