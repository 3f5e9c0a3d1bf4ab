import type * as z from 'zod/mini';

/*
 * What a response schema says about each position of a response, derived once per schema by walking
 * its zod/mini definition, and the two passes that use it: numeric coercion and shape description.
 *
 * Numeric coercion rules (docs/api-notes.md, "Numbers"):
 * - Only where the schema expects a number and accepts no string (a `number | string` id stays as sent).
 * - A numeric string is an optional sign, digits with an optional fraction (or a bare fraction), and an
 *   optional exponent, with nothing around it: "-50.00", "1500.5", "+3", ".5", "1e3". No whitespace,
 *   no thousands separators, no decimal comma, no "", "NaN" or "Infinity"; the result must be finite.
 * - It becomes the nearest double, as a JSON number would. Anything else is left as sent, and the
 *   item is flagged so that the validator checks it and reports the mismatch.
 * - The value is changed in place: the object is the freshly parsed JSON, which the SDK owns.
 *
 * Shape description rules (the `shape` of a report): a path per position with the JSON types seen
 * there, and no value at all. Array indexes become `[]` (items merged). A key is shown as is when the
 * schema declares it at that position, or, at a position the schema does not describe, when it looks
 * like a field name (letters and underscores only, up to 40); a key of a record (`extra`, `labels`)
 * and any other key (with digits, dashes, dots, spaces …: ids, IBANs, e-mails used as keys) becomes
 * `<key>`, because keys can be data too.
 */

export interface SchemaNode {
  /** A number is expected here and no string is accepted: numeric strings become numbers. */
  number: boolean;
  /** Keys the schema declares at this position. */
  fields: Map<string, SchemaNode>;
  /** The declared keys whose subtree holds a number to coerce, and their nodes (same order). */
  coercingKeys: string[];
  coercingNodes: SchemaNode[];
  /** Items of an array. */
  element: SchemaNode | undefined;
  /** Values of a record (whose keys are data). */
  values: SchemaNode | undefined;
  /** Something at or below this position may need coercion. */
  coerces: boolean;
}

const emptyNode = (): SchemaNode => ({
  number: false,
  fields: new Map(),
  coercingKeys: [],
  coercingNodes: [],
  element: undefined,
  values: undefined,
  // `finish` sets it on every node a schema is built into.
  // Stryker disable next-line BooleanLiteral: equivalent, see above
  coerces: false,
});

type Def = { type: string } & Record<string, unknown>;
const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def;

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'nonoptional', 'catch']);
const STRING_KINDS = new Set(['string', 'literal', 'enum', 'template_literal', 'unknown', 'any']);

/** Whether the schema (through its wrappers) accepts some string as is. */
function acceptsString(schema: unknown): boolean {
  const def = defOf(schema);
  if (WRAPPERS.has(def.type)) return acceptsString(def.innerType);
  if (def.type === 'union') return (def.options as unknown[]).some(acceptsString);
  return STRING_KINDS.has(def.type);
}

function merge(into: SchemaNode, from: SchemaNode): void {
  into.number ||= from.number;
  for (const [key, child] of from.fields) {
    const existing = into.fields.get(key);
    if (existing) merge(existing, child);
    else into.fields.set(key, child);
  }
  if (from.element) {
    into.element ??= emptyNode();
    merge(into.element, from.element);
  }
  if (from.values) {
    into.values ??= emptyNode();
    merge(into.values, from.values);
  }
}

function build(schema: unknown): SchemaNode {
  const def = defOf(schema);
  if (WRAPPERS.has(def.type)) return build(def.innerType);
  const node = emptyNode();
  switch (def.type) {
    case 'pipe':
      return build(def.in);
    case 'number':
      node.number = true;
      break;
    case 'object':
      for (const [key, child] of Object.entries(def.shape as Record<string, unknown>)) {
        node.fields.set(key, build(child));
      }
      break;
    case 'array':
      node.element = build(def.element);
      break;
    case 'record':
      node.values = build(def.valueType);
      break;
    case 'union': {
      const options = def.options as unknown[];
      for (const option of options) merge(node, build(option));
      // A union that accepts a string (e.g. an id sent as a number or a string) keeps strings.
      if (options.some(acceptsString)) node.number = false;
      break;
    }
    case 'intersection':
      merge(node, build(def.left));
      merge(node, build(def.right));
      break;
  }
  return node;
}

