import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DOCTOR_USAGE, runDoctor } from '../../src/cli/doctor';
import {
  type RunningSandbox,
  SANDBOX_CLIENT_ID,
  SANDBOX_CLIENT_SECRET,
  startSandbox,
} from '../../src/testing';

// `flanks-sdk doctor` run through its main function against the sandbox on loopback (the package
// smoke test spawns the built bin). The sandbox's answers match the schemas; a scheduled fault makes
// one of them differ.

let running: RunningSandbox;
let token: string;
let dir: string;

beforeAll(async () => {
  running = await startSandbox({ pendingPolls: 0 });
});
afterAll(() => running.close());
beforeEach(() => {
  running.sandbox.reset();
  token = running.sandbox.createCredential({ pendingPolls: 0 });
  dir = mkdtempSync(join(tmpdir(), 'flanks-doctor-test-'));
});

async function doctor(args: string[], env: Record<string, string | undefined> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runDoctor(args, {
    env: {
      FLANKS_CLIENT_ID: SANDBOX_CLIENT_ID,
      FLANKS_CLIENT_SECRET: SANDBOX_CLIENT_SECRET,
      FLANKS_BASE_URL: running.url,
      FLANKS_CREDENTIALS_TOKEN: token,
      ...env,
    },
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    cwd: dir,
  });
  const file = join(dir, 'flanks-doctor-report.json');
  let written: string | undefined;
  try {
    written = readFileSync(file, 'utf8');
  } catch {}
  return { code, stdout, stderr, written, all: `${stdout}\n${stderr}\n${written ?? ''}` };
}

const READS = [
  'POST /v0/bank/credentials/status',
  'POST /v0/bank/credentials/portfolio',
  'POST /v0/bank/credentials/investment',
  'POST /v0/bank/credentials/investment/transaction',
  'POST /v0/bank/credentials/account',
  'POST /v0/bank/credentials/data',
  'POST /v0/bank/credentials/liability',
  'POST /v0/bank/credentials/liability/transaction',
  'POST /v0/bank/credentials/card',
  'POST /v0/bank/credentials/card/transaction',
  'POST /v0/bank/credentials/holder',
  'POST /v0/bank/credentials/auth',
  'POST /aggregation/v2/list-products',
  'POST /aggregation/v2/list-transactions',
];

