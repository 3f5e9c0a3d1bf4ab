import type * as z from 'zod/mini';
import { FlanksValidationError } from '../core/errors';
import type { Logger } from '../core/logger';

/**
 * How strictly responses are checked against their schemas.
 * - `warn` (default): check, log the first mismatch of each schema once per client, return the data.
 *   Arrays longer than 500 items are checked on a sample to stay fast.
 * - `strict`: check every item; a mismatch throws `FlanksValidationError` naming the field.
 * - `off`: no checks.
 *
 * In every mode unknown fields pass through and the data returned is Flanks' own JSON.
 *
 * @example
 * ```ts
 * const flanks = new FlanksClient({ validation: process.env.NODE_ENV === 'test' ? 'strict' : 'warn' });
 * ```
 * @see https://docs.flanks.io/pages/data-model
 */
export type ValidationMode = 'strict' | 'warn' | 'off';

/*
 * Sampling in `warn` mode: 100k transactions cost about as much to validate as to fetch, and `warn`
 * only exists to tell the developer that Flanks changed a shape, which a sample of a few hundred
 * items shows as well as the whole array. Head and tail catch ordering-dependent drift; a stride
 * over the middle catches the rest.
 */
export const SAMPLE_THRESHOLD = 500;
const SAMPLE_HEAD = 200;
const SAMPLE_TAIL = 100;
const SAMPLE_STRIDE_COUNT = 200;

/** What a response must look like: one `schema` value, or an array of them (`many`). */
export interface ResponseShape<T> {
  /** Human name for messages, e.g. `Portfolio`. */
  readonly name: string;
  readonly schema: z.ZodMiniType;
  readonly many: boolean;
  /** Type-level only: the validated value's type. */
  readonly _type?: T;
}

export const one = <S extends z.ZodMiniType>(name: string, schema: S): ResponseShape<z.infer<S>> => ({
  name,
  schema,
  many: false,
});

export const many = <S extends z.ZodMiniType>(name: string, schema: S): ResponseShape<Array<z.infer<S>>> => ({
  name,
  schema,
  many: true,
});

function formatPath(path: readonly PropertyKey[]): string {
  let out = 'response';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `.${String(key)}`;
  return out;
}

function sampleIndexes(length: number): number[] {
  const picked = new Set<number>();
  for (let i = 0; i < Math.min(SAMPLE_HEAD, length); i++) picked.add(i);
  for (let i = Math.max(0, length - SAMPLE_TAIL); i < length; i++) picked.add(i);
  const stride = Math.max(1, Math.floor(length / SAMPLE_STRIDE_COUNT));
  for (let i = SAMPLE_HEAD; i < length - SAMPLE_TAIL; i += stride) picked.add(i);
  return [...picked];
}

export class Validator {
  readonly #warned = new Set<string>();

  constructor(
    readonly mode: ValidationMode,
    private readonly logger: Logger,
  ) {}

  check<T>(shape: ResponseShape<T>, data: unknown): T {
    if (this.mode === 'off') return data as T;
    // `warn` reports a schema once per client: once it has, checking it again can change nothing.
    if (this.mode === 'warn' && this.#warned.has(shape.name)) return data as T;
    if (!shape.many) {
      this.#checkItem(shape, data, undefined);
      return data as T;
    }
    if (!Array.isArray(data)) {
      this.#fail(
        shape,
        `expected an array of ${shape.name}, got ${data === null ? 'null' : typeof data}`,
        [],
      );
      return data as T;
    }
    // Indexes are walked directly rather than collected: this runs on every response.
    if (this.mode === 'warn' && data.length > SAMPLE_THRESHOLD) {
      for (const i of sampleIndexes(data.length)) if (!this.#checkItem(shape, data[i], i)) break;
    } else {
      for (let i = 0; i < data.length; i++) if (!this.#checkItem(shape, data[i], i)) break;
    }
    return data as T;
  }

  /** Checks one value; on a mismatch reports it (or throws in `strict`) and returns false. */
  #checkItem(shape: ResponseShape<unknown>, item: unknown, index: number | undefined): boolean {
    const result = shape.schema.safeParse(item);
    if (result.success) return true;
    const issue = result.error.issues[0];
    const path = index === undefined ? (issue?.path ?? []) : [index, ...(issue?.path ?? [])];
    this.#fail(shape, issue?.message ?? 'invalid value', path);
    return false;
  }

  #fail(shape: ResponseShape<unknown>, problem: string, path: readonly PropertyKey[]): void {
    const where = formatPath(path);
    const message = `Flanks response did not match the ${shape.name} schema at ${where}: ${problem}.`;
    if (this.mode === 'strict') {
      throw new FlanksValidationError(
        `${message} Flanks may have changed this API; use validation: 'warn' to accept it while you report it.`,
        { path: where },
      );
    }
    if (this.#warned.has(shape.name)) return;
    this.#warned.add(shape.name);
    this.logger.warn(
      `[flanks-sdk] ${message} The data is returned as received (validation: 'warn'); this warning is shown once per schema.`,
    );
  }
}
