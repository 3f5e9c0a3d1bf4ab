import dc from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import type { RunningSandbox, SandboxFaultSpec } from '../../src/testing';
import { pick, streamFor, weighted } from './random';

// The chaos suite's instruments: a fault injector wrapped around a running sandbox's `handle` and
// open-handle trackers. The counter of requests in flight at the client is in ../holding.ts.

export type FaultKind = '5xx' | '429' | 'reset' | 'slow' | 'truncate';
export const FAULT_KINDS: readonly FaultKind[] = ['5xx', '429', 'reset', 'slow', 'truncate'];

/** Marks requests the harness itself sends (revocations, reference reads): never faulted or counted. */
export const EXTERNAL_HEADER = 'x-chaos-external';

export interface InjectorOptions {
  seed: number;
  /** Probability that a request to the API gets a fault. */
  faultRate: number;
  /** Delay of a "slow" fault; more than the client's timeout. */
  slowMs: number;
  /** Maps a secret a request carries (credentials token, link code) to a stable user key. */
  whoIs: (secret: string) => string | undefined;
  /** Token expiries and revocations, each at the nth API request. */
  events: ReadonlyArray<{ at: number; kind: 'expire' | 'revoke' }>;
  /**
   * An event due fewer than this many API requests after the previous one waits until they have
   * passed. Counted in requests, not milliseconds, so the schedule is the same at any machine speed.
   */
  minEventGapRequests?: number;
  /** Revokes the SDK's access token by issuing a new one for the same client from outside. */
  revoke: () => Promise<void>;
}

const KIND_WEIGHTS: ReadonlyArray<readonly [FaultKind, number]> = [
  ['5xx', 3],
  ['429', 2],
  ['reset', 2],
  ['slow', 1.5],
  ['truncate', 1.5],
];

function specFor(kind: FaultKind, random: () => number, slowMs: number): SandboxFaultSpec {
  switch (kind) {
    case '5xx': {
      const status = pick(random, [500, 502, 503, 504]);
      // A gateway in front of Flanks answers HTML, not JSON, now and then.
      return random() < 0.3
        ? { status, body: `<html><body>${status} Bad Gateway</body></html>` }
        : { status };
    }
    case '429':
      return { status: 429, retryAfter: pick(random, [0, 1, '1']) };
    case 'reset':
      return { reset: true };
    case 'slow':
      return { delayMs: slowMs };
    case 'truncate':
      return { truncate: true };
  }
}

/** Who a request is about: the user whose credentials token or link code it carries, else the endpoint. */
function subject(body: unknown, whoIs: InjectorOptions['whoIs']): string {
  if (body !== null && typeof body === 'object') {
    const record = body as Record<string, unknown>;
    for (const field of ['credentials_token', 'code']) {
      const value = record[field];
      if (typeof value === 'string') return whoIs(value) ?? 'unknown';
    }
  }
  return 'shared';
}

export class FaultInjector {
  readonly faults: Record<FaultKind, number> = { '5xx': 0, '429': 0, reset: 0, slow: 0, truncate: 0 };
  readonly faultsByPath: Record<string, number> = {};
  expiries = 0;
  revocations = 0;
  apiRequests = 0;
  unauthorized = 0;
  readonly #seen = new Map<string, number>();
  readonly #pending: Array<Promise<void>> = [];
  readonly #events: Array<{ at: number; kind: 'expire' | 'revoke' }>;
  /** The API request at which the last token event fired. */
  #lastEventAt = Number.NEGATIVE_INFINITY;
  /** Requests answered 401 whose replay has not arrived yet, by method, path and body. */
  readonly #awaitingReplay = new Map<string, number>();
  /** Authenticated requests in a row that were not answered 401. */
  #cleanStreak = 0;
  enabled = true;
  readonly eventLog: string[] = [];

