// Deterministic randomness: the same credentials token and seed must always produce the same bank
// data, on any runtime, so tests can assert on it and screenshots stay stable.

import { hash32 } from '../../internal/hash';

/** A stable hex id derived from `input`, shaped like the 24-hex `_id`s Flanks returns. */
export function hexId(input: string, length = 24): string {
  let out = '';
  for (let salt = 1; out.length < length; salt++) out += hash32(input, salt).toString(16).padStart(8, '0');
  return out.slice(0, length);
}

/** Small seeded generator (mulberry32 step) with the helpers the data generator needs. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new RangeError('pick() from an empty list');
    return item;
  }

  /** `count` distinct items, in random order. */
  sample<T>(items: readonly T[], count: number): T[] {
    const pool = [...items];
    const out: T[] = [];
    while (out.length < count && pool.length > 0) out.push(...pool.splice(this.int(0, pool.length - 1), 1));
    return out;
  }

  /** Money in integer cents between two euro amounts; cents keep sums exact. */
  cents(minEuros: number, maxEuros: number): number {
    return this.int(Math.round(minEuros * 100), Math.round(maxEuros * 100));
  }

  digits(count: number): string {
    let out = '';
    for (let i = 0; i < count; i++) out += String(this.int(0, 9));
    return out;
  }
}

/**
 * Opaque tokens (access tokens, link tokens, codes, credentials tokens). Random by default;
 * with a seed the whole sandbox replays identically, which keeps snapshot tests stable.
 */
export class TokenSource {
  private readonly rng: Rng | undefined;

  constructor(seed: number | undefined) {
    this.rng = seed === undefined ? undefined : new Rng(hash32(`tokens:${seed}`));
  }

  next(): string {
    const rng = this.rng;
    if (!rng) return crypto.randomUUID().replaceAll('-', '');
    let out = '';
    while (out.length < 32)
      out += Math.floor(rng.next() * 0x1_0000)
        .toString(16)
        .padStart(4, '0');
    return out;
  }
}
