// The sandbox in its own process, so the server's work runs on the other core and does not share the
// client's event loop. Driven over IPC by the scenarios (bench/lib/child.mjs).
import { startSandbox } from 'flanks-sdk/testing';
import { serveCommands } from './lib/child.mjs';

const running = await startSandbox({ pendingPolls: 0, seed: 1 });
const { sandbox } = running;

serveCommands({
  url: () => running.url,
  createCredentials: ({ count }) =>
    Array.from({ length: count }, () => sandbox.createCredential({ pendingPolls: 0 })),
  tokenRequests: () => sandbox.stats.tokenRequests,
  // Every one of the next `count` API requests waits `ms` first: a server slower than loopback.
  delayNext: ({ count, ms }) => sandbox.failNext('*', count, { delayMs: ms }),
  // The Authorization header of the newest authorised request: the SDK's current token, which the
  // baselines reuse (a new token would revoke the SDK's).
  lastAuthorization: () => sandbox.requests.findLast((r) => r.authorization)?.authorization ?? null,
  close: async () => {
    await running.close();
    setImmediate(() => process.exit(0));
    return true;
  },
});
