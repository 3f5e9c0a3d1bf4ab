import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { FlanksAbortError } from '../../src';
import { BASE, makeClient, server, tokenRoute, useMsw } from '../helpers';
import { countingFetch, HeldRequests } from '../holding';

useMsw();

/**
 * A status endpoint that holds every request until the test lets it through (see HeldRequests), and
 * a client whose requests in flight are counted where it sends them.
 */
function gate(options: { maxConcurrency?: number } = {}) {
  const requests = new HeldRequests();
  server.use(
    http.post(`${BASE}/v0/bank/credentials/status`, async () => {
      await requests.hold();
      return HttpResponse.json({ pending: false });
    }),
  );
  const counter = countingFetch();
  return { requests, counter, client: makeClient({ ...options, fetch: counter.fetch }) };
}

describe('maxConcurrency', () => {
  // The server answers only once a full batch of `cap` requests is in flight, so the cap is reached
  // whatever the machine's speed, and a request beyond it would be counted at both ends.
  it.each([
    { cap: 4, calls: 60, options: { maxConcurrency: 4 } },
    { cap: 8, calls: 30, options: {} },
  ])(
    'caps requests in flight at $cap (options $options); the rest queue and all complete',
    async ({ cap, calls, options }) => {
      tokenRoute();
      const { requests, counter, client } = gate(options);
      const all = Promise.all(
        Array.from({ length: calls }, (_, i) => client.credentials.getStatus(`ct_${i}`)),
      );
      await requests.serveInBatches(calls, cap, () => counter.inFlight);
      expect((await all).length).toBe(calls);
      expect(requests.peak).toBe(cap);
      expect(counter.peak).toBe(cap);
      expect(requests.served).toBe(calls);
    },
  );

  it('a queued call whose signal aborts leaves the queue without sending', async () => {
    tokenRoute();
    const { requests, client } = gate({ maxConcurrency: 1 });
    const first = client.credentials.getStatus('ct_first');
    const ctl = new AbortController();
    const second = client.credentials.getStatus('ct_second', { signal: ctl.signal }).catch((e: unknown) => e);
    await requests.arrived(1);
    ctl.abort();
    expect(await second).toBeInstanceOf(FlanksAbortError);
    requests.releaseAll();
    await first;
    expect(requests.served).toBe(1);
    expect(requests.peak).toBe(1);
  });

  it('rejects a bad value at construction', () => {
    expect(() => makeClient({ maxConcurrency: 0 })).toThrow(/options\.maxConcurrency/);
    expect(() => makeClient({ maxConcurrency: Number.POSITIVE_INFINITY })).not.toThrow();
  });
});
