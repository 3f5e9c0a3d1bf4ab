import { execFile } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const SCRIPT = resolve('scripts/diagrams.mjs');
let repo: string;

beforeEach(() => {
  repo = mkdtempSync(join(tmpdir(), 'flanks-diagrams-'));
  cpSync('docs/diagrams', join(repo, 'docs/diagrams'), { recursive: true });
});
afterEach(() => rmSync(repo, { recursive: true, force: true }));

async function check(): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await run(process.execPath, [SCRIPT, '--check'], { cwd: repo });
    return { code: 0, output: stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: e.stdout + e.stderr };
  }
}

describe('scripts/diagrams.mjs --check', () => {
  it('passes when every committed image was rendered from its current source', async () => {
    expect(await check()).toEqual({
      code: 0,
      output: expect.stringMatching(/diagrams: \d+ image\(s\) match/),
    });
  });

  it('fails when a diagram source changed after its image was rendered', async () => {
    appendFileSync(join(repo, 'docs/diagrams/sync-fleet.mmd'), '  results --> producer\n');
    const { code, output } = await check();
    expect(code).toBe(1);
    expect(output).toContain('docs/diagrams/sync-fleet.svg missing or older than its .mmd source');
  });

  it('fails when a diagram has no image', async () => {
    rmSync(join(repo, 'docs/diagrams/sync-fleet.svg'));
    const { code, output } = await check();
    expect(code).toBe(1);
    expect(output).toContain('run npm run docs:diagrams');
  });
});
