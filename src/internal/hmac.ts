import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';

/*
 * HMAC-SHA256 that is synchronous and runs on every runtime the SDK supports: `links.buildUrl` is
 * synchronous, Web Crypto's HMAC is async and `node:crypto` is Node-only. The primitive is
 * @noble/hashes (audited), bundled into the build: no crypto is written here.
 */

export function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
  return hmac(sha256, key, message);
}

/** Compares without an early exit, so timing does not reveal how much of a MAC matched. */
export function constantTimeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  // The loop runs over the longer string for the timing only: when the lengths differ, `diff` is
  // already non-zero, and one step past the end compares 0 with 0. No result depends on the bound.
  // Stryker disable next-line EqualityOperator,MethodExpression: equivalent, see above
  for (let i = 0; i < Math.max(a.length, b.length); i++)
    diff |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0);
  return diff === 0;
}
