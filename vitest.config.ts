import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  // examples/ import 'flanks-sdk' as users do; tsconfig paths map it to src/ (no build needed).
  resolve: { tsconfigPaths: true },
  test: {
    include: ['test/**/*.test.ts'],
    // Real-browser tests need Chromium (`npm run test:browser`); the infrastructure suite needs
    // PostgreSQL and Redis (`npm run test:infra`). Each has its own config.
    exclude: [...configDefaults.exclude, 'test/browser/**', 'test/**/*.infra.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    restoreMocks: true,
  },
});
