import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { entryPoints } from '../../scripts/api-report.mjs';

// Which reports `npm run api:check` keeps: one per entry point of package.json "exports" that has
// types, so a new subpath (e.g. an optional integration) is checked from its first build.
describe('api-report entry points', () => {
  it('has one report per typed subpath export, named after it', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    const typed = Object.keys(pkg.exports).filter((k) => pkg.exports[k]?.import?.types);
    const entries = entryPoints();
    expect(entries.map((e) => e.subpath)).toEqual(typed);
    expect(entries.map((e) => e.name)).toContain('flanks-sdk-stores-postgres');
  });

  it('names a new subpath from its path', () => {
    const names = entryPoints({
      '.': { import: { types: './dist/index.d.ts' } },
      './otel': { import: { types: './dist/otel.d.ts' } },
      './package.json': './package.json',
    }).map((e) => e.name);
    expect(names).toEqual(['flanks-sdk', 'flanks-sdk-otel']);
  });
});
