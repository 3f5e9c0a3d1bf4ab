import { defineConfig } from 'vitest/config';

// Infrastructure suite (`npm run test:infra`): the PostgreSQL store, the Redis token cache and the
// BullMQ sync fleet against real servers that test/infra/global-setup.ts starts on loopback from the
// machine's binaries (Debian's postgresql and redis-server; `.ci/run` installs them). Kept out of
// `npm test` (files end in `.infra.test.ts`) so that command needs no servers.
export default defineConfig({
  // examples/ import 'flanks-sdk' as users do; tsconfig paths map it to src/ (no build needed).
  resolve: { tsconfigPaths: true },
  test: {
    include: ['test/**/*.infra.test.ts'],
    globalSetup: ['test/infra/global-setup.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
