import { defineConfig } from 'vitest/config';

// Real-browser tests (`npm run test:browser`): headless Chromium drives the example web app and the
// sandbox's Link over loopback. Kept out of `npm test`, which must not need a browser.
export default defineConfig({
  // examples/ import 'flanks-sdk' as users do; tsconfig paths map it to src/ (no build needed).
  resolve: { tsconfigPaths: true },
  test: {
    include: ['test/browser/**/*.browser.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
