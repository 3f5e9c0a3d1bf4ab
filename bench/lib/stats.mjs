// Small statistics and scheduling helpers shared by the scenarios.

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** `{ median, min, max }` of a list of numbers. */
export function summary(values) {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/**
 * Runs every variant once per round, in the order given on even rounds and reversed on odd ones, so
 * neither side always runs first (warm caches, a neighbour's load). The first `warmup` rounds are run
 * and thrown away. `measure(name, round)` returns the numbers of one run; the result maps each name to
 * its list of per-round results.
 */
export async function alternate(names, { rounds, warmup }, measure) {
  const results = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < warmup + rounds; round++) {
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      const value = await measure(name, round);
      if (round >= warmup) results[name].push(value);
    }
  }
  return results;
}

/** Per-round ratios a[i] / b[i] of two paired lists (same round, same run). */
export const ratios = (a, b) => a.map((value, i) => value / b[i]);

export const fmt = (value, digits = 2) => value.toFixed(digits);
export const spread = ({ min, max }, digits = 2) => `${fmt(min, digits)}–${fmt(max, digits)}`;
