import fc from 'fast-check';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as z from 'zod/mini';
import {
  CredentialStatusSchema,
  FlanksClient,
  FlanksValidationError,
  LinkExchangeSchema,
  PortfolioSchema,
  ProductV2Schema,
  SessionSchema,
  type ShapeReport,
  TransactionSchema,
  UnusedCodeSchema,
} from '../../src';
import { many, one, type ResponseShape, Validator } from '../../src/internal/validate';

// No value of a response can reach a shape report: not a string, not a number (sent as a number or as
// a numeric string), not a string that looks like a field name, and not a key that is data: any key
// of a record (`extra`, `labels`: even one that looks like a field name), and anywhere an id, an
// e-mail or an IBAN used as a key. Only field names may appear: those the schema declares, and unknown
// keys made of letters and underscores only (the documented policy: a new field's name is what a
// maintainer needs from a report).
//
// Vocabulary, kept apart so that a hit is always a leak: values that look like keys carry the marker
// "zq", unknown field-like keys the marker "kx"; numbers have at least seven digits (no count, index or
// version in a report has that many).

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

const keyLikeValue = fc.stringMatching(/^zq[a-z_]{3,12}$/);
const bigNumber = fc.oneof(
  fc.integer({ min: 1_000_000, max: 2_000_000_000 }),
  fc.integer({ min: 1_000_000, max: 99_999_999 }).map((n) => -n / 100),
);
const textValue = fc.oneof(
  keyLikeValue,
  keyLikeValue.map((k) => `${k} ${k.toUpperCase()}`),
  fc.stringMatching(/^ES\d{22}$/),
  keyLikeValue.map((k) => `${k}@example.com`),
  bigNumber.map(String), // numeric strings: coerced where a number is expected
  bigNumber.map((n) => `${n},5`), // not numeric: stays a string
);
const leaf: fc.Arbitrary<unknown> = fc.oneof(textValue, bigNumber, fc.boolean(), fc.constant(null));
/** Keys that are data wherever they are: they must never be shown. */
const dataKey = fc.oneof(
  fc.stringMatching(/^ES\d{22}$/),
  keyLikeValue.map((k) => `${k}@example.com`),
  keyLikeValue.map((k) => `${k}-${k}`),
  fc.integer({ min: 1_000_000 }).map((n) => `acc_${n}`),
);
/** Keys a schema does not declare but that look like field names: they may be shown. */
const fieldKey = fc.stringMatching(/^kx[a-z_]{2,10}$/);

const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  any: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('object'), tie('array')),
  object: fc.dictionary(fc.oneof(fieldKey, dataKey), tie('any'), { maxKeys: 4 }),
  array: fc.array(tie('any'), { maxLength: 3 }),
})).any;

/** Schemas with their declared keys, and which of those hold records (whose keys are data). */
const SCHEMAS: Array<{ name: string; schema: z.ZodMiniObject; records?: string[]; many?: boolean }> = [
  { name: 'Portfolio', schema: PortfolioSchema, many: true },
  { name: 'Transaction', schema: TransactionSchema, many: true },
  { name: 'CredentialStatus', schema: CredentialStatusSchema },
  { name: 'LinkExchange', schema: LinkExchangeSchema, records: ['extra'] },
  { name: 'UnusedCode', schema: UnusedCodeSchema, records: ['extra'], many: true },
  { name: 'Session', schema: SessionSchema },
  { name: 'ProductV2', schema: ProductV2Schema, records: ['labels'], many: true },
];

const item = (entry: (typeof SCHEMAS)[number]) =>
  fc
    .tuple(
      fc.dictionary(fc.constantFrom(...Object.keys(entry.schema.shape)), value, { maxKeys: 8 }),
      fc.dictionary(fc.oneof(fieldKey, dataKey), value, { maxKeys: 3 }),
      // Record keys are data even when they look like field names.
      fc.dictionary(fc.oneof(keyLikeValue, dataKey), leaf, { maxKeys: 3 }),
    )
    .map(([declared, unknown, record]) => {
      const out: Record<string, unknown> = { ...declared, ...unknown };
      for (const key of entry.records ?? []) out[key] = record;
      return out;
    });

const sample = fc
  .constantFrom(...SCHEMAS)
  .chain((entry) =>
    (entry.many ? fc.array(item(entry), { maxLength: 4 }) : item(entry)).map((body) => ({ entry, body })),
  );

