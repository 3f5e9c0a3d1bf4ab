import type * as z from 'zod/mini';
import { envelopeOf } from '../core/envelope';
import { FlanksValidationError, type ShapeIssue, type ShapeReport } from '../core/errors';
import type { Logger } from '../core/logger';
import { VERSION } from '../version';
import { arrayOf, coerce, describeShape, jsonType, keyStep, type SchemaNode, schemaNode } from './shape';

/**
 * How strictly responses are checked against their schemas.
 * - `warn` (default): numeric strings become numbers on every item; the response is checked (arrays
 *   longer than 500 items on a sample, plus every item whose numbers could not be read); each new
 *   mismatch is logged once per process with a redacted shape report; the data is returned.
 * - `strict`: the same, but every item is checked and a mismatch throws `FlanksValidationError`
 *   (with `path` and the shape `report`).
 * - `off`: no checks, no coercion: the body exactly as Flanks sent it.
 *
 * In every mode unknown fields pass through and no value Flanks sent is dropped or replaced.
 *
 * @example
 * ```ts
 * const flanks = new FlanksClient({ validation: process.env.NODE_ENV === 'test' ? 'strict' : 'warn' });
 * ```
 * @see https://docs.flanks.io/pages/data-model
 */
export type ValidationMode = 'strict' | 'warn' | 'off';

/*
 * Validation policy.
 * - Coercion runs on every item in `warn` and `strict`: a type must hold for the whole array, and
 *   the pass is cheap (it visits only the positions that hold numbers).
 * - Full zod checks are sampled in `warn` for arrays over SAMPLE_THRESHOLD items: 100k transactions
 *   cost about as much to check as to fetch, and `warn` exists to tell the developer a shape changed,
 *   which a few hundred items show as well as the whole array. Head and tail catch ordering-dependent
 *   drift; a stride over the middle catches the rest; items whose numbers could not be read are
 *   always checked, so no unreadable number goes unreported.
 * - `warn` logs each (endpoint, issue) once per process, not per client: a fleet of clients must not
 *   repeat the same warning, and a new issue on an endpoint that already warned is still shown.
 * - Reports never hold a value of the response (see shape.ts for how keys are treated).
 */
export const SAMPLE_THRESHOLD = 500;
const SAMPLE_HEAD = 200;
const SAMPLE_TAIL = 100;
const SAMPLE_STRIDE_COUNT = 200;
const MAX_ISSUES = 50;
/** Bounds the process-wide memory of issues already logged. */
const MAX_REMEMBERED = 10_000;
const reported = new Set<string>();

/**
 * Thrown by a response's unwrap function for a body it cannot use at all; the transport turns it into
 * a `FlanksValidationError` carrying the shape report, in every validation mode.
 */
export class UnusableResponse extends Error {
  constructor(
    /** What the body should have been, e.g. `an object with a list under "items"`. */
    readonly expected: string,
    readonly path = 'response',
    /** A sentence for the message (no secret), e.g. which object it was. */
    readonly detail = '',
  ) {
    // The transport turns it into a FlanksValidationError: this message shows only in a stack trace.
    // Stryker disable next-line StringLiteral: equivalent, see above
    super(`unusable response: expected ${expected} at ${path}`);
  }
}

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

function sampleIndexes(length: number, always: readonly number[]): number[] {
  const picked = new Set<number>();
  // Sampling applies only above SAMPLE_THRESHOLD items, so head, stride and tail meet: the head's
  // end is the stride's first index and the stride's end the tail's first. Moving either bound by
  // one adds an index already picked.
  // Stryker disable next-line EqualityOperator: equivalent, see above
  for (let i = 0; i < Math.min(SAMPLE_HEAD, length); i++) picked.add(i);
  for (let i = Math.max(0, length - SAMPLE_TAIL); i < length; i++) picked.add(i);
  const stride = Math.max(1, Math.floor(length / SAMPLE_STRIDE_COUNT));
  // Stryker disable next-line EqualityOperator: equivalent, see above
  for (let i = SAMPLE_HEAD; i < length - SAMPLE_TAIL; i += stride) picked.add(i);
  for (const i of always) picked.add(i);
  return [...picked].sort((a, b) => a - b);
}

interface ZodIssue {
  code: string;
  path: PropertyKey[];
  expected?: string;
  origin?: string;
  minimum?: unknown;
  errors?: ZodIssue[][];
}