/*
 * Sets `coerces` and the coercing keys below `node`. `build` makes a fresh node for every position,
 * so each node is finished once. `coerces` only lets the passes skip subtrees that hold no number: a
 * node that claimed one without holding it would cost time, not change a result.
 */
function finish(node: SchemaNode): boolean {
  for (const [key, child] of node.fields) {
    if (!finish(child)) continue;
    node.coercingKeys.push(key);
    node.coercingNodes.push(child);
  }
  // Stryker disable next-line BooleanLiteral: equivalent, see above
  const element = node.element ? finish(node.element) : false;
  // Stryker disable next-line BooleanLiteral: equivalent, see above
  const values = node.values ? finish(node.values) : false;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, see above
  node.coerces = node.number || node.coercingKeys.length > 0 || element || values;
  return node.coerces;
}

/** The node of an array of `element`s (for `many` responses, whose schema is the item's). */
export function arrayOf(element: SchemaNode): SchemaNode {
  return { ...emptyNode(), element, coerces: element.coerces };
}

const cache = new WeakMap<object, SchemaNode>();

/** The node of a response schema, built on first use and cached per schema. */
export function schemaNode(schema: z.ZodMiniType): SchemaNode {
  let node = cache.get(schema);
  if (!node) {
    node = build(schema);
    finish(node);
    cache.set(schema, node);
  }
  return node;
}

const NUMERIC = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The number a numeric string stands for (see the rules above), or undefined. */
export function numericValue(text: string): number | undefined {
  if (!NUMERIC.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * Coerces numeric strings to numbers below `node`, in place; returns the value to store at this
 * position (a new number, or `value` itself). Sets `flag.bad` when a number position holds something
 * that is neither a number, a numeric string nor null: the caller then validates that item in full.
 */
export function coerce(node: SchemaNode, value: unknown, flag: { bad: boolean }): unknown {
  if (
    node.number &&
    typeof value !== 'number' &&
    value !== null &&
    // Parsed JSON holds no undefined in an array or a record, and a field that is absent is skipped
    // below; only a whole `one` response can be undefined, and its flag is not read.
    // Stryker disable next-line ConditionalExpression: equivalent, see above
    value !== undefined
  ) {
    if (typeof value === 'string') {
      const number = numericValue(value);
      if (number !== undefined) return number;
    }
    flag.bad = true;
  }
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const element = node.element;
    if (element?.coerces) {
      // Past the end is undefined, which coerce gives back as it is.
      // Stryker disable next-line EqualityOperator: equivalent, see above
      for (let i = 0; i < value.length; i++) {
        const item = value[i];
        const next = coerce(element, item, flag);
        // Writing back the same value changes nothing: the guard only spares the write.
        // Stryker disable next-line ConditionalExpression: equivalent, see above
        if (next !== item) value[i] = next;
      }
    }
    return value;
  }
  // Indexed loops, no destructuring: this runs on every item of every response, and an iterator per
  // item is garbage that a 100k-item answer would pile up.
  const record = value as Record<string, unknown>;
  const keys = node.coercingKeys;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const item = record[key];
    // The common case, a number (or nothing), costs no call: coerce would give it back as it is.
    // (The keyed load itself still boxes a double: about 16 bytes of young garbage per number field
    // per item, measured in docs/benchmarks.md.)
    // Stryker disable next-line ConditionalExpression,LogicalOperator,StringLiteral: equivalent, a shortcut, see above
    if (item === undefined || item === null || typeof item === 'number') continue;
    const next = coerce(node.coercingNodes[i] as SchemaNode, item, flag);
    // Stryker disable next-line ConditionalExpression: equivalent, the guard only spares a write
    if (next !== item) record[key] = next;
  }
  const values = node.values;
  if (values?.coerces) {
    for (const key of Object.keys(record)) {
      if (node.fields.has(key)) continue;
      const item = record[key];
      const next = coerce(values, item, flag);
      // Stryker disable next-line ConditionalExpression: equivalent, the guard only spares a write
      if (next !== item) record[key] = next;
    }
  }
  return value;
}

