import { FlanksClient, MemoryCredentialStore } from '../../src';
import {
  SANDBOX_CLIENT_ID,
  SANDBOX_CLIENT_SECRET,
  type StartSandboxOptions,
  startSandbox,
} from '../../src/testing';

/** The real API when FLANKS_CLIENT_ID and FLANKS_CLIENT_SECRET are set; the embedded sandbox otherwise. */
export const live = Boolean(process.env.FLANKS_CLIENT_ID && process.env.FLANKS_CLIENT_SECRET);

/** A client (with an in-memory store) against the real API, or against a sandbox started for the example. */
export async function exampleClient(sandboxOptions: StartSandboxOptions = {}) {
  const sandbox = live ? undefined : await startSandbox(sandboxOptions);
  const store = new MemoryCredentialStore();
  const flanks = sandbox
    ? new FlanksClient({
        clientId: SANDBOX_CLIENT_ID,
        clientSecret: SANDBOX_CLIENT_SECRET,
        baseUrl: sandbox.url,
        linkBaseUrl: sandbox.linkBaseUrl,
        store,
      })
    : new FlanksClient({ store });
  return { sandbox, store, flanks };
}
