/*
 * The daily refresh job a backend runs (`npx ts-node --project examples/tsconfig.json examples/refresh-job.ts`).
 *
 * For every user it walks the credentials stored in your CredentialStore, reads each credential's
 * status, re-fetches the data of the ready ones (portfolios, accounts, account transactions) and
 * prints a report: what was refreshed, and which users must come back to their bank (a blocked
 * login → reconnect through the Link; an SCA request → confirm it through the Link).
 *
 * One bad credential never stops the job: its error is recorded in the summary and the job moves
 * on. Only a rejected CLIENT_ID / CLIENT_SECRET stops it, since every other call would fail too.
 *
 * Run directly, it starts the embedded sandbox and seeds four users: one healthy (two banks), one
 * whose bank login is blocked, one whose bank wants SCA again and one whose accounts failed to
 * extract.
 */
import {
  type CredentialRecord,
  type CredentialStateSummary,
  type CredentialStore,
  credentialState,
  FlanksApiError,
  FlanksAuthError,
  FlanksClient,
  FlanksConnectionError,
  FlanksDataError,
  FlanksDataNotReadyError,
  FlanksRateLimitError,
  FlanksTimeoutError,
  MemoryCredentialStore,
} from 'flanks-sdk';
import { SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, startSandbox } from 'flanks-sdk/testing';

/** The state of one credential after the job: `credentialState()`'s states plus `failed`. */
export type RefreshState = CredentialStateSummary['state'] | 'failed';

/** What to do about a credential the job could not refresh. */
export type RefreshAction =
  /** Blocked bank login: send the user through the Link again to re-enter their password. */
  | 'reconnect'
  /** The bank asks for strong customer authentication again: send the user through the Link. */
  | 'confirm_sca'
  /** A passing problem (first extraction still running, timeout, rate limit…): try again later. */
  | 'retry_later'
  /** Something a developer must look at (see `error`). */
  | 'investigate';

export interface CredentialRefresh {
  userId: string;
  /** Flanks' bank id (`status.name`), or `unknown` when the status could not be read. */
  bank: string;
  /** Secret: keep it out of logs (the report prints `ref` instead). */
  credentialsToken: string;
  /** Last four characters of the token, enough to find the credential in your store. */
  ref: string;
  state: RefreshState;
  action?: RefreshAction;
  portfolios: number;
  accounts: number;
  accountTransactions: number;
  /** Sum of the portfolios' balances (the sandbox's are all in EUR; group by currency if yours mix). */
  totalBalance: number;
  /** Data types whose extraction failed at Flanks, e.g. `account`, `transactions.account`. */
  dataErrors: string[];
  /** Why the credential failed; safe to log (FlanksError messages carry no secrets). */
  error?: string;
}

export interface RefreshJobSummary {
  startedAt: string;
  durationMs: number;
  /** One entry per stored credential, in user order. */
  credentials: CredentialRefresh[];
  /** The credentials whose user must come back: tell them by email, push or a banner. */
  needUser: Array<
    Pick<CredentialRefresh, 'userId' | 'bank' | 'ref'> & { action: 'reconnect' | 'confirm_sca' }
  >;
  totals: {
    credentials: number;
    refreshed: number;
    needUser: number;
    failed: number;
    portfolios: number;
    totalBalance: number;
  };
}

export interface RefreshJobOptions {
  flanks: FlanksClient;
  store: CredentialStore;
  /** Your users (from your database). The store is asked for each one's credentials. */
  userIds: readonly string[];
  /** Credentials refreshed at the same time. Default 4; keep it low to stay clear of rate limits. */
  concurrency?: number;
  /** Progress lines. Default `console.log`. */
  log?: (line: string) => void;
}

const ACTIONS: Partial<Record<RefreshState, RefreshAction>> = {
  needs_reset: 'reconnect',
  needs_sca: 'confirm_sca',
  pending: 'retry_later',
};

