import { describe, expect, it } from 'vitest';
import { FlanksError, FlanksValidationError, Paginator } from '../../src';

function pages<T>(all: T[][]) {
  const requested: Array<number | undefined> = [];
  const paginator = new Paginator<T>(async (cursor) => {
    requested.push(cursor);
    const index = (cursor ?? 1) - 1;
    return { items: all[index] ?? [], next: index + 1 < all.length ? index + 2 : undefined };
  });
  return { paginator, requested };
}

describe('Paginator', () => {
  it('iterates every item across pages, lazily', async () => {
    const { paginator, requested } = pages([[1, 2], [3], [4, 5]]);
    const seen: number[] = [];
    for await (const n of paginator) seen.push(n);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(requested).toEqual([undefined, 2, 3]);
  });

  it('pages() yields each page, including an empty last page', async () => {
    const { paginator } = pages([[1], []]);
    const out: number[][] = [];
    for await (const p of paginator.pages()) out.push(p);
    expect(out).toEqual([[1], []]);
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
      next: cursor === 'b' ? 'a' : cursor === 'a' ? 'b' : 'a',
    }));
    await expect(looping.toArray({ limit: 1000 })).rejects.toBeInstanceOf(FlanksError);
  });

  it('does not quote the repeated cursor: a credential store pages by credentials token', async () => {
    const token = 'ct_live_cursor_secret_1234';
    const looping = new Paginator<number, string>(async () => ({ items: [1], next: token }));
    const err = await looping.toArray({ limit: 1000 }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(FlanksError);
    expect((err as Error).message).toContain('twice');
    expect((err as Error).message).not.toContain(token);
  });
});
