/**
 * The one non-cryptographic hash of the SDK: 32-bit FNV-1a over UTF-16 code units, salted, with a
 * final avalanche so nearby inputs ("a:1", "a:2") give unrelated outputs. Stable on every runtime:
 * it seeds the sandbox's data and names the Postgres store's advisory lock. Never for secrets.
 */
export function hash32(input: string, salt = 0): number {
  let h = (0x811c9dc5 ^ salt) >>> 0;
  for (let i = 0; i < input.length; i++) {
    h ^= input.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
