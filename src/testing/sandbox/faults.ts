import { MAX_TIMER_MS, requireNumber, requireObject } from '../../internal/args';
// Scheduled faults for `failNext`. Rules are consumed first-in, first-out, so a test can script a
// sequence ("two 429s on status, then one reset anywhere") and read it top to bottom.

import { json } from './http';
import type { SandboxFaultSpec } from './types';

interface FaultRule {
  match: string;
  remaining: number;
  fault: SandboxFaultSpec;
}

const REASONS: Record<number, string> = {
  400: 'Bad request',
  401: 'Invalid credentials',
  403: 'access_denied',
  404: 'Not found',
  409: 'Conflict',
  429: 'Too many requests',
  500: 'Internal Error',
  502: 'Bad gateway',
  503: 'Service unavailable',
  504: 'Gateway timeout',
};

export class FaultQueue {
  private rules: FaultRule[] = [];

  add(match: string, times: number, fault: SandboxFaultSpec): void {
    requireNumber(times, 'times', { min: 1, integer: true });
    requireObject(fault, 'fault');
    if ('status' in fault) requireNumber(fault.status, 'fault.status', { min: 100, max: 599, integer: true });
    if ('delayMs' in fault) requireNumber(fault.delayMs, 'fault.delayMs', { max: MAX_TIMER_MS });
    this.rules.push({ match, remaining: times, fault });
  }

  /** The next fault scheduled for `path`, consuming one use of its rule. */
  take(path: string): SandboxFaultSpec | undefined {
    const rule = this.rules.find((r) => r.match === '*' || r.match === path);
    if (!rule) return undefined;
    rule.remaining -= 1;
    if (rule.remaining === 0) this.rules = this.rules.filter((r) => r !== rule);
    return rule.fault;
  }

  clear(): void {
    this.rules = [];
  }
}

export function statusFault(fault: {
  status: number;
  body?: unknown;
  retryAfter?: number | string;
}): Response {
  const headers: Record<string, string> = {};
  if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
  if (typeof fault.body === 'string') {
    return new Response(fault.body, {
      status: fault.status,
      headers: { 'content-type': 'text/plain', ...headers },
    });
  }
  const body = fault.body ?? { error: REASONS[fault.status] ?? `HTTP ${fault.status}` };
  return json(body, fault.status, headers);
}
