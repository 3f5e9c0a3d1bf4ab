// The built package carries its own copy of zod's runtime (bundled for start-up time, see
// docs/benchmarks.md) while its types point at the `zod` dependency. This checks that a user's zod —
// the one in node_modules, classic `zod` and `zod/mini`, from ESM and CommonJS — works with the
// schemas the SDK exports: composing, parsing, error paths, type guards. Run after `npm run build`.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as z from 'zod';
import * as zm from 'zod/mini';

const require = createRequire(import.meta.url);
const record = {
  userId: 'u1',
  credentialsToken: 'ct_1',
  createdAt: '2026-03-01T10:00:00.000Z',
  extra: { campaign: 'spring' },
  externalId: null,
};

function check(sdk, label) {
  const { CredentialRecordSchema, PortfolioSchema, FlanksClient } = sdk;
  assert.equal(typeof FlanksClient, 'function');

  // Composition with the user's classic zod and zod/mini, parsing through the SDK's schema.
  const Row = z.object({ id: z.number(), record: CredentialRecordSchema });
  assert.deepEqual(Row.parse({ id: 1, record }), { id: 1, record });
  const RowMini = zm.object({ id: zm.number(), record: CredentialRecordSchema });
  assert.deepEqual(RowMini.parse({ id: 1, record }), { id: 1, record });
  assert.deepEqual(z.array(PortfolioSchema).parse([{ _id: 'p1', name: 'Cartera', extra_field: 1 }]), [
    { _id: 'p1', name: 'Cartera', extra_field: 1 },
  ]);
  assert.equal(z.optional(CredentialRecordSchema).parse(undefined), undefined);

  // A failure inside the SDK's schema surfaces as the user's ZodError, with the full path.
  const bad = Row.safeParse({ id: 1, record: { ...record, userId: '' } });
  assert.equal(bad.success, false);
  assert.ok(bad.error instanceof z.ZodError, `${label}: the error is the user's ZodError`);
  assert.deepEqual(bad.error.issues[0].path, ['record', 'userId']);

  // Type guards: zod 4 checks traits, not prototypes, so instanceof works across copies.
  assert.ok(CredentialRecordSchema instanceof z.core.$ZodType, `${label}: instanceof z.core.$ZodType`);
  assert.ok(CredentialRecordSchema instanceof z.core.$ZodObject, `${label}: instanceof z.core.$ZodObject`);
  assert.ok(CredentialRecordSchema instanceof zm.ZodMiniObject, `${label}: instanceof zm.ZodMiniObject`);
  assert.ok(
    !(CredentialRecordSchema instanceof z.ZodObject),
    `${label}: a mini schema is not a classic ZodObject`,
  );

  // The SDK's own parse still throws a ZodError the user's zod recognises.
  let thrown;
  try {
    CredentialRecordSchema.parse({ ...record, createdAt: 5 });
  } catch (error) {
    thrown = error;
  }
  assert.ok(thrown instanceof z.core.$ZodError, `${label}: the SDK's error is a $ZodError`);
  assert.equal(z.prettifyError(thrown).includes('createdAt'), true);
  // Tools of the user's zod read the SDK's schemas, and zod's global configuration (kept on
  // globalThis by zod) reaches the bundled copy too: the user's locale applies to the SDK's messages.
  const schema = z.toJSONSchema(CredentialRecordSchema);
  assert.deepEqual(schema.required, ['userId', 'credentialsToken', 'createdAt', 'extra']);
  z.config(z.locales.de());
  try {
    assert.match(CredentialRecordSchema.safeParse({}).error.issues[0].message, /Ungültige Eingabe/);
  } finally {
    z.config(z.locales.en());
  }
  console.log(`ok - ${label}: the user's zod composes, parses and recognises the SDK's schemas`);
}

check(await import('flanks-sdk'), 'ESM import');
check(require('flanks-sdk'), 'CommonJS require');
