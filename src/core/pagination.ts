import { FlanksError, FlanksValidationError } from './errors';

/*
 * One paginator for every paged Flanks list. A page fetcher returns its items and the cursor of
 * the next page (a page number or a token), or `undefined` on the last page. Guards: a cursor seen
 * before stops with an error instead of looping forever, and `toArray` demands a limit so nobody
 * loads an unbounded list by accident.
 */

/**
 * One page as returned by a page fetcher: its items and the cursor of the next page.
 *
 * @example
 * ```ts
 * const fetchPage = async (page = 1): Promise<Page<string, number>> => ({ items: ['a'], next: page < 3 ? page + 1 : undefined });
 * const all = await new Paginator(fetchPage).toArray({ limit: 10 });
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/credentials-api
 */
export interface Page<T, C> {
  items: T[];
  next: C | undefined;
}

/**
 * An async iterable over every item of a paged Flanks list. Pages are fetched lazily, one at a
 * time, as you iterate.
 *
 * @example
 * ```ts
 * for await (const credential of flanks.credentials.list()) console.log(credential.bank);
 * for await (const page of flanks.credentials.list().pages()) console.log(page.length);
 * const first100 = await flanks.credentials.list().toArray({ limit: 100 });
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/credentials-api
 */
export class Paginator<T, C = number> implements AsyncIterable<T> {
  readonly #fetchPage: (cursor: C | undefined) => Promise<Page<T, C>>;

  constructor(fetchPage: (cursor: C | undefined) => Promise<Page<T, C>>) {
    this.#fetchPage = fetchPage;
  }

  /** Iterates page by page (arrays of items). */
  async *pages(): AsyncGenerator<T[], void, undefined> {
    const seen = new Set<C>();
    let cursor: C | undefined;
    for (;;) {
      const page = await this.#fetchPage(cursor);
      yield page.items;
      if (page.next === undefined || page.next === null) return;
      if (seen.has(page.next)) {
        throw new FlanksError(
          // The cursor is not quoted: a store's cursor is a credentials token.
          'The list returned the same page cursor twice; stopped to avoid an endless loop. For a Flanks list, report this to Flanks support.',
        );
      }
      seen.add(page.next);
      cursor = page.next;
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for await (const items of this.pages()) yield* items;
  }

  /** Collects at most `limit` items. The limit is required so a huge list is never loaded by accident. */
  async toArray(options: { limit: number }): Promise<T[]> {
    const limit = (options as { limit?: unknown } | undefined)?.limit;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0) {
      throw new FlanksValidationError(`toArray({ limit }) needs a whole number >= 0; got ${String(limit)}.`, {
        path: 'limit',
      });
    }
    const out: T[] = [];
    if (limit === 0) return out;
    for await (const item of this) {
      out.push(item);
      if (out.length >= limit) break;
    }
    return out;
  }
}