  constructor(
    private readonly running: RunningSandbox,
    private readonly options: InjectorOptions,
  ) {
    this.#events = [...options.events].sort((a, b) => a.at - b.at);
    const sandbox = running.sandbox;
    const original = sandbox.handle.bind(sandbox);
    this.direct = original;
    sandbox.handle = async (request: Request) => {
      if (!this.enabled || request.headers.get(EXTERNAL_HEADER) !== null) return original(request);
      const path = new URL(request.url).pathname.replace(/\/+$/, '') || '/';
      const method = request.method.toUpperCase();
      const text = method === 'GET' || method === 'HEAD' ? '' : await request.text();
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      this.apiRequests += 1;
      const call = `${method} ${path} ${text}`;
      const waiting = this.#awaitingReplay.get(call);
      if (waiting !== undefined) {
        if (waiting <= 1) this.#awaitingReplay.delete(call);
        else this.#awaitingReplay.set(call, waiting - 1);
      }
      this.#fireEvents();
      const key = `${method} ${path} ${subject(body, options.whoIs)}`;
      const nth = (this.#seen.get(key) ?? 0) + 1;
      this.#seen.set(key, nth);
      const random = streamFor(options.seed, key, nth);
      if (random() < options.faultRate) {
        const kind = weighted(random, KIND_WEIGHTS);
        // Scheduled right before this request reaches the sandbox's fault queue, on its exact path.
        sandbox.failNext(path, 1, specFor(kind, random, options.slowMs));
        this.faults[kind] += 1;
        this.faultsByPath[path] = (this.faultsByPath[path] ?? 0) + 1;
      }
      const result = await original(
        new Request(request.url, {
          method,
          headers: request.headers,
          body: text === '' ? undefined : text,
          signal: request.signal,
        }),
      );
      if (result instanceof Response && result.status === 401) {
        this.unauthorized += 1;
        this.#cleanStreak = 0;
        this.#awaitingReplay.set(call, (this.#awaitingReplay.get(call) ?? 0) + 1);
      } else if (request.headers.has('authorization')) {
        this.#cleanStreak += 1;
      }
      return result;
    };
  }

  /** The sandbox's own `handle`, without faults: the reference for "what Flanks would answer". */
  readonly direct: (request: Request) => ReturnType<RunningSandbox['sandbox']['handle']>;

  get totalFaults(): number {
    return FAULT_KINDS.reduce((sum, kind) => sum + this.faults[kind], 0);
  }

  /** Rules scheduled with failNext and not consumed yet (must end at 0: every fault was enacted). */
  get unconsumedFaults(): number {
    const queue = (this.running.sandbox as unknown as { faults: { rules: unknown[] } }).faults;
    return queue.rules.length;
  }

  /**
   * No token event is in progress: the gap since the last one has passed, every request answered 401
   * has been replayed, and the last 20 authenticated requests carried a valid token (the queue holds
   * no request with a dead token). The SDK replays a request only once after a 401, so a second token
   * loss while replays of the first are queued fails them: the `it.fails` tests of load.chaos.ts show
   * it, and the main run waits for quiet moments instead.
   */
  get quiet(): boolean {
    return (
      this.apiRequests - this.#lastEventAt >= (this.options.minEventGapRequests ?? 0) &&
      this.#awaitingReplay.size === 0 &&
      this.#cleanStreak >= 20
    );
  }

  #fireEvents(): void {
    while (this.#events.length > 0 && (this.#events[0]?.at ?? Number.POSITIVE_INFINITY) <= this.apiRequests) {
      if (!this.quiet) return;
      this.#lastEventAt = this.apiRequests;
      const event = this.#events.shift()!;
      this.eventLog.push(`${event.kind}@${this.apiRequests}`);
      if (event.kind === 'expire') {
        this.expiries += 1;
        this.running.sandbox.expireTokens();
      } else {
        this.revocations += 1;
        this.#pending.push(this.options.revoke());
      }
    }
  }

  /** Waits for the revocations sent from outside. */
  async settle(): Promise<void> {
    await Promise.all(this.#pending);
  }
}

/** Counts of `process.getActiveResourcesInfo()` by type. */
export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

/** Resources of the given types open now beyond `baseline`; polls briefly so closing sockets can finish. */
export async function leakedResources(
  baseline: Record<string, number>,
  types: readonly string[] = ['Timeout', 'TCPSocketWrap', 'TCPServerWrap', 'Immediate'],
  waitMs = 2_000,
): Promise<Record<string, number>> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const now = activeResources();
    const leaked: Record<string, number> = {};
    for (const type of types) {
      const extra = (now[type] ?? 0) - (baseline[type] ?? 0);
      if (extra > 0) leaked[type] = extra;
    }
    if (Object.keys(leaked).length === 0 || Date.now() > deadline) return leaked;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Every TCP socket opened while tracking, server side and client side, to check all are closed. */
export function trackSockets(): { server: Socket[]; client: Socket[]; stop(): void } {
  const server: Socket[] = [];
  const client: Socket[] = [];
  const onServer = (message: unknown) => server.push((message as { socket: Socket }).socket);
  const onClient = (message: unknown) => client.push((message as { socket: Socket }).socket);
  dc.subscribe('net.server.socket', onServer);
  dc.subscribe('net.client.socket', onClient);
  return {
    server,
    client,
    stop() {
      dc.unsubscribe('net.server.socket', onServer);
      dc.unsubscribe('net.client.socket', onClient);
    },
  };
}

/** A two-column Markdown table. */
export function table(rows: ReadonlyArray<readonly [string, string | number]>): string {
  const width = Math.max(...rows.map(([k]) => k.length), 'metric'.length);
  const lines = [`| ${'metric'.padEnd(width)} | value |`, `|${'-'.repeat(width + 2)}|-------|`];
  for (const [k, v] of rows) lines.push(`| ${k.padEnd(width)} | ${v} |`);
  return lines.join('\n');
}
