/*
 * The whole Flanks Connect v2 flow (beta), end to end (`npm run start:connect`): the successor of the
 * Link flow that `npm start` runs.
 *
 * Without Flanks credentials it starts the embedded sandbox and plays the end user itself: our
 * application creates a Connect session, the user opens its single-use URL over real HTTP, signs in
 * to TestBank in the Connect widget and passes an SMS challenge, and is redirected to a small local
 * "your application" server with `?session_id=`, which completes the session and stores the
 * connection. Then it waits for the first extraction, prints the user's wealth report, and uses the
 * other beta APIs: Aggregation v2 (products, labels, paged transactions) and Report v1.
 *
 * With FLANKS_CLIENT_ID and FLANKS_CLIENT_SECRET set it talks to the real Flanks API instead: it
 * prints the session URL for you to open in a browser and waits for the redirect on
 * http://localhost:$APP_PORT/flanks/connect (APP_PORT defaults to 3000).
 */
import { FlanksError } from 'flanks-sdk';
import { open, submit, textOf } from './lib/browser';
import { formatReport } from './lib/report';
import { exampleClient, live, startCallbackApp } from './lib/setup';

const USER_ID = 'user-42';
const step = (text: string) => console.log(`\n▸ ${text}`);

async function main() {
  const { sandbox, store, flanks } = await exampleClient({ pageSize: 25 });
  // "Your application": receives the user back from the Connect widget and completes the session.
  // The `session_id` in a redirect is no proof of who started it, so completeSession gets the one we
  // kept for this user when we created it (a web app keeps it in the user's server-side session), and
  // refuses any other.
  let expectedSessionId: string | undefined;
  const app = await startCallbackApp('/flanks/connect', async (requestUrl) => {
    const { sessionId } = flanks.connect.parseRedirect(requestUrl);
    if (expectedSessionId === undefined) throw new FlanksError('No Connect session was started here.');
    return flanks.connect.completeSession(
      { sessionId, userId: USER_ID, expectedSessionId },
      {
        timeoutMs: 60_000,
        pollIntervalMs: live ? 2_000 : 100,
        onSession: (s) => console.log(`  session: ${s.status}`),
      },
    );
  });
  try {
    console.log(
      sandbox
        ? `Flanks sandbox running at ${sandbox.url} (no real bank is contacted)`
        : 'Using the real Flanks API (Connect v2 is beta)',
    );

    step('1. Create a Connect session that sends the user back to our application');
    const { url, session } = await flanks.connect.createSession({
      configuration: {
        redirect_url: `${app.url}/flanks/connect`,
        ...(sandbox ? { connector_id: 'testbank' } : {}),
      },
    });
    expectedSessionId = session.session_id;
    console.log(`  session ${session.session_id.slice(0, 6)}… is ${session.status}`);
    console.log(`  ${url}`);

    if (sandbox) {
      step(
        '2. The user signs in to TestBank in the Connect widget (real HTTP: GET page, POST forms, follow redirect)',
      );
      const login = await open(url);
      const challenge = await submit(login, { username: 'demo-user', password: 'SCA_SMS' });
      if (textOf(challenge, 'error'))
        throw new Error(`The widget refused the login: ${textOf(challenge, 'error')}`);
      console.log('  TestBank asks for an SMS code (password SCA_SMS); the user types 123456');
      const after = await submit(challenge, { sca: '123456' });
      if (!after.url.startsWith(app.url)) {
        throw new Error(
          `The widget did not redirect back: ${textOf(after, 'error') ?? `HTTP ${after.status}`}`,
        );
      }
      console.log(`  redirected to ${after.url.replace(/session_id=[^&]+/, 'session_id=…')}`);
    } else {
      step(`2. Open this URL in a browser and connect your bank; waiting for ${app.url}/flanks/connect …`);
    }

    step('3. Our callback waited for the session and stored the connection');
    const record = await app.record;
    const stored = await store.listByUser(USER_ID);
    console.log(
      `  ${stored.length} connection(s) stored for ${USER_ID}; extra = ${JSON.stringify(record.extra)}`,
    );

    step(
      '4. Poll the credentials status until the first extraction is done (connection id = credentials token)',
    );
    const token = record.credentialsToken;
    const status = await flanks.credentials.waitUntilReady(token, {
      timeoutMs: live ? 600_000 : 60_000,
      pollIntervalMs: live ? 2_000 : 200,
      onStatus: (s, n) => console.log(`  poll ${n}: pending=${s.pending}`),
    });
    console.log(`  ready (last update ${status.last_update ?? 'n/a'})`);

    step('5. Fetch the data');
    const [portfolios, investments, accounts, transactions] = await Promise.all([
      flanks.aggregation.portfolios(token),
      flanks.aggregation.investments(token),
      flanks.aggregation.accounts(token),
      flanks.aggregation.accountTransactions(token),
    ]);
    console.log(
      `\n${formatReport(`Wealth report for ${USER_ID}`, { portfolios, investments, accounts, transactions })}`,
    );

    step('6. Aggregation v2 (beta): products across connections, labels, paged transactions');
    const products = await flanks.aggregationV2
      .listProducts({ query: { connection_id_in: [token] } })
      .toArray({ limit: 1_000 });
    const byType = new Map<string, number>();
    for (const p of products)
      byType.set(String(p.product_type), (byType.get(String(p.product_type)) ?? 0) + 1);
    console.log(`  ${products.length} products: ${[...byType].map(([t, n]) => `${n} ${t}`).join(', ')}`);
    const account = products.find((p) => p.product_type === 'Account');
    if (account) {
      await flanks.aggregationV2.setProductLabels(account.product_id, { user: USER_ID, purpose: 'salary' });
      console.log(
        `  labelled ${account.name ?? account.product_id} with ${JSON.stringify({ user: USER_ID, purpose: 'salary' })}`,
      );
      let pages = 0;
      let count = 0;
      for await (const page of flanks.aggregationV2
        .listTransactions({ query: { product_id_in: [account.product_id] } })
        .pages()) {
        pages += 1;
        count += page.items.length;
      }
      console.log(`  ${count} transactions of that account, read in ${pages} page(s)`);
    }

    step('7. Report v1 (beta): build a wealth summary and get its download URL');
    const templates = await flanks.reports.listTemplates();
    const template = templates[0];
    if (!template) {
      console.log('  no report templates in this company');
    } else {
      const report = await flanks.reports.build({
        templateId: template.template_id,
        query: { connection_id_in: [token] },
        templateAttributes: { title: `${template.name ?? 'Report'} for ${USER_ID}` },
        language: 'es',
      });
      await flanks.reports.waitUntilReady(report.report_id, {
        pollIntervalMs: live ? 2_000 : 50,
        onReport: (r) => console.log(`  report ${r.report_id}: ${r.status}`),
      });
      const url = await flanks.reports.getContentUrl(report.report_id);
      const file = await fetch(url);
      console.log(
        `  ${template.name}: ${(await file.arrayBuffer()).byteLength} bytes (${file.headers.get('content-type')})`,
      );
    }
  } finally {
    await app.close();
    await sandbox?.close();
  }
}

main().catch((error: unknown) => {
  console.error(`\n✗ ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  process.exitCode = 1;
});
