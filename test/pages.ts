import type { Page } from '../src';

/**
 * Reads the first `count` pages of a list and stops, as a job that is interrupted would: their items,
 * and the `nextCursor` of the last page read, to resume from with a new client or store.
 */
export async function readPages<T, C>(
  list: { pages(): AsyncGenerator<Page<T, C>, void, undefined> },
  count: number,
): Promise<{ items: T[]; cursor: C | null }> {
  const pages = list.pages();
  const items: T[] = [];
  let cursor: C | null = null;
  for (let i = 0; i < count; i++) {
    const { value } = await pages.next();
    if (!value) throw new Error(`the list ended before page ${i + 1}`);
    items.push(...value.items);
    cursor = value.nextCursor;
  }
  await pages.return(undefined);
  return { items, cursor };
}
