// Seeded randomness for the chaos suite. Every decision is a pure function of the seed and a key
// (endpoint, user, nth request of that user on that endpoint), so a run's fault schedule per user is
// the same whatever order 200 concurrent flows happen to interleave in.

/** FNV-1a over the parts, as a 32-bit seed. */
export function hash(...parts: Array<string | number>): number {
  let h = 0x811c9dc5;
  for (const ch of parts.join('\u0000')) {
    h ^= ch.codePointAt(0) ?? 0;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: small, fast, good enough to schedule faults. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random stream derived from the seed and a key. */
export function streamFor(seed: number, ...key: Array<string | number>): () => number {
  return prng(hash(seed, ...key));
}

export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

/** Picks by weight: `[['a', 3], ['b', 1]]` gives `a` three times as often as `b`. */
export function weighted<T>(random: () => number, items: ReadonlyArray<readonly [T, number]>): T {
  const total = items.reduce((sum, [, w]) => sum + w, 0);
  let r = random() * total;
  for (const [item, w] of items) {
    r -= w;
    if (r < 0) return item;
  }
  return (items.at(-1) as readonly [T, number])[0];
}
