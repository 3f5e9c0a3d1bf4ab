import { afterEach, describe, expect, it, vi } from 'vitest';
import { FlanksClient, FlanksError } from '../../src';
import { spyLogger } from '../helpers';

// The client refuses to start where its client secret would be shipped to the user's device: a
// browser page, and (security review, issue 12, finding 8) a browser worker of any kind. Each case
// recreates the globals that runtime has (measured in Chromium, Deno 2.9, Bun 1.4, Node and workerd);
// test/browser/worker-guard.browser.test.ts runs the built bundle in real Chromium workers.

afterEach(() => vi.unstubAllGlobals());

const client = (dangerouslyAllowBrowser?: boolean) =>
  new FlanksClient({ clientId: 'i', clientSecret: 's', logger: spyLogger(), dangerouslyAllowBrowser });

/** A stand-in for a global-scope class (WorkerGlobalScope …) whose instance the global object is. */
function scopeClass(): unknown {
  const scope = () => undefined;
  Object.defineProperty(scope, Symbol.hasInstance, { value: (value: unknown) => value === globalThis });
  return scope;
}

const noop = () => undefined;
const GLOBAL_SETS: Record<string, Record<string, unknown>> = {
  'a browser page': { window: {}, document: {} },
  'a dedicated Web Worker (classic or module)': {
    self: globalThis,
    WorkerGlobalScope: scopeClass(),
    DedicatedWorkerGlobalScope: scopeClass(),
    importScripts: noop,
  },
  'a shared worker': {
    self: globalThis,
    WorkerGlobalScope: scopeClass(),
    SharedWorkerGlobalScope: scopeClass(),
    importScripts: noop,
  },
  'a Service Worker': {
    self: globalThis,
    WorkerGlobalScope: scopeClass(),
    ServiceWorkerGlobalScope: scopeClass(),
    importScripts: noop,
    registration: {},
    clients: {},
  },
  'a Service Worker without importScripts (a future browser)': {
    self: globalThis,
    WorkerGlobalScope: scopeClass(),
    ServiceWorkerGlobalScope: scopeClass(),
    registration: {},
  },
};
const SERVER_SETS: Record<string, Record<string, unknown>> = {
  'Node (no window, no document)': { window: undefined, document: undefined },
  'Bun / Deno main thread (self, no WorkerGlobalScope)': { self: globalThis },
  'a Deno worker (WorkerGlobalScope, no importScripts)': {
    self: globalThis,
    WorkerGlobalScope: scopeClass(),
    DedicatedWorkerGlobalScope: scopeClass(),
  },
  'Cloudflare workerd (a ServiceWorkerGlobalScope, no importScripts, no registration)': {
    self: globalThis,
    WorkerGlobalScope: scopeClass(),
    ServiceWorkerGlobalScope: scopeClass(),
  },
};

function stub(globals: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(globals)) vi.stubGlobal(name, value);
}

describe('browser guard', () => {
  it.each(Object.entries(GLOBAL_SETS))(
    'refuses to start in %s, unless dangerouslyAllowBrowser',
    (_where, globals) => {
      stub(globals);
      expect(() => client()).toThrow(FlanksError);
      expect(() => client()).toThrow(/client secret would be readable/);
      expect(() => client()).toThrow(/dangerouslyAllowBrowser: true/);
      expect(() => client(true)).not.toThrow();
    },
  );

  it.each(Object.entries(SERVER_SETS))('starts in %s', (_where, globals) => {
    stub(globals);
    expect(() => client()).not.toThrow();
  });
});
