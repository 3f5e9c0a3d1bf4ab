/*
 * The whole Flanks Link flow, end to end (`npm start`).
 *
 * Without Flanks credentials it starts the embedded sandbox and plays the end user itself: it opens
 * the Link page over real HTTP, logs in to TestBank, follows the redirect to a small local "your
 * application" server, which exchanges the code and stores the token; then it polls the status and
 * prints the user's wealth report.
 *
 * With FLANKS_CLIENT_ID and FLANKS_CLIENT_SECRET set it talks to the real Flanks API instead: it
 * prints the Link URL for you to open in a browser and waits for the redirect on
 * http://localhost:$APP_PORT/flanks/callback (APP_PORT defaults to 3000). Set FLANKS_LINK_TOKEN to use
 * an existing link; otherwise one is created with that redirect URI.
 */
import { FlanksError } from 'flanks-sdk';
import { open, submit, textOf } from './lib/browser';
import { formatReport } from './lib/report';
import { exampleClient, live, startCallbackApp } from './lib/setup';

const USER_ID = 'user-42';
const step = (text: string) => console.log(`\n▸ ${text}`);

async function main() {
  const { sandbox, store, flanks } = await exampleClient();
  // "Your application": receives the user back from the Link and completes it for the user who is
  // logged in (here always USER_ID). completeLink refuses a code whose Link was started by anyone else.
  const app = await startCallbackApp('/flanks/callback', async (requestUrl) => {
    const redirect = flanks.links.parseRedirect(requestUrl);
    if (!redirect.ok) throw new FlanksError(`The Link reported an error: ${redirect.error}`);
    return flanks.completeLink({ code: redirect.code, userId: USER_ID });
  });
  try {
    console.log(
      sandbox
        ? `Flanks sandbox running at ${sandbox.url} (no real bank is contacted)`
        : 'Using the real Flanks API',
    );

    step('1. Create a link whose redirect URI is our application');
    const linkToken =
      (live && process.env.FLANKS_LINK_TOKEN) ||
      (
        await flanks.links.create({
          redirect_uri: `${app.url}/flanks/callback`,
          name: `flanks-sdk demo ${Date.now()}`,
        })
      ).token;
    console.log(`  link token: ${linkToken.slice(0, 6)}…`);

    step('2. Build the Link URL for our user (signed for them: the state parameter)');
    const url = flanks.links.buildUrl({
      token: linkToken,
      userId: USER_ID,
      bank: sandbox ? 'testbank' : undefined,
      externalId: USER_ID,
      params: { campaign: 'npm-start' },
    });
    console.log(`  ${url}`);

    if (sandbox) {
      step(
        '3. The user logs in to TestBank on the Link page (real HTTP: GET page, POST form, follow redirect)',
      );
      const page = await open(url);
      const after = await submit(page, { username: 'demo-user', password: 'correct-horse' });
      if (!after.url.startsWith(app.url)) {
        throw new Error(
          `The Link did not redirect back: ${textOf(after, 'error') ?? `HTTP ${after.status}`}`,
        );
      }
      console.log(`  redirected to ${after.url.replace(/code=[^&]+/, 'code=…')}`);
    } else {
      step(`3. Open this URL in a browser and log in to your bank; waiting for ${app.url}/flanks/callback …`);
    }

    step('4. Our callback exchanged the code and stored the credentials token');
    const record = await app.record;
    const stored = await store.listByUser(USER_ID);
    console.log(
      `  ${stored.length} credential(s) stored for ${USER_ID}; extra = ${JSON.stringify(record.extra)}`,
    );

    step('5. Poll the credentials status until the first extraction is done');
    const started = Date.now();
    const status = await flanks.credentials.waitUntilReady(record.credentialsToken, {
      timeoutMs: live ? 600_000 : 60_000,
      pollIntervalMs: live ? 2_000 : 200,
      onStatus: (s, n) =>
        console.log(
          `  poll ${n}: pending=${s.pending} created=[${Object.keys(s.created?.product ?? {})
            .filter((k) => s.created?.product?.[k as 'auth'])
            .join(', ')}]`,
        ),
    });
    console.log(
      `  ready after ${((Date.now() - started) / 1000).toFixed(1)} s (last update ${status.last_update ?? 'n/a'})`,
    );

    step('6. Fetch the data with the Aggregation API');
    const token = record.credentialsToken;
    const [portfolios, investments, accounts, transactions] = await Promise.all([
      flanks.aggregation.portfolios(token),
      flanks.aggregation.investments(token),
      flanks.aggregation.accounts(token),
      flanks.aggregation.accountTransactions(token),
    ]);
    console.log(
      `\n${formatReport(`Wealth report for ${USER_ID}`, { portfolios, investments, accounts, transactions })}`,
    );
  } finally {
    await app.close();
    await sandbox?.close();
  }
}

main().catch((error: unknown) => {
  console.error(`\n✗ ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  process.exitCode = 1;
});