describe('flanks-sdk doctor', () => {
  it('checks the status and every read-only Aggregation endpoint, and nothing else', async () => {
    const before = running.sandbox.requests.length;
    const { code, stdout, written, all } = await doctor([]);
    expect(code).toBe(0);
    for (const endpoint of READS)
      expect(stdout).toMatch(new RegExp(`${endpoint.replaceAll('/', '\\/')}\\s+ok\\n`));
    expect(stdout).toContain('14 endpoints: 14 ok, 0 did not match, 0 not checked.');
    const sent = running.sandbox.requests.slice(before).map((r) => `${r.method} ${r.path}`);
    expect(new Set(sent)).toEqual(new Set(['POST /v0/token', ...READS]));
    // The v2 lists are filtered to this connection.
    const v2 = running.sandbox.requests.slice(before).filter((r) => r.path.startsWith('/aggregation/v2/'));
    for (const r of v2) expect(r.body).toEqual({ query: { connection_id_in: [token] } });
    expect(JSON.parse(written!)).toMatchObject({
      tool: 'flanks-sdk doctor',
      summary: { ok: 14, mismatch: 0 },
    });
    expect(all).not.toContain(token);
    expect(all).not.toContain(SANDBOX_CLIENT_SECRET);
  });

  it('a response off the schema: exit 1, its issues in the table, its redacted report in the file', async () => {
    const name = 'Bernardo Quintanilla Ortega';
    running.sandbox.failNext('/v0/bank/credentials/data', 1, {
      status: 200,
      body: [
        {
          _id: 'tx_1',
          amount: -12.5,
          description: `BIZUM A ${name}`,
          balance: '1.234,50',
          iban: 'ES9121000418450200051332',
        },
      ],
    });
    const { code, stdout, written, all } = await doctor([]);
    expect(code).toBe(1);
    expect(stdout).toMatch(
      /POST \/v0\/bank\/credentials\/data\s+MISMATCH: response\[\]\.balance expected number, got string\n/,
    );
    expect(stdout).toContain('14 endpoints: 13 ok, 1 did not match, 0 not checked.');
    expect(stdout).toContain('Please attach');
    const report = JSON.parse(written!).results.find(
      (r: { call: string }) => r.call === 'aggregation.accountTransactions',
    );
    expect(report).toMatchObject({
      outcome: 'mismatch',
      report: {
        endpoint: 'POST /v0/bank/credentials/data',
        validation: 'strict',
        schema: 'Transaction',
        issues: [{ path: 'response[].balance', expected: 'number', received: 'string', count: 1 }],
        shape: { 'response[].description': 'string', 'response[].iban': 'string' },
      },
    });
    for (const value of [name, 'BIZUM', '1.234,50', 'ES9121000418450200051332', '-12.5', 'tx_1', token]) {
      expect(all).not.toContain(value);
    }
  });

  it('an endpoint that answers an error is "not checked": exit 3, no error text printed', async () => {
    running.sandbox.failNext('/v0/bank/credentials/card', 1, {
      status: 404,
      body: { error: `Unknown credential ${token}`, code: 'NotFound' },
    });
    const { code, stdout, all } = await doctor([]);
    expect(code).toBe(3);
    expect(stdout).toMatch(
      /POST \/v0\/bank\/credentials\/card\s+not checked: HTTP 404 \(FlanksApiError NotFound\)\n/,
    );
    expect(all).not.toContain('Unknown credential');
    expect(all).not.toContain(token);
  });

  it('--json prints the results for machines; --out chooses the file', async () => {
    const { code, stdout } = await doctor(['--json', '--out', 'custom.json']);
    expect(code).toBe(0);
    const printed = JSON.parse(stdout);
    expect(printed.results).toHaveLength(14);
    expect(printed.reportFile).toBe(join(dir, 'custom.json'));
    expect(JSON.parse(readFileSync(join(dir, 'custom.json'), 'utf8')).summary).toEqual(printed.summary);
  });

  it('takes the credentials token as an argument too', async () => {
    const { code } = await doctor([token], { FLANKS_CREDENTIALS_TOKEN: undefined });
    expect(code).toBe(0);
  });

  it('--sandbox runs against the embedded sandbox with no configuration', async () => {
    const { code, stdout } = await doctor(['--sandbox'], {
      FLANKS_CLIENT_ID: undefined,
      FLANKS_CLIENT_SECRET: undefined,
      FLANKS_BASE_URL: undefined,
      FLANKS_CREDENTIALS_TOKEN: undefined,
    });
    expect(code).toBe(0);
    expect(stdout).toContain('embedded sandbox');
  });

  it.each([
    [['--no-such-flag'], {}, /Unknown option '--no-such-flag'/],
    [['a', 'b'], {}, /at most one credentials token/],
    [[], { FLANKS_CREDENTIALS_TOKEN: '' }, /no credentials token/],
    [[], { FLANKS_CLIENT_SECRET: undefined }, /set FLANKS_CLIENT_ID and FLANKS_CLIENT_SECRET/],
    [['--sandbox', 'ct_x'], {}, /--sandbox takes no credentials token/],
    [['--base-url', 'ftp://nope'], {}, /options.baseUrl must be an https URL/],
    [['--out'], {}, /argument missing/],
  ] as const)('bad arguments %j → the usage and exit 2, no stack trace', async (args, env, problem) => {
    const { code, stdout, stderr, written } = await doctor([...args], env);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(problem);
    expect(stderr).toContain(DOCTOR_USAGE);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stderr).not.toContain(SANDBOX_CLIENT_SECRET);
    expect(written).toBeUndefined();
  });

  it('--help prints the usage and exits 0', async () => {
    const { code, stdout } = await doctor(['--help']);
    expect(code).toBe(0);
    expect(stdout).toBe(DOCTOR_USAGE);
  });
});
