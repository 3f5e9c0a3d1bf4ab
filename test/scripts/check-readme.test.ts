import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script, no declarations
import { checkReadme, MAX_BYTES, routes, snippets } from '../../scripts/check-readme.mjs';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function writeReadme(text: string): string {
  dir = mkdtempSync(join(tmpdir(), 'flanks-readme-'));
  const path = join(dir, 'README.md');
  writeFileSync(path, text);
  return path;
}

describe('scripts/check-readme.mjs', () => {
  it('groups the ts blocks of each ## section into one module, remembering each line’s place', () => {
    const markdown = [
      '# title', // 1
      '## One', // 2
      '```ts', // 3
      'const a = 1;', // 4
      '```', // 5
      'text', // 6
      '```sh', // 7
      'npm test', // 8
      '```', // 9
      '```typescript', // 10
      'const b = a;', // 11
      '```', // 12
      '## Two', // 13
      '```ts', // 14
      'const c = 2;', // 15
      '```', // 16
    ].join('\n');
    expect(snippets(markdown)).toEqual([
      { section: 'One', code: 'const a = 1;\nconst b = a;', lines: [4, 11] },
      { section: 'Two', code: 'const c = 2;', lines: [15] },
    ]);
  });

  it('reads the Express routes a piece of code declares', () => {
    const code = "app.get('/connect', h);\napp.post( '/reconnect', h);\nrouter.get('/other', h);";
    expect([...routes(code)]).toEqual(['GET /connect', 'POST /reconnect']);
  });

  it('reports a wrong call, an unknown name, a route the web app lacks and an oversized README, at their lines', () => {
    const path = writeReadme(
      [
        '# x', // 1
        '## Quick start', // 2
        '```ts', // 3
        "import express from 'express';", // 4
        "import { FlanksClient } from 'flanks-sdk';", // 5
        'const flanks = new FlanksClient();', // 6
        'const app = express();', // 7
        '```', // 8
        'Then:', // 9
        '```ts', // 10
        "app.get('/nope', (req, res) => {", // 11
        '  res.redirect(flanks.links.buildUrl({ token: 42, userId: currentUser(req) }));', // 12
        '  res.send(notDeclared);', // 13
        '});', // 14
        '```', // 15
        'x'.repeat(MAX_BYTES),
      ].join('\n'),
    );
    const problems: string[] = checkReadme(path);
    expect(problems).toEqual([
      expect.stringMatching(/README\.md is \d+ bytes, over 15000/),
      expect.stringMatching(
        /README\.md:12 \(## Quick start\): Type 'number' is not assignable to type 'string'/,
      ),
      expect.stringMatching(/README\.md:13 \(## Quick start\): Cannot find name 'notDeclared'/),
      "The quick start's GET /nope is not in examples/web-app/app.ts.",
    ]);
  });
});
