import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { FlanksError } from '../../src';
import { loadPeer } from '../../src/internal/peer';

const require = createRequire(import.meta.url);
const missing = 'flanks-sdk-no-such-peer';

describe('loadPeer', () => {
  it('returns the module when the peer is installed', async () => {
    const msw = await loadPeer('msw', 'createFlanksHandlers', () => import('msw'));
    expect(typeof msw.http.all).toBe('function');
  });

  it.each([
    ['import()', () => import(/* @vite-ignore */ missing)],
    ['require()', async () => require(missing)],
  ])('a peer that is not installed (%s) is a FlanksError naming the package to install', async (_, load) => {
    const err = await loadPeer(missing, 'someFeature', load).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlanksError);
    expect((err as Error).message).toBe(
      `someFeature needs ${missing}, an optional peer dependency of flanks-sdk that is not installed. Install it: npm install ${missing}`,
    );
    expect((err as Error).cause).toMatchObject({ code: expect.stringMatching(/MODULE_NOT_FOUND$/) });
  });

  it('rethrows anything else unchanged: a broken peer, or a package the peer itself needs', async () => {
    const broken = new SyntaxError('Unexpected token');
    await expect(loadPeer('msw', 'f', () => Promise.reject(broken))).rejects.toBe(broken);
    const inner = Object.assign(
      new Error(`Cannot find package 'graphql' imported from /app/node_modules/msw/x.mjs`),
      {
        code: 'ERR_MODULE_NOT_FOUND',
      },
    );
    await expect(loadPeer('msw', 'f', () => Promise.reject(inner))).rejects.toBe(inner);
  });
});