/** Runs `work` over `items` with at most `concurrency` in flight; results keep the input order. */
async function mapPool<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>) {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

/**
 * Fetches one data type; a data type whose extraction failed at Flanks (`FlanksDataError`) counts as
 * empty and is noted, so the rest of the credential's data is still refreshed.
 */
async function fetchKind<T>(kind: string, dataErrors: string[], fetch: () => Promise<T[]>): Promise<T[]> {
  try {
    return await fetch();
  } catch (error) {
    if (error instanceof FlanksDataError) {
      if (!dataErrors.includes(kind)) dataErrors.push(kind);
      return [];
    }
    throw error;
  }
}

/** Turns an error into the credential's outcome; rethrows what must stop the whole job. */
function outcomeOf(error: unknown): Pick<CredentialRefresh, 'state' | 'action' | 'error'> {
  if (error instanceof FlanksAuthError) throw error; // wrong CLIENT_ID / CLIENT_SECRET: every call would fail
  if (error instanceof FlanksDataNotReadyError) return { state: 'pending', action: 'retry_later' };
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  if (
    error instanceof FlanksRateLimitError ||
    error instanceof FlanksTimeoutError ||
    error instanceof FlanksConnectionError ||
    (error instanceof FlanksApiError && error.retryable)
  ) {
    return { state: 'failed', action: 'retry_later', error: message };
  }
  if (error instanceof FlanksApiError && error.status === 400) {
    const hint =
      'Flanks does not know this credential (deleted?): compare your store with credentials.list()';
    return { state: 'failed', action: 'investigate', error: `${message} (${hint})` };
  }
  // Any other FlanksError, or an error of your own code: still one credential only.
  return { state: 'failed', action: 'investigate', error: message };
}

/** Adds amounts in cents, so the total is exact to the cent (0.1 + 0.2 is 0.3, not 0.30000000000000004). */
const sumMoney = (amounts: Array<number | null | undefined>) =>
  amounts.reduce<number>((cents, amount) => cents + Math.round((amount ?? 0) * 100), 0) / 100;

async function refreshCredential(flanks: FlanksClient, record: CredentialRecord): Promise<CredentialRefresh> {
  const token = record.credentialsToken;
  const result: CredentialRefresh = {
    userId: record.userId,
    bank: 'unknown',
    credentialsToken: token,
    ref: `…${token.slice(-4)}`,
    state: 'pending',
    portfolios: 0,
    accounts: 0,
    accountTransactions: 0,
    totalBalance: 0,
    dataErrors: [],
  };
  try {
    const status = await flanks.credentials.getStatus(token);
    const summary = credentialState(status);
    result.bank = status.name ?? 'unknown';
    result.state = summary.state;
    result.action = ACTIONS[summary.state];
    result.dataErrors = summary.errored;
    if (summary.state !== 'ready' && summary.state !== 'partial_error') return result;

    const [portfolios, accounts, transactions] = await Promise.all([
      fetchKind('portfolio', result.dataErrors, () => flanks.aggregation.portfolios(token)),
      fetchKind('account', result.dataErrors, () => flanks.aggregation.accounts(token)),
      fetchKind('transactions.account', result.dataErrors, () =>
        flanks.aggregation.accountTransactions(token),
      ),
    ]);
    // Save portfolios, accounts and transactions to your database here.
    result.portfolios = portfolios.length;
    result.accounts = accounts.length;
    result.accountTransactions = transactions.length;
    result.totalBalance = sumMoney(portfolios.map((p) => p.balance));
    if (result.dataErrors.length > 0) result.state = 'partial_error';
    return result;
  } catch (error) {
    return { ...result, ...outcomeOf(error) };
  }
}

/** Refreshes every stored credential of `userIds`; never throws for one credential's problem. */
export async function runRefreshJob(options: RefreshJobOptions): Promise<RefreshJobSummary> {
  const { flanks, store, userIds, concurrency = 4, log = console.log } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new RangeError('concurrency must be an integer ≥ 1');
  const started = Date.now();
  const records: CredentialRecord[] = [];
  for (const userId of userIds) records.push(...(await store.listByUser(userId)));
  log(`Refreshing ${records.length} credential(s) of ${userIds.length} user(s), ${concurrency} at a time`);

  const credentials = await mapPool(records, concurrency, async (record) => {
    const result = await refreshCredential(flanks, record);
    log(
      `  ${result.userId} ${result.bank} ${result.ref}: ${result.state}${result.error ? ` (${result.error})` : ''}`,
    );
    return result;
  });

  const needUser = credentials.flatMap(({ userId, bank, ref, action }) =>
    action === 'reconnect' || action === 'confirm_sca' ? [{ userId, bank, ref, action }] : [],
  );
  const refreshed = credentials.filter((c) => c.state === 'ready' || c.state === 'partial_error');
  return {
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    credentials,
    needUser,
    totals: {
      credentials: credentials.length,
      refreshed: refreshed.length,
      needUser: needUser.length,
      failed: credentials.filter((c) => c.state === 'failed').length,
      portfolios: refreshed.reduce((sum, c) => sum + c.portfolios, 0),
      totalBalance: sumMoney(refreshed.map((c) => c.totalBalance)),
    },
  };
}

const money = (amount: number) =>
  new Intl.NumberFormat('es-ES', { style: 'currency', currency: 'EUR' }).format(amount);

const NEXT_STEP: Record<RefreshAction, string> = {
  reconnect: 'ask the user to reconnect (blocked login)',
  confirm_sca: 'ask the user to confirm SCA',
  retry_later: 'retry later',
  investigate: 'investigate',
};

/** The job's report as a plain-text table. */
export function formatRefreshReport(summary: RefreshJobSummary): string {
  const header = ['user', 'bank', 'credential', 'state', 'portfolios', 'total balance', 'next step'];
  const rows = summary.credentials.map((c) => {
    const refreshed = c.state === 'ready' || c.state === 'partial_error';
    return [
      c.userId,
      c.bank,
      c.ref,
      c.state + (c.dataErrors.length > 0 ? ` (${c.dataErrors.join(', ')})` : ''),
      refreshed ? String(c.portfolios) : '—',
      refreshed ? money(c.totalBalance) : '—',
      c.action ? NEXT_STEP[c.action] : '—',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const numeric = new Set([4, 5]);
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (numeric.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const { totals } = summary;
  return [
    line(header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map(line),
    '',
    `${totals.refreshed} of ${totals.credentials} credential(s) refreshed, ${totals.portfolios} portfolio(s), ${money(totals.totalBalance)} in total; ${totals.needUser} need the user back, ${totals.failed} failed (${summary.durationMs} ms)`,
    ...summary.needUser.map((n) => `  → ${n.userId}: ${NEXT_STEP[n.action]} at ${n.bank} (${n.ref})`),
  ].join('\n');
}

/** Demo: the sandbox, four users with stored credentials, one run of the job. */
async function main() {
  const sandbox = await startSandbox({ pendingPolls: 0 });
  try {
    const store = new MemoryCredentialStore();
    const flanks = new FlanksClient({
      clientId: SANDBOX_CLIENT_ID,
      clientSecret: SANDBOX_CLIENT_SECRET,
      baseUrl: sandbox.url,
      linkBaseUrl: sandbox.linkBaseUrl,
      store,
    });
    // In production these records come from flanks.completeLink() when each user went through the Link.
    const seed = async (userId: string, options: { bank?: string; password?: string } = {}) => {
      const credentialsToken = sandbox.sandbox.createCredential({ externalId: userId, ...options });
      await store.save({ userId, credentialsToken, createdAt: new Date().toISOString(), extra: {} });
      return credentialsToken;
    };
    await seed('alice');
    await seed('alice', { bank: 'bankinter' });
    sandbox.sandbox.block(await seed('bob')); // bob changed his bank password
    sandbox.sandbox.requireSca(await seed('carol', { bank: 'bbva' })); // carol's bank wants SCA again
    await seed('dave', { password: 'DATA_ERROR_PRODUCT_ACCOUNT' }); // dave's accounts failed to extract

    const summary = await runRefreshJob({ flanks, store, userIds: ['alice', 'bob', 'carol', 'dave'] });
    console.log(`\n${formatRefreshReport(summary)}`);
  } finally {
    await sandbox.close();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`\n✗ ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    process.exitCode = 1;
  });
}
