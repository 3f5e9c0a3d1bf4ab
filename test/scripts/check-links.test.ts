import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { deflateSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const CHECKER = resolve('scripts/check-links.mjs');
let site: string;

function writeSite(files: Record<string, string>): string {
  site = mkdtempSync(join(tmpdir(), 'flanks-links-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(site, path)), { recursive: true });
    writeFileSync(join(site, path), text);
  }
  return site;
}

const navigation = (paths: string[]) =>
  `window.navigationData = "${deflateSync(JSON.stringify(paths.map((path) => ({ text: path, path })))).toString('base64')}"`;

async function check(dir: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await run(process.execPath, [CHECKER, dir]);
    return { code: 0, output: stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: e.stdout + e.stderr };
  }
}

afterEach(() => rmSync(site, { recursive: true, force: true }));

describe('scripts/check-links.mjs', () => {
  it('passes a site whose links, anchors and navigation all resolve, without fetching external links', async () => {
    const dir = writeSite({
      'index.html':
        '<a href="guides/a.html#setup">a</a> <a href="https://example.invalid/x">out</a> <img src="media/d.svg">',
      'guides/a.html': '<h2 id="setup">Setup</h2><a href="../index.html">home</a><a href="#setup">here</a>',
      'media/d.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
      'assets/navigation.js': navigation(['guides/a.html']),
    });
    const { code, output } = await check(dir);
    expect(output).toContain(
      'links: 3 files, 5 internal links (2 with an anchor) all resolve; 1 external links',
    );
    expect(code).toBe(0);
  });

  it('reports each missing file, missing anchor, malformed URL, unknown scheme and broken navigation entry', async () => {
    const dir = writeSite({
      'index.html': [
        '<a href="guides/missing.html">1</a>',
        '<a href="guides/a.html#nowhere">2</a>',
        '<a href="https://exa mple">3</a>',
        '<a href="flanks-source:src/client.ts#L1">4</a>',
        '<a href="../outside.html">5</a>',
      ].join(''),
      'guides/a.html': '<h2 id="setup">Setup</h2>',
      'assets/navigation.js': navigation(['guides/gone.html']),
    });
    const { code, output } = await check(dir);
    expect(code).toBe(1);
    expect(output).toContain('6 broken link(s)');
    expect(output).toContain('index.html: guides/missing.html -> guides/missing.html does not exist');
    expect(output).toContain('index.html: guides/a.html#nowhere -> no #nowhere in guides/a.html');
    expect(output).toContain('index.html: malformed URL https://exa mple');
    expect(output).toContain('index.html: unexpected link scheme flanks-source:src/client.ts#L1');
    expect(output).toContain('index.html: ../outside.html leaves the site');
    expect(output).toContain('assets/navigation.js: ../guides/gone.html -> guides/gone.html does not exist');
  });
});