/** A value's JSON type: `string`, `number`, `boolean`, `null`, `array`, `object`, or `missing`. */
export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'missing';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

const FIELD_NAME = /^[A-Za-z_]{1,40}$/;
export const KEY_PLACEHOLDER = '<key>';

/** How a key is shown in a path, and the node below it. */
export function keyStep(
  node: SchemaNode | undefined,
  key: string,
): { label: string; child: SchemaNode | undefined } {
  const declared = node?.fields.get(key);
  if (declared) return { label: key, child: declared };
  if (node?.values) return { label: KEY_PLACEHOLDER, child: node.values };
  return { label: FIELD_NAME.test(key) ? key : KEY_PLACEHOLDER, child: undefined };
}

/** Most array items merged into a shape, and most paths in one. */
const MAX_ITEMS = 1000;
const MAX_PATHS = 1000;

/**
 * The shape of `value`: for each position (`response`, `response[]`, `response[].amount` …) the JSON
 * types seen there, `missing` when an object of an array lacks a key its siblings have. Items are
 * merged from the first 1,000 of each array plus `alsoItems` of the top-level array.
 */
export function describeShape(
  node: SchemaNode | undefined,
  value: unknown,
  root: string,
  // Extra items are indexes of the top-level array: no element of another array can match them.
  // Stryker disable next-line ArrayDeclaration: equivalent, see above
  alsoItems: readonly number[] = [],
): { shape: Record<string, string>; truncated: boolean } {
  const types = new Map<string, Set<string>>();
  /** Per object path: how many objects were seen; per child path: its parent and how often present. */
  const objects = new Map<string, number>();
  const children = new Map<string, { parent: string; present: number }>();
  let truncated = false;
  const add = (path: string, type: string) => {
    let set = types.get(path);
    if (!set) {
      if (types.size >= MAX_PATHS) {
        truncated = true;
        // Stops the walk below a path that was not added: every path below it would be refused too.
        // Stryker disable next-line BooleanLiteral: equivalent, see above
        return false;
      }
      set = new Set();
      types.set(path, set);
    }
    set.add(type);
    return true;
  };
  const walk = (at: SchemaNode | undefined, item: unknown, path: string, extra: readonly number[]) => {
    const type = jsonType(item);
    if (!add(path, type)) return;
    if (type === 'array') {
      const array = item as unknown[];
      const count = Math.min(array.length, MAX_ITEMS);
      // Stryker disable next-line ArrayDeclaration: equivalent, extra items are only read at the top level
      for (let i = 0; i < count; i++) walk(at?.element, array[i], `${path}[]`, []);
      // Extra items are given for the top level only (where `at` is the schema's node), as indexes of
      // that array's own items; an item walked twice adds the same types and counts itself both as an
      // object and as holding its keys.
      // Stryker disable next-line ConditionalExpression,OptionalChaining,ArrayDeclaration: equivalent, see above
      for (const i of extra) if (i >= count) walk(at?.element, array[i], `${path}[]`, []);
    } else if (type === 'object') {
      objects.set(path, (objects.get(path) ?? 0) + 1);
      const labels = new Set<string>();
      for (const [key, child] of Object.entries(item as Record<string, unknown>)) {
        const step = keyStep(at, key);
        const childPath = `${path}.${step.label}`;
        if (!labels.has(childPath)) {
          labels.add(childPath);
          const entry = children.get(childPath) ?? { parent: path, present: 0 };
          entry.present++;
          children.set(childPath, entry);
        }
        // Stryker disable next-line ArrayDeclaration: equivalent, extra items are only read at the top level
        walk(step.child, child, childPath, []);
      }
    }
  };
  walk(node, value, root, alsoItems);
  for (const [path, { parent, present }] of children) {
    if (present < (objects.get(parent) ?? 0)) types.get(path)?.add('missing');
  }
  const shape: Record<string, string> = {};
  for (const path of [...types.keys()].sort())
    shape[path] = [...(types.get(path) as Set<string>)].sort().join(' | ');
  return { shape, truncated };
}