/** Every string and number of a body, and every key that is not a field name of ours. */
function secretsOf(body: unknown, out: string[] = []): string[] {
  if (typeof body === 'string') out.push(body);
  else if (typeof body === 'number') out.push(String(body));
  else if (Array.isArray(body)) for (const v of body) secretsOf(v, out);
  else if (body !== null && typeof body === 'object') {
    for (const [key, v] of Object.entries(body)) {
      if (!/^kx/.test(key)) out.push(key);
      secretsOf(v, out);
    }
  }
  return out;
}

/** Keys the body uses that are declared by the schema: they may legitimately appear. */
function declaredKeys(entry: (typeof SCHEMAS)[number]): Set<string> {
  return new Set(Object.keys(entry.schema.shape));
}

function expectNoValue(report: unknown, secrets: string[], allowed: Set<string>): void {
  expect(report).toBeDefined();
  const text = typeof report === 'string' ? report : JSON.stringify(report);
  for (const secret of secrets) {
    if (allowed.has(secret)) continue;
    if (text.includes(secret)) throw new Error(`the report contains ${JSON.stringify(secret)}: ${text}`);
  }
}

/** The reports, and the error messages, built for `body`. */
function reportsFor(entry: (typeof SCHEMAS)[number], body: unknown): Array<ShapeReport | string> {
  const shape: ResponseShape<unknown> = entry.many
    ? many(entry.name, entry.schema)
    : one(entry.name, entry.schema);
  const reports: Array<ShapeReport | string> = [];
  // An independent copy: strict coerces numeric strings in place.
  const copy = structuredClone(body);
  try {
    new Validator('strict', quiet).check(shape, copy, 'POST /property');
  } catch (error) {
    if (!(error instanceof FlanksValidationError)) throw error;
    reports.push(error.report as ShapeReport, `${error.message} ${error.path}`);
  }
  const mismatch = new Validator('warn', quiet).mismatch(shape, body, 'POST /property', 'something else');
  reports.push(mismatch.report!, mismatch.message);
  return reports;
}

describe('shape reports hold no value of the response', () => {
  it('for any body of any schema, in the strict error and in a mismatch report', () => {
    fc.assert(
      fc.property(sample, ({ entry, body }) => {
        const secrets = secretsOf(body);
        for (const report of reportsFor(entry, body)) expectNoValue(report, secrets, declaredKeys(entry));
      }),
      { numRuns: 600 },
    );
  });

  it('the vocabulary is sound: a key that looks like a field name is shown (so the check can fail)', () => {
    const report = reportsFor(SCHEMAS[0]!, [{ kxnew_field: 'zqvalue', balance: true }])[0] as ShapeReport;
    expect(Object.keys(report.shape)).toContain('response[].kxnew_field');
    expect(JSON.stringify(report)).not.toContain('zqvalue');
  });
});

describe('through the HTTP stack', () => {
  const API = 'https://api.flanks.test';
  let reply: unknown;
  const server = setupServer(
    http.post(`${API}/v0/token`, () => HttpResponse.json({ access_token: 'at_prop', expires_in: 3600 })),
    http.post(`${API}/v0/bank/credentials/data`, () => HttpResponse.json(reply as never)),
  );
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterAll(() => server.close());

  it('warn logs and strict throws reports without any value of the body', async () => {
    const entry = SCHEMAS[1]!;
    await fc.assert(
      fc.asyncProperty(fc.array(item(entry), { minLength: 1, maxLength: 4 }), async (body) => {
        const secrets = secretsOf(body);
        const logged: unknown[] = [];
        const make = (validation: 'warn' | 'strict') =>
          new FlanksClient({
            clientId: 'prop',
            clientSecret: 'prop-secret',
            baseUrl: API,
            validation,
            maxRetries: 0,
            logger: { ...quiet, warn: (message: string, report: unknown) => logged.push(message, report) },
          });
        reply = body;
        const strict = await make('strict')
          .aggregation.accountTransactions('ct_prop')
          .then(
            () => undefined,
            (error: unknown) => error,
          );
        if (strict !== undefined) {
          expect(strict).toBeInstanceOf(FlanksValidationError);
          expectNoValue((strict as FlanksValidationError).report, secrets, declaredKeys(entry));
          expectNoValue((strict as Error).message, secrets, declaredKeys(entry));
        }
        await make('warn').aggregation.accountTransactions('ct_prop');
        for (const report of logged) expectNoValue(report, secrets, declaredKeys(entry));
      }),
      { numRuns: 60 },
    );
  });
});
