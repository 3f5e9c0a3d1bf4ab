import { defineConfig } from 'tsup';

const entry = {
  index: 'src/index.ts',
  'testing/index': 'src/testing/index.ts',
  'token-cache/redis': 'src/token-cache/redis.ts',
  'stores/postgres': 'src/stores/postgres.ts',
  'otel/index': 'src/otel/index.ts',
};

export default defineConfig([
  {
    entry,
    format: ['esm'],
    // `@internal` members (resource constructors, which take the private Transport) stay out of the
    // published types: they are not API, and the API report (scripts/api-report.mjs) checks that.
    dts: { compilerOptions: { stripInternal: true } },
    clean: true,
    sourcemap: true,
    target: 'node20',
    splitting: true,
    // zod's runtime is bundled: as a dependency it is ~60 ESM files, whose loading was 40 of the
    // 50 ms an `import 'flanks-sdk'` cost (docs/benchmarks.md). Only index uses zod, so there is one
    // copy. The .d.ts files still import zod's types, so zod stays a dependency.
    // @noble/hashes (HMAC-SHA256 for link state and the token cache key) is bundled too, in both
    // builds: it is ESM-only (so the CommonJS build could not require it), no public type mentions it,
    // and as a dependency its files would load on import. It stays a pinned devDependency.
    noExternal: ['zod', '@noble/hashes'],
  },
  {
    entry,
    format: ['cjs'],
    dts: { compilerOptions: { stripInternal: true } },
    sourcemap: true,
    target: 'node20',
    // Shared code in shared chunks, as in the ESM build: otherwise each entry bundles its own copy of
    // the error classes, and `instanceof FlanksError` (from `flanks-sdk`) fails for an error thrown by
    // `flanks-sdk/stores/postgres` under require(). test/package/smoke.mjs checks it.
    splitting: true,
    // tsup turns split ESM into CJS with sucrase, which renames classes (`_class7`); keep their names.
    keepNames: true,
    // tsup's CJS interop wraps `require('ky')` in `__toESM(..., 1)`, which breaks ky's and
    // p-retry's default exports at run time (see shared/toolchain.md). Bundling them into the
    // CJS build only avoids the wrapper; the ESM build keeps them as real dependencies.
    noExternal: ['ky', 'p-retry', 'is-network-error', 'zod', '@noble/hashes'],
  },
  {
    entry: { 'bin/flanks-sandbox': 'src/testing/bin.ts', 'bin/flanks-sdk': 'src/cli/flanks-sdk.ts' },
    format: ['esm'],
    // Each bin is one self-contained file: no chunks shared with the library's build.
    splitting: false,
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
