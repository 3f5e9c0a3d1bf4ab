import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FlanksClient } from '../client';
import { FlanksApiError, FlanksError, FlanksValidationError, type ShapeReport } from '../core/errors';
import { VERSION } from '../version';

/*
 * `flanks-sdk doctor`: checks what the real Flanks API answers for one credential against the SDK's
 * schemas, so a user can send us the shapes we got wrong. Its rules:
 * - Read-only: the status and every Aggregation read (v0 fetchers; the first page of the v2 lists,
 *   filtered to this connection). Never force, delete, exchange, labels or anything that writes.
 * - Every call in `strict` validation; a mismatch is recorded with its shape report (no values).
 * - Nothing secret is printed or written: not the client secret, not the credentials token, not an
 *   error message (it could quote Flanks' text); errors are reduced to class, status and a code that
 *   looks like a code.
 * - Exit code: 0 when every endpoint answered and matched, 1 when one did not match, 3 when none
 *   mismatched but some could not be checked (an error answer, no connection) or the run failed,
 *   2 for bad usage.
 */

export const DOCTOR_USAGE = `Usage: flanks-sdk doctor [<credentials-token>] [--json] [--out <file>] [--base-url <url>] [--sandbox]

Calls the credential status and every read-only Aggregation endpoint for one credential, checks each
answer against the SDK's schemas (strict validation), prints a table and writes the redacted shape
reports (keys and types, no values) to a file you can attach to a bug report.

  <credentials-token>  the credential to check (default: FLANKS_CREDENTIALS_TOKEN; prefer the
                       environment, which keeps the token out of your shell history)
  --json               print the results as JSON instead of a table
  --out <file>         where to write the report (default: flanks-doctor-report.json)
  --base-url <url>     the API base URL (default: FLANKS_BASE_URL, else https://api.flanks.io)
  --sandbox            run against the embedded sandbox with a demo credential (no account needed)

Environment: FLANKS_CLIENT_ID and FLANKS_CLIENT_SECRET (required without --sandbox).
Exit code: 0 all matched, 1 a response did not match, 3 some endpoints could not be checked, 2 usage.
`;

/** Where the doctor reads and writes: the process by default, a fake in tests. */
export interface DoctorIo {
  env: Record<string, string | undefined>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
}

type Outcome = 'ok' | 'mismatch' | 'not-checked';

interface DoctorResult {
  endpoint: string;
  call: string;
  outcome: Outcome;
  report?: ShapeReport;
  error?: { name: string; status?: number; code?: string | number };
}

interface Check {
  call: string;
  endpoint: string;
  run: (flanks: FlanksClient, token: string) => Promise<unknown>;
}

const v0 = (call: keyof FlanksClient['aggregation'] & string, kind: string): Check => ({
  call: `aggregation.${call}`,
  endpoint: `POST /v0/bank/credentials/${kind}`,
  run: (flanks, token) =>
    (flanks.aggregation[call] as (t: string) => Promise<unknown>).call(flanks.aggregation, token),
});

async function firstPage(pages: AsyncGenerator<unknown>): Promise<void> {
  await pages.next();
  await pages.return(undefined);
}

const CHECKS: Check[] = [
  {
    call: 'credentials.getStatus',
    endpoint: 'POST /v0/bank/credentials/status',
    run: (flanks, token) => flanks.credentials.getStatus(token),
  },
  v0('portfolios', 'portfolio'),
  v0('investments', 'investment'),
  v0('investmentTransactions', 'investment/transaction'),
  v0('accounts', 'account'),
  v0('accountTransactions', 'data'),
  v0('liabilities', 'liability'),
  v0('liabilityTransactions', 'liability/transaction'),
  v0('cards', 'card'),
  v0('cardTransactions', 'card/transaction'),
  v0('holders', 'holder'),
  v0('identity', 'auth'),
  {
    call: 'aggregationV2.listProducts',
    endpoint: 'POST /aggregation/v2/list-products',
    run: (flanks, token) =>
      firstPage(flanks.aggregationV2.listProducts({ query: { connection_id_in: [token] } }).pages()),
  },
  {
    call: 'aggregationV2.listTransactions',
    endpoint: 'POST /aggregation/v2/list-transactions',
    run: (flanks, token) =>
      firstPage(flanks.aggregationV2.listTransactions({ query: { connection_id_in: [token] } }).pages()),
  },
];

/** An error reduced to what cannot hold a secret or a value of the user's data. */
function describeError(error: unknown): NonNullable<DoctorResult['error']> {
  const name = error instanceof Error ? error.name : 'Error';
  if (!(error instanceof FlanksApiError)) return { name };
  const code = error.code;
  const safeCode =
    typeof code === 'number' || (typeof code === 'string' && /^[A-Za-z_]{1,40}$/.test(code))
      ? code
      : undefined;
  return { name, status: error.status, ...(safeCode !== undefined ? { code: safeCode } : {}) };
}

async function check(flanks: FlanksClient, token: string, item: Check): Promise<DoctorResult> {
  const base = { endpoint: item.endpoint, call: item.call };
  try {
    await item.run(flanks, token);
    return { ...base, outcome: 'ok' };
  } catch (error) {
    if (error instanceof FlanksValidationError && error.report) {
      return { ...base, outcome: 'mismatch', report: error.report };
    }
    return { ...base, outcome: 'not-checked', error: describeError(error) };
  }
}

function summaryOf(result: DoctorResult): string {
  if (result.outcome === 'ok') return 'ok';
  if (result.outcome === 'mismatch') {
    const issues = result.report?.issues ?? [];
    return `MISMATCH: ${issues.map((i) => `${i.path} expected ${i.expected}, got ${i.received}`).join('; ')}`;
  }
  const e = result.error;
  const detail =
    e?.name === 'FlanksDataNotReadyError'
      ? 'data not extracted yet'
      : e?.name === 'FlanksDataError'
        ? 'Flanks reports a data error'
        : e?.status !== undefined
          ? `HTTP ${e.status}`
          : 'no answer';
  return `not checked: ${detail} (${e?.name ?? 'Error'}${e?.code !== undefined ? ` ${e.code}` : ''})`;
}