/** What the schema wanted, from the schema's side of the issue only (never the received value). */
function expectedOf(issue: ZodIssue): string {
  if (issue.code === 'invalid_type') return issue.expected ?? issue.code;
  if (issue.code === 'too_small') return `${issue.origin} of at least ${String(issue.minimum)}`;
  // A union (e.g. an id that is a number or a string): what each branch wanted at this position.
  if (issue.errors) {
    // A branch that failed has at least one issue.
    const branch = ([first]: ZodIssue[]) =>
      first!.path.length ? (typeof first!.path[0] === 'number' ? 'array' : 'object') : expectedOf(first!);
    return [...new Set(issue.errors.map(branch))].join(' or ');
  }
  return issue.code;
}

/** A collector of the issues of one response, in the redacted form reports use. */
class Issues {
  readonly list: ShapeIssue[] = [];
  readonly #byKey = new Map<string, ShapeIssue>();
  /** The first issue's path with concrete indexes, for `FlanksValidationError.path`. */
  firstPath: string | undefined;
  /**
   * The indexes of the items with issues, for the shape report of a `many` response (the only kind
   * that reads them, and the only one that gives an index).
   */
  // Stryker disable next-line ArrayDeclaration: equivalent, a non-index is no item of the array
  readonly items: number[] = [];

  constructor(readonly node: SchemaNode) {}

  add(issues: readonly ZodIssue[], item: unknown, index: number | undefined): void {
    // Stryker disable next-line ConditionalExpression: equivalent, see `items`
    if (index !== undefined) this.items.push(index);
    for (const issue of issues) {
      let at: SchemaNode | undefined = this.node;
      let value = item;
      let path = index === undefined ? 'response' : 'response[]';
      let concrete = index === undefined ? 'response' : `response[${index}]`;
      for (const segment of issue.path) {
        if (typeof segment === 'number') {
          path += '[]';
          concrete += `[${segment}]`;
          at = at?.element;
        } else {
          const step = keyStep(at, String(segment));
          path += `.${step.label}`;
          concrete += `.${step.label}`;
          at = step.child;
        }
        value =
          // zod reports an issue below a position only when the value there is an object or an array.
          // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent, see above
          value !== null && typeof value === 'object'
            ? (value as Record<PropertyKey, unknown>)[segment]
            : undefined;
      }
      const expected = expectedOf(issue);
      const received = jsonType(value);
      const key = `${path}|${expected}|${received}`;
      const existing = this.#byKey.get(key);
      if (existing) existing.count++;
      else if (this.list.length < MAX_ISSUES) {
        const added = { path, expected, received, count: 1 };
        this.#byKey.set(key, added);
        this.list.push(added);
      }
      this.firstPath ??= concrete;
    }
  }
}

const describe = (issue: ShapeIssue) =>
  `${issue.path}: expected ${issue.expected}, received ${issue.received}`;

export class Validator {
  constructor(
    readonly mode: ValidationMode,
    private readonly logger: Logger,
  ) {}

  /**
   * Coerces numeric strings in `data` (in place) and checks it against `shape`; in `strict` a mismatch
   * throws, in `warn` it is logged once per process. Returns `data`.
   */
  check<T>(shape: ResponseShape<T>, data: unknown, endpoint: string): T {
    if (this.mode === 'off') return data as T;
    const node = schemaNode(shape.schema);
    const issues = new Issues(node);
    if (!shape.many) {
      // The flag marks items to check in a sample; a single value is always checked.
      // Stryker disable next-line ObjectLiteral,BooleanLiteral: equivalent, see above
      const value = node.coerces ? coerce(node, data, { bad: false }) : data;
      const result = shape.schema.safeParse(value);
      if (!result.success) issues.add(result.error.issues as ZodIssue[], value, undefined);
      this.#settle(shape, issues, value, endpoint);
      return value as T;
    }
    if (!Array.isArray(data)) {
      throw this.mismatch(shape, data, endpoint, `an array of ${shape.name}`);
    }
    const flagged: number[] = [];
    // Coercion below a node that holds no number gives every value back as it is: the test saves time.
    // Stryker disable next-line ConditionalExpression: equivalent, see above
    if (node.coerces) {
      // Starting it true (or unset) flags item 0 or nothing, and item 0 is always checked.
      // Stryker disable next-line ObjectLiteral,BooleanLiteral: equivalent, see above
      const flag = { bad: false };
      // Past the end is undefined, which coerce gives back as it is.
      // Stryker disable next-line EqualityOperator: equivalent, see above
      for (let i = 0; i < data.length; i++) {
        const item = data[i];
        const next = coerce(node, item, flag);
        // Stryker disable next-line ConditionalExpression: equivalent when true, the guard only spares a write
        if (next !== item) data[i] = next;
        if (flag.bad) {
          flagged.push(i);
          flag.bad = false;
        }
      }
    }
    const check = (i: number) => {
      const result = shape.schema.safeParse(data[i]);
      if (!result.success) issues.add(result.error.issues as ZodIssue[], data[i], i);
    };
    if (this.mode === 'warn' && data.length > SAMPLE_THRESHOLD) {
      for (const i of sampleIndexes(data.length, flagged)) check(i);
    } else {
      for (let i = 0; i < data.length; i++) check(i);
    }
    this.#settle(shape, issues, data, endpoint);
    return data as T;
  }

