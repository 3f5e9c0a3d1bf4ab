import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');

/** The sandbox, not the real API, even on a machine with Flanks credentials set. */
function sandboxEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('FLANKS_')) delete env[name];
  return env;
}

describe('examples/link-flow.ts (npm start)', () => {
  it('runs the whole Link flow against the sandbox and prints the wealth report', async () => {
    const { stdout } = await promisify(execFile)(
      resolve(root, 'node_modules/.bin/ts-node'),
      ['--project', 'examples/tsconfig.json', 'examples/link-flow.ts'],
      {
        cwd: root,
        timeout: 60_000,
        env: sandboxEnv(),
      },
    );
    // execFile rejects on a non-zero exit code, so reaching this line means exit code 0.
    expect(stdout).toContain('Flanks sandbox running at http://127.0.0.1:');
    expect(stdout).toContain('Wealth report for user-42');
    expect(stdout).toMatch(/Portfolios \(\d+\)/);
    expect(stdout).not.toContain('✗');
  }, 60_000);
});
