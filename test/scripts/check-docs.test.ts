import { readFileSync } from 'node:fs';
import { Application, normalizePath, TSConfigReader } from 'typedoc';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkProject, inferredTypes, tsdocLines } from '../../scripts/check-docs.mjs';

// The rules run on the model typedoc (with typedoc-plugin-zod, as `npm run docs`) builds from a small
// fixture API in which each export follows or breaks one rule.
const FIXTURE = 'test/scripts/fixtures/check-docs';
let result: ReturnType<typeof checkProject>;

beforeAll(async () => {
  const app = await Application.bootstrapWithPlugins(
    {
      entryPoints: [`${FIXTURE}/api.ts`],
      tsconfig: `${FIXTURE}/tsconfig.json`,
      plugin: ['typedoc-plugin-zod'],
      name: 'fixture',
      logLevel: 'Error',
    },
    [new TSConfigReader()],
  );
  const converted = await app.convert();
  if (!converted) throw new Error('typedoc could not convert the fixture');
  const project = app.serializer.projectToObject(converted, normalizePath(process.cwd()));
  const inferred = inferredTypes([readFileSync(`${FIXTURE}/api.ts`, 'utf8')]);
  result = checkProject(project, { inferred });
}, 60_000);

describe('scripts/check-docs.mjs', () => {
  it('finds the inferred types of schemas in the source', () => {
    const inferred = inferredTypes([readFileSync(`${FIXTURE}/api.ts`, 'utf8')]);
    expect([...inferred]).toEqual([
      ['Widget', 'WidgetSchema'],
      ['Gadget', 'GadgetSchema'],
      ['SearchParams', 'SearchParamsSchema'],
    ]);
  });

  it('reports exactly the broken rules, and nothing on the exports that follow them', () => {
    expect([...result.problems].sort()).toEqual(
      [
        // 1. a summary on every export and on every public member of a class
        'fixture: UNDOCUMENTED has no summary',
        'fixture: Bare.undocumented has no summary',
        // 2. @example on classes, their public methods, options types (on the schema when inferred)
        'fixture: Bare has no @example',
        'fixture: Repeats.run has no @example',
        'fixture: RunOptions has no @example',
        'fixture: SearchParamsSchema has no @example',
        // 3. one @see per class; a method's only when its page differs; never two
        'fixture: Bare needs exactly one @see (its docs.flanks.io page)',
        "fixture: Repeats.run: @see repeats its class's; drop it",
        'fixture: TWICE has 2 @see (at most one)',
        // 4. an inferred type is one line pointing to its schema, with no tags of its own
        'fixture: Gadget must point to its schema with {@link GadgetSchema}',
        'fixture: Gadget has @example, @see: the schema carries those, not its type',
      ].sort(),
    );
    expect(result.counts.schemaTypes).toBe(3);
  });

  it('counts the lines inside /** … */ blocks, and every line', () => {
    const source = [
      'import * as z from "zod/mini";',
      '/** One line. */',
      'export const a = 1;',
      '  /**',
      '   * Three lines, indented.',
      '   */',
      '  const b = 2; /** after code: not a block of its own */',
      '/* a plain comment */',
      '/**/',
      '// a line comment',
      '',
    ].join('\n');
    expect(tsdocLines(source)).toEqual({ doc: 4, lines: 10 });
    expect(tsdocLines('/** a */ /** b */\nx')).toEqual({ doc: 1, lines: 2 });
    expect(tsdocLines('')).toEqual({ doc: 0, lines: 0 });
  });
});