function table(results: DoctorResult[]): string {
  const width = Math.max(...results.map((r) => r.endpoint.length), 'endpoint'.length) + 2;
  const lines = [`${'endpoint'.padEnd(width)}result`, `${'-'.repeat(width - 2)}  ------`];
  for (const r of results) lines.push(`${r.endpoint.padEnd(width)}${summaryOf(r)}`);
  return lines.join('\n');
}

/** The API origin without user info, path or query: safe to print and to write. */
function originOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).origin;
  } catch {
    return 'invalid URL';
  }
}

/**
 * Runs `flanks-sdk doctor` with `args` (what follows `doctor` on the command line) and returns the
 * exit code. It never throws: bad arguments get the usage, failures a one-line message.
 */
export async function runDoctor(args: string[], io: DoctorIo): Promise<number> {
  let values: { json?: boolean; out?: string; 'base-url'?: string; sandbox?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        json: { type: 'boolean' },
        out: { type: 'string' },
        'base-url': { type: 'string' },
        sandbox: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    // parseArgs names the bad option, never an option's value.
    io.stderr(`flanks-sdk doctor: ${(error as Error).message}\n\n${DOCTOR_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout(DOCTOR_USAGE);
    return 0;
  }
  const usage = (problem: string) => {
    io.stderr(`flanks-sdk doctor: ${problem}\n\n${DOCTOR_USAGE}`);
    return 2;
  };
  if (positionals.length > 1) return usage('expected at most one credentials token.');
  if (values.sandbox && (positionals.length > 0 || values['base-url'] !== undefined)) {
    return usage('--sandbox takes no credentials token and no --base-url: it makes its own.');
  }
  const env = (name: string) => (io.env[name] === '' ? undefined : io.env[name]);
  let token = positionals[0] ?? env('FLANKS_CREDENTIALS_TOKEN');
  let clientId = env('FLANKS_CLIENT_ID');
  let clientSecret = env('FLANKS_CLIENT_SECRET');
  let baseUrl = values['base-url'] ?? env('FLANKS_BASE_URL') ?? 'https://api.flanks.io';
  let stop: (() => Promise<void>) | undefined;
  if (values.sandbox) {
    const { startSandbox } = await import('../testing/server');
    const { SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET } = await import('../testing/sandbox');
    const running = await startSandbox({ pendingPolls: 0 });
    stop = () => running.close();
    token = running.sandbox.createCredential({ pendingPolls: 0 });
    clientId = SANDBOX_CLIENT_ID;
    clientSecret = SANDBOX_CLIENT_SECRET;
    baseUrl = running.url;
  } else {
    if (token === undefined) {
      return usage('no credentials token: pass one, or set FLANKS_CREDENTIALS_TOKEN.');
    }
    if (clientId === undefined || clientSecret === undefined) {
      return usage(
        'set FLANKS_CLIENT_ID and FLANKS_CLIENT_SECRET (your application in https://platform.flanks.io).',
      );
    }
  }
  try {
    let flanks: FlanksClient;
    try {
      flanks = new FlanksClient({
        clientId,
        clientSecret,
        baseUrl,
        validation: 'strict',
        maxRetries: 1,
        logger: { debug() {}, info() {}, warn() {}, error() {} },
      });
    } catch (error) {
      // Option errors name the option, never its value.
      return usage(error instanceof FlanksError ? error.message : 'invalid configuration.');
    }
    const results: DoctorResult[] = [];
    for (const item of CHECKS) results.push(await check(flanks, token as string, item));
    const counts = {
      ok: results.filter((r) => r.outcome === 'ok').length,
      mismatch: results.filter((r) => r.outcome === 'mismatch').length,
      notChecked: results.filter((r) => r.outcome === 'not-checked').length,
    };
    const document = {
      tool: 'flanks-sdk doctor',
      sdkVersion: VERSION,
      node: typeof process !== 'undefined' ? process.version : 'unknown',
      api: values.sandbox ? 'embedded sandbox' : originOf(baseUrl),
      validation: 'strict',
      summary: counts,
      results,
    };
    const out = resolve(io.cwd, values.out ?? 'flanks-doctor-report.json');
    await writeFile(out, `${JSON.stringify(document, null, 2)}\n`);
    if (values.json) {
      io.stdout(`${JSON.stringify({ ...document, reportFile: out }, null, 2)}\n`);
    } else {
      io.stdout(
        [
          `flanks-sdk doctor ${VERSION}: ${document.api}, strict validation`,
          '',
          table(results),
          '',
          `${results.length} endpoints: ${counts.ok} ok, ${counts.mismatch} did not match, ${counts.notChecked} not checked.`,
          counts.mismatch > 0
            ? `Some answers differ from what the SDK expects. Please attach ${out} to a bug report: it holds the shape of each answer (keys and types), none of its values.`
            : `Report written to ${out} (shapes only, no values).`,
          '',
        ].join('\n'),
      );
    }
    return counts.mismatch > 0 ? 1 : counts.notChecked > 0 ? 3 : 0;
  } catch (error) {
    // A file-system code (EACCES, ENOENT …) or a class name: never a message that could quote data.
    const code = (error as { code?: unknown }).code;
    io.stderr(
      `flanks-sdk doctor: could not complete (${typeof code === 'string' ? code : error instanceof Error ? error.name : 'Error'}).\n`,
    );
    return 3;
  } finally {
    await stop?.();
  }
}
