// Mutation testing (`npm run test:mutation`): Stryker changes the policy code one small edit at a
// time (a `<` into `<=`, a condition into `true`, a string into "") and runs the tests that cover
// each edit; an edit no test notices ("survived") is behaviour nothing pins down. Slow (see
// CONTRIBUTING.md), so not part of CI. Narrow a run with `--mutate`, e.g.
//   npm run test:mutation -- --mutate src/internal/retry-policy.ts
// The report lands in reports/mutation/ (git-ignored): mutation.html to browse, mutation.json for tools.

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  // Each mutant runs only the tests that executed its code in the first, instrumented run.
  coverageAnalysis: 'perTest',
  // A mutant that runs when a module loads, or only in a test file's beforeAll (most files warm the
  // client up there), cannot be traced to tests and would run the whole suite: almost half of the
  // mutants and nine tenths of the time. Those that tests also run (the warm-up path) are tested
  // with those tests; the rest (module-level constants: sets, regexes, schemas) are reported as
  // "Ignored". `npm run test:mutation -- --ignoreStatic false` tests them too (hours, not minutes).
  ignoreStatic: true,
  mutate: [
    'src/internal/**/*.ts',
    'src/core/**/*.ts',
    // Type declarations only: nothing runs, so nothing can be mutated.
    '!src/core/request-options.ts',
  ],
  // The machine is shared and has two cores; raise it on a bigger one (`--concurrency 4`).
  concurrency: 2,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  // Build output and downloaded runtimes are not needed to run the tests.
  ignorePatterns: ['dist', 'docs/api', '.runtimes', 'coverage', 'test-results', '*.tgz'],
  cleanTempDir: true,
  // A mutant that makes a test loop for ever is stopped after the test's own time times this, plus
  // timeoutMS; the shared machine's pauses must not turn slow runs into false "timeouts".
  timeoutFactor: 2,
  timeoutMS: 10_000,
};
