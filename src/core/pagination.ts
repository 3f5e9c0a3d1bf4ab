import { optionalObject, requireWholeNumber } from '../internal/args';
import { FlanksError } from './errors';

/*
 * One paginator for every paged list, Flanks' and the stores'. Rules:
 * - A page fetcher gets the cursor to read from (`undefined` for the first page) and returns the
 *   page's items and `nextCursor`: what resumes the list right after this page, `null` on the last.
 * - `pages()` yields every page with its `nextCursor`, so a job can save it and resume later, in
 *   another process, by handing it back to the same list as `cursor`: the resumed list starts with
 *   the page after the saved one. Cursors are opaque and never hold a secret (they end up in job
 *   queues and logs); each list documents what its cursor is.
 * - A cursor seen before (the starting one included) stops the walk with an error instead of looping
 *   forever, and the message never quotes it. `toArray` demands a limit so nobody loads an unbounded
 *   list by accident.
 */

/**
 * One page of a list: its items and the cursor that resumes the list after it.
 *
 * @example
 * ```ts
 * for await (const page of flanks.aggregationV2.listTransactions().pages()) {
 *   await db.insertMany(page.items);
 *   await jobs.saveCursor(page.nextCursor); // null once the list is done
 * }
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/aggregation-api/v2/
 */
export interface Page<T, C = string> {
  /** The items of this page, in the list's order. */
  items: T[];
  /**
   * Resumes the list right after this page: pass it as `cursor` to the same list (same filters) to
   * read the pages that follow. `null` when this is the last page.
   */
  nextCursor: C | null;
}

/**
 * An async iterable over every item of a paged list (a Flanks list or a store's). Pages are fetched
 * lazily, one at a time, as you iterate; `pages()` gives each page with the cursor that resumes
 * after it.
 *
 * @example
 * ```ts
 * for await (const credential of flanks.credentials.list()) console.log(credential.bank);
 * for await (const { items, nextCursor } of flanks.connect.listSessions().pages()) {
 *   await handle(items);
 *   await saveProgress(nextCursor); // later: flanks.connect.listSessions({ cursor: saved })
 * }
 * const first100 = await flanks.credentials.list().toArray({ limit: 100 });
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/credentials-api
 */
export class Paginator<T, C = string> implements AsyncIterable<T> {
  readonly #fetchPage: (cursor: C | undefined) => Promise<Page<T, C>>;
  readonly #start: C | undefined;

  /**
   * @param fetchPage - Reads the page at a cursor (`undefined`: the first page).
   * @param start - The cursor to start from, a `nextCursor` saved earlier; default: the first page.
   */
  constructor(fetchPage: (cursor: C | undefined) => Promise<Page<T, C>>, start?: C) {
    this.#fetchPage = fetchPage;
    this.#start = start;
  }

  /** Iterates page by page: each page's items and the cursor that resumes after it. */
  async *pages(): AsyncGenerator<Page<T, C>, void, undefined> {
    const seen = new Set<C>();
    let cursor = this.#start;
    if (cursor !== undefined) seen.add(cursor);
    for (;;) {
      const page = await this.#fetchPage(cursor);
      const next = page.nextCursor ?? null;
      yield { items: page.items, nextCursor: next };
      if (next === null) return;
      if (seen.has(next)) {
        throw new FlanksError(
          // Not quoted: cursors stay out of messages whatever they hold.
          'The list returned the same page cursor twice; stopped to avoid an endless loop. For a Flanks list, report this to Flanks support.',
        );
      }
      seen.add(next);
      cursor = next;
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for await (const page of this.pages()) yield* page.items;
  }

  /** Collects at most `limit` items. The limit is required so a huge list is never loaded by accident. */
  async toArray(options: { limit: number }): Promise<T[]> {
    const limit = requireWholeNumber(optionalObject(options, 'options')?.limit, 'options.limit');
    const out: T[] = [];
    if (limit === 0) return out;
    for await (const item of this) {
      out.push(item);
      if (out.length >= limit) break;
    }
    return out;
  }
}