  /**
   * The error for a response the SDK cannot use at all (wrong kind of body, missing envelope), in any
   * mode, carrying its shape report.
   */
  mismatch(
    shape: ResponseShape<unknown>,
    body: unknown,
    endpoint: string,
    expected: string,
    path = 'response',
    detail = '',
  ): FlanksValidationError {
    let received = body;
    for (const key of path.split('.').slice(1)) {
      received =
        received !== null && typeof received === 'object'
          ? (received as Record<string, unknown>)[key]
          : undefined;
    }
    const issue = { path, expected, received: jsonType(received), count: 1 };
    const report = this.#report(
      shape,
      [issue],
      body,
      schemaNode(shape.schema),
      endpoint,
      // Stryker disable next-line ArrayDeclaration: equivalent, a non-index is no item of the array
      [],
    );
    return new FlanksValidationError(
      `Flanks ${endpoint} answered with ${issue.received === 'array' ? 'an array' : issue.received} at ${path} where ${expected} was expected. ${detail}Flanks may have changed this API; please report it (the error's \`report\` describes the response without its values).`,
      { path, report },
    );
  }

  #settle(shape: ResponseShape<unknown>, issues: Issues, data: unknown, endpoint: string): void {
    if (issues.list.length === 0) return;
    const report = () =>
      // Stryker disable next-line ArrayDeclaration: equivalent, a non-index is no item of the array
      this.#report(shape, issues.list, data, issues.node, endpoint, shape.many ? issues.items : []);
    const summary = issues.list.map(describe).join('; ');
    if (this.mode === 'strict') {
      throw new FlanksValidationError(
        `Flanks response to ${endpoint} did not match the ${shape.name} schema at ${issues.firstPath}: ${summary}. Flanks may have changed this API; use validation: 'warn' to accept it while you report it (the error's \`report\` describes the response without its values).`,
        { path: issues.firstPath, report: report() },
      );
    }
    const fresh = issues.list.filter((issue) => {
      const key = `${endpoint}|${issue.path}|${issue.expected}|${issue.received}`;
      if (reported.has(key) || reported.size >= MAX_REMEMBERED) return false;
      reported.add(key);
      return true;
    });
    if (fresh.length === 0) return;
    this.logger.warn(
      `[flanks-sdk] Flanks response to ${endpoint} did not match the ${shape.name} schema: ${fresh.map(describe).join('; ')}. The data is returned as received (validation: 'warn'); each issue is logged once per process. Please report it with the shape report below (no values of the response are in it), or run \`npx flanks-sdk doctor\`.`,
      report(),
    );
  }

  #report(
    shape: ResponseShape<unknown>,
    issues: ShapeIssue[],
    data: unknown,
    node: SchemaNode | undefined,
    endpoint: string,
    items: readonly number[],
  ): ShapeReport {
    const described = describeShape(node && shape.many ? arrayOf(node) : node, data, 'response', items);
    const envelope = envelopeOf(data);
    return {
      sdk: 'flanks-sdk',
      sdkVersion: VERSION,
      endpoint,
      schema: shape.name,
      validation: this.mode,
      issues,
      shape: described.shape,
      ...(envelope ? { envelope: describeShape(undefined, envelope, 'envelope').shape } : {}),
      ...(described.truncated ? { truncated: true } : {}),
    };
  }
}
