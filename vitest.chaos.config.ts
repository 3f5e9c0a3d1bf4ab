import { defineConfig } from 'vitest/config';

// Fault and load suite (`npm run test:chaos`): 200 simulated users against the sandbox on loopback with
// random, seeded faults, and a 10,000-call burst. Takes a minute or two, so it is kept out of `npm test`
// (its files end in `.chaos.ts`, which vitest.config.ts does not include). CHAOS_SEED changes the run.
export default defineConfig({
  test: {
    include: ['test/chaos/**/*.chaos.ts'],
    environment: 'node',
    testTimeout: 180_000,
    hookTimeout: 30_000,
    fileParallelism: false,
  },
});
