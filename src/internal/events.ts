import { FlanksValidationError } from '../core/errors';
import type { FlanksEventListener, FlanksEventName, FlanksEvents } from '../core/events';
import type { Logger } from '../core/logger';

/*
 * Event dispatch policy (flanks.on / flanks.off):
 * - Listeners run synchronously, in the order they were added, in the flow of the call that emits:
 *   a tracer reading its active context sees the caller's. A listener added or removed during an
 *   emit takes effect from the next emit.
 * - A listener never breaks or delays a call: what it throws is caught, what it returns is never
 *   awaited, and a promise it returns gets a rejection handler. A failing listener is reported once
 *   through the logger (a listener called on every request would otherwise flood it), scrubbed of
 *   the client's secrets.
 * - No listener, no cost: emitters check `has(name)` before building a payload, and an event without
 *   listeners holds no array. Payloads are frozen: listeners share them.
 */

const NAMES: ReadonlySet<string> = new Set<FlanksEventName>(['request', 'response', 'retry', 'end', 'token']);

type AnyListener = (event: never) => unknown;

export class Emitter {
  readonly #listeners: { [E in FlanksEventName]?: ReadonlyArray<FlanksEventListener<E>> } = {};
  readonly #reported = new WeakSet<AnyListener>();
  readonly #logger: Logger;
  readonly #redact: (text: string) => string;

  constructor(logger: Logger, redact: (text: string) => string) {
    this.#logger = logger;
    this.#redact = redact;
  }

  on<E extends FlanksEventName>(name: E, listener: FlanksEventListener<E>): void {
    check(name, listener);
    const current = (this.#listeners[name] ?? []) as ReadonlyArray<FlanksEventListener<E>>;
    // A new array each time: an emit in progress keeps iterating the one it started with.
    (this.#listeners as Record<string, unknown>)[name] = [...current, listener];
  }

  off<E extends FlanksEventName>(name: E, listener: FlanksEventListener<E>): void {
    check(name, listener);
    const current = this.#listeners[name] as ReadonlyArray<FlanksEventListener<E>> | undefined;
    if (!current) return;
    const at = current.lastIndexOf(listener);
    if (at < 0) return;
    const rest = [...current.slice(0, at), ...current.slice(at + 1)];
    (this.#listeners as Record<string, unknown>)[name] = rest.length > 0 ? rest : undefined;
  }

  has(name: FlanksEventName): boolean {
    return this.#listeners[name] !== undefined;
  }

  emit<E extends FlanksEventName>(name: E, payload: FlanksEvents[E]): void {
    const listeners = this.#listeners[name] as ReadonlyArray<FlanksEventListener<E>> | undefined;
    if (!listeners) return;
    Object.freeze(payload);
    for (const listener of listeners) {
      try {
        const result = listener(payload);
        if (result !== null && typeof (result as PromiseLike<unknown>)?.then === 'function') {
          (result as PromiseLike<unknown>).then(undefined, (error: unknown) =>
            this.#failed(name, listener, error),
          );
        }
      } catch (error) {
        this.#failed(name, listener, error);
      }
    }
  }

  #failed(name: FlanksEventName, listener: AnyListener, error: unknown): void {
    if (this.#reported.has(listener)) return;
    this.#reported.add(listener);
    const what = error instanceof Error ? `${error.name}: ${error.message}` : typeof error;
    this.#logger.warn(
      `[flanks-sdk] a '${name}' listener failed (${this.#redact(what)}); the call went on. Further failures of this listener are not logged.`,
    );
  }
}

function check(name: unknown, listener: unknown): void {
  if (typeof name !== 'string' || !NAMES.has(name)) {
    throw new FlanksValidationError(`event must be one of ${[...NAMES].map((n) => `'${n}'`).join(', ')}.`, {
      path: 'event',
    });
  }
  if (typeof listener !== 'function') {
    throw new FlanksValidationError('listener must be a function.', { path: 'listener' });
  }
}
