import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { FlanksAbortError } from '../../src';
import { BASE, makeClient, server, tokenRoute, useMsw } from '../helpers';

useMsw();

/** A status endpoint that records how many requests are in flight at once. */
function gate() {
  let inFlight = 0;
  let peak = 0;
  let served = 0;
  const waiting: Array<() => void> = [];
  server.use(
    http.post(`${BASE}/v0/bank/credentials/status`, async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise<void>((resolve) => waiting.push(resolve));
      inFlight--;
      served++;
      return HttpResponse.json({ pending: false });
    }),
  );
  return {
    get peak() {
      return peak;
    },
    get served() {
      return served;
    },
    /** Lets every request currently held through, repeatedly, until `done` settles. */
    async drain(done: Promise<unknown>) {
      let finished = false;
      void done.finally(() => {
        finished = true;
      });
      while (!finished) {
        for (const release of waiting.splice(0)) release();
        await new Promise((r) => setImmediate(r));
      }
    },
  };
}

describe('maxConcurrency', () => {
  it('caps requests in flight; the rest queue and all complete', async () => {
    tokenRoute();
    const g = gate();
    const client = makeClient({ maxConcurrency: 4 });
    const all = Promise.all(Array.from({ length: 60 }, (_, i) => client.credentials.getStatus(`ct_${i}`)));
    await g.drain(all);
    expect((await all).length).toBe(60);
    expect(g.peak).toBe(4);
    expect(g.served).toBe(60);
  });

  it('defaults to 8', async () => {
    tokenRoute();
    const g = gate();
    const client = makeClient();
    const all = Promise.all(Array.from({ length: 30 }, (_, i) => client.credentials.getStatus(`ct_${i}`)));
    await g.drain(all);
    expect(g.peak).toBe(8);
  });

  it('a queued call whose signal aborts leaves the queue without sending', async () => {
    tokenRoute();
    const g = gate();
    const client = makeClient({ maxConcurrency: 1 });
    const first = client.credentials.getStatus('ct_first');
    const ctl = new AbortController();
    const second = client.credentials.getStatus('ct_second', { signal: ctl.signal }).catch((e: unknown) => e);
    await new Promise((r) => setImmediate(r));
    ctl.abort();
    expect(await second).toBeInstanceOf(FlanksAbortError);
    await g.drain(first);
    expect(g.served).toBe(1);
  });

  it('rejects a bad value at construction', () => {
    expect(() => makeClient({ maxConcurrency: 0 })).toThrow(/options\.maxConcurrency/);
    expect(() => makeClient({ maxConcurrency: Number.POSITIVE_INFINITY })).not.toThrow();
  });
});
