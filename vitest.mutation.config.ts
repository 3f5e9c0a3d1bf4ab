import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config';

// The suite Stryker runs against each mutant (`npm run test:mutation`, stryker.config.mjs): `npm test`
// minus the tests that cannot kill a mutant of src/, because they test the repository's scripts or
// run the code in a child process, which Stryker neither instruments for coverage nor tells which
// mutant is active. They would only make every run longer.
export default mergeConfig(
  base,
  defineConfig({
    test: {
      // Added to vitest.config.ts's own excludes (mergeConfig concatenates arrays).
      exclude: ['test/scripts/**', 'test/examples/link-flow.test.ts'],
    },
  }),
);
