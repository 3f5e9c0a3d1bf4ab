/*
 * Prometheus metrics of a FlanksClient, fed by its events (flanks.on), served on /metrics with
 * prom-client. Each worker process serves its own registry on its own port; Prometheus scrapes every
 * worker and sums across them (`sum by (path, status) (rate(flanks_requests_total[5m]))`), as it does
 * for any multi-process service. The metrics hold method, path template, status, reason and error
 * names only: the events carry no token, code or body, so neither can the exposition.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FlanksClient } from 'flanks-sdk';
import { Counter, Histogram, type Registry } from 'prom-client';

/** Registers the Flanks metrics in `registry` and feeds them from `flanks`' events. */
export function flanksMetrics(flanks: FlanksClient, registry: Registry): Registry {
  const counter = (name: string, help: string, labelNames: string[]) =>
    new Counter({ name, help, labelNames, registers: [registry] });
  const requests = counter(
    'flanks_requests_total',
    'HTTP requests to Flanks, by endpoint and status ("none": no answer: timeout, connection error).',
    ['method', 'path', 'status'],
  );
  const latency = new Histogram({
    name: 'flanks_request_duration_seconds',
    help: 'Time of each HTTP request to Flanks, from sending to the end of the body.',
    labelNames: ['method', 'path'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const retries = counter(
    'flanks_retries_total',
    'Retries of calls to Flanks, by endpoint and reason (rate_limit, server_error, timeout, connection, invalid_json, unauthorized).',
    ['method', 'path', 'reason'],
  );
  const failures = counter(
    'flanks_call_failures_total',
    'Calls to Flanks that failed after their retries, by endpoint and error class.',
    ['method', 'path', 'error'],
  );
  const tokens = counter(
    'flanks_tokens_total',
    'Access tokens this process obtained: fetched or refreshed (a token request to Flanks), or shared (read from the token cache).',
    ['action'],
  );
  flanks
    .on('response', ({ method, path, status, durationMs }) => {
      requests.inc({ method, path, status: status === undefined ? 'none' : String(status) });
      latency.observe({ method, path }, durationMs / 1000);
    })
    .on('retry', ({ method, path, reason }) => retries.inc({ method, path, reason }))
    .on('end', ({ method, path, error }) => {
      if (error) failures.inc({ method, path, error: error.name });
    })
    .on('token', ({ action }) => tokens.inc({ action }));
  return registry;
}

/** Serves `registry` on `GET /metrics` at host:port (port 0: any free port); resolves once listening. */
export async function serveMetrics(
  registry: Registry,
  port: number,
  host = '127.0.0.1',
): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return { url: `http://${host}:${address.port}/metrics`, server };
}

/** One sample of a text exposition: `name{labels} value`. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Reads the samples of a Prometheus text exposition (comments and blank lines skipped). */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line.trim());
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[key as string] = (value as string).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of the samples named `name` whose labels include `labels`, across expositions. */
export function total(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}
