import { describe, expect, it } from 'vitest';
import { FlanksError, FlanksValidationError, Paginator } from '../../src';
import { readPages } from '../pages';

function pages<T>(all: T[][], start?: number) {
  const requested: Array<number | undefined> = [];
  const fetchPage = async (cursor: number | undefined) => {
    requested.push(cursor);
    const index = (cursor ?? 1) - 1;
    return { items: all[index] ?? [], nextCursor: index + 1 < all.length ? index + 2 : null };
  };
  return { paginator: new Paginator<T, number>(fetchPage, start), requested };
}

describe('Paginator', () => {
  it('iterates every item across pages, lazily', async () => {
    const { paginator, requested } = pages([[1, 2], [3], [4, 5]]);
    const seen: number[] = [];
    for await (const n of paginator) seen.push(n);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(requested).toEqual([undefined, 2, 3]);
  });

  it('pages() yields each page with the cursor that resumes after it, including an empty last page', async () => {
    const { paginator } = pages([[1], [2, 3], []]);
    const out: unknown[] = [];
    for await (const p of paginator.pages()) out.push(p);
    expect(out).toEqual([
      { items: [1], nextCursor: 2 },
      { items: [2, 3], nextCursor: 3 },
      { items: [], nextCursor: null },
    ]);
  });

  it('starts from a saved cursor: the pages after it, each item once', async () => {
    const all = [[1, 2], [3], [4, 5], [6]];
    const { items: read, cursor: saved } = await readPages(pages(all).paginator, 2);
    const { paginator, requested } = pages(all, saved!);
    for await (const n of paginator) read.push(n);
    expect(read).toEqual([1, 2, 3, 4, 5, 6]);
    expect(requested).toEqual([3, 4]);
  });

  it('treats an undefined nextCursor from a custom fetcher as the end', async () => {
    const paginator = new Paginator<number>(async () => ({ items: [1], nextCursor: undefined as never }));
    expect(await paginator.toArray({ limit: 10 })).toEqual([1]);
  });

  it('stops when a page points back at the starting cursor', async () => {
    const looping = new Paginator<number>(async () => ({ items: [1], nextCursor: 'start' }), 'start');
    await expect(looping.toArray({ limit: 1000 })).rejects.toBeInstanceOf(FlanksError);
  });

  it('toArray stops fetching once the limit is reached', async () => {
    const { paginator, requested } = pages([[1, 2], [3, 4], [5]]);
    expect(await paginator.toArray({ limit: 3 })).toEqual([1, 2, 3]);
    expect(requested).toHaveLength(2);
  });

  it('toArray demands a whole-number limit', async () => {
    const { paginator } = pages([[1]]);
    await expect(paginator.toArray({} as { limit: number })).rejects.toBeInstanceOf(FlanksValidationError);
    await expect(paginator.toArray({ limit: 1.5 })).rejects.toBeInstanceOf(FlanksValidationError);
    expect(await paginator.toArray({ limit: 0 })).toEqual([]);
  });

  it('stops with an error when a cursor repeats instead of looping forever', async () => {
    const looping = new Paginator<number, string>(async (cursor) => ({
      items: [1],
      nextCursor: cursor === 'b' ? 'a' : cursor === 'a' ? 'b' : 'a',
    }));
    await expect(looping.toArray({ limit: 1000 })).rejects.toBeInstanceOf(FlanksError);
  });

  it('does not quote the repeated cursor', async () => {
    const token = 'ct_live_cursor_secret_1234';
    const looping = new Paginator<number, string>(async () => ({ items: [1], nextCursor: token }));
    const err = await looping.toArray({ limit: 1000 }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(FlanksError);
    expect((err as Error).message).toContain('twice');
    expect((err as Error).message).not.toContain(token);
  });
});
