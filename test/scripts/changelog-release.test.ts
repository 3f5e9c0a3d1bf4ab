import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const SCRIPT = resolve('scripts/changelog-release.mjs');
let dir: string;

const HEAD = '# Changelog\n\nIntro.\n\n';
const OLD = '## [0.1.0] - 2026-12-01\n\n### Added\n- The client.\n';

function project(version: string, changelog: string): string {
  dir = mkdtempSync(join(tmpdir(), 'flanks-release-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'x', version }));
  writeFileSync(join(dir, 'CHANGELOG.md'), changelog);
  return dir;
}

async function release(cwd: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await run(process.execPath, [SCRIPT], { cwd });
    return { code: 0, output: stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: e.stdout + e.stderr };
  }
}

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('scripts/changelog-release.mjs (npm version)', () => {
  it('turns the Unreleased entries into the new version, dated today, and empties Unreleased', async () => {
    const cwd = project(
      '0.2.0',
      `${HEAD}## [Unreleased]\n\n### Fixed\n- A bug.\n\n### Added\n- A method.\n\n${OLD}`,
    );
    const { code, output } = await release(cwd);
    const today = new Date().toISOString().slice(0, 10);
    expect(output).toContain(`the Unreleased entries are now 0.2.0 (${today})`);
    expect(code).toBe(0);
    expect(readFileSync(join(cwd, 'CHANGELOG.md'), 'utf8')).toBe(
      `${HEAD}## [Unreleased]\n\n## [0.2.0] - ${today}\n\n### Fixed\n- A bug.\n\n### Added\n- A method.\n\n${OLD}`,
    );
  });

  it('refuses a release with nothing under Unreleased, and leaves the file alone', async () => {
    const before = `${HEAD}## [Unreleased]\n\n${OLD}`;
    const cwd = project('0.2.0', before);
    expect(await release(cwd)).toEqual({
      code: 1,
      output: expect.stringContaining('nothing under "## [Unreleased]" to release as 0.2.0'),
    });
    expect(readFileSync(join(cwd, 'CHANGELOG.md'), 'utf8')).toBe(before);
  });

  it('refuses a version the changelog already has', async () => {
    const cwd = project('0.1.0', `${HEAD}## [Unreleased]\n\n### Fixed\n- A bug.\n\n${OLD}`);
    expect(await release(cwd)).toEqual({
      code: 1,
      output: expect.stringContaining('already has a section for 0.1.0'),
    });
  });
});
