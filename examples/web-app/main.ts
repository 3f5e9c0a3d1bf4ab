/*
 * Runs the example web app (`npm run example:web`): the README's quick start, grown. Without Flanks
 * credentials it starts the embedded sandbox and a link pointing back at the app; open the printed
 * URL in a browser and sign in to TestBank with any username and password. Other passwords play
 * the other outcomes (docs/testing.md lists them): INVALID_CREDENTIALS or SCA_SMS at the Link, the
 * Cancel button, SANDBOX_BLOCKED for a credential that needs the user to sign in again.
 * With FLANKS_CLIENT_ID / FLANKS_CLIENT_SECRET / FLANKS_LINK_TOKEN set it uses the real API; the
 * link's Redirect URI must then be http://127.0.0.1:$PORT/flanks/callback.
 */
import { FlanksClient, MemoryCredentialStore } from 'flanks-sdk';
import { SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, startSandbox } from 'flanks-sdk/testing';
import { startWebApp } from './app';

async function main() {
  const port = Number(process.env.PORT ?? 3000);
  const store = new MemoryCredentialStore();
  const live = process.env.FLANKS_CLIENT_ID && process.env.FLANKS_LINK_TOKEN;
  const sandbox = live ? undefined : await startSandbox();
  const flanks = sandbox
    ? new FlanksClient({
        clientId: SANDBOX_CLIENT_ID,
        clientSecret: SANDBOX_CLIENT_SECRET,
        baseUrl: sandbox.url,
        linkBaseUrl: sandbox.linkBaseUrl,
        store,
      })
    : new FlanksClient({ store });
  const linkToken = sandbox
    ? (
        await flanks.links.create({
          redirect_uri: `http://127.0.0.1:${port}/flanks/callback`,
          name: 'web-app example',
        })
      ).token
    : process.env.FLANKS_LINK_TOKEN!;
  const app = await startWebApp({ flanks, linkToken, port, bank: sandbox ? 'testbank' : undefined });
  console.log(
    `Example app on ${app.url}/login?user=alice${sandbox ? ` (Flanks sandbox at ${sandbox.url})` : ''}`,
  );
  const stop = async () => {
    await app.close();
    await sandbox?.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
