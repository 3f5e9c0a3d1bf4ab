// Checks that the README says what the SDK does, offline (part of `npm run typecheck`):
// - it stays a usage guide: at most 15,000 bytes; anything longer belongs in a guide in docs/;
// - every ```ts block type-checks against the SDK's source. The blocks of one `## section` are one
//   module, in order, compiled with examples/tsconfig.json (so 'flanks-sdk' is src/, and express and
//   vitest are the installed ones). A block may use undeclared only what the README leaves to you:
//   YOURS below;
// - the quick start's routes are the example web app's (examples/web-app/app.ts), the app the
//   README sends readers to: the same methods and paths.
//
//   node scripts/check-readme.mjs [README.md]
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const MAX_BYTES = 15_000;
const QUICK_START = 'Quick start';
const WEB_APP = join(ROOT, 'examples/web-app/app.ts');

/** What the README's snippets leave to the reader, and say so: your login. */
const YOURS = `declare function currentUser(req: import('express').Request): string;\n`;

/**
 * The ```ts blocks of a markdown text, grouped into one module per `## section`.
 * @returns {{ section: string, code: string, lines: number[] }[]} `lines[i]`: the markdown line (1-based) of the code's line i
 */
export function snippets(markdown) {
  const modules = new Map();
  let section = '';
  let block;
  markdown.split('\n').forEach((text, i) => {
    if (block) {
      if (/^```\s*$/.test(text)) block = undefined;
      else {
        block.code.push(text);
        block.lines.push(i + 1);
      }
      return;
    }
    const heading = /^##\s+(.+?)\s*$/.exec(text);
    if (heading) section = heading[1];
    else if (/^```(ts|typescript)\s*$/.test(text)) {
      if (!modules.has(section)) modules.set(section, { section, code: [], lines: [] });
      block = modules.get(section);
    }
  });
  return [...modules.values()].map((m) => ({ section: m.section, code: m.code.join('\n'), lines: m.lines }));
}

/** The Express routes a piece of code declares, as `GET /path`. */
export function routes(code) {
  return new Set(
    [...code.matchAll(/\bapp\.(get|post|put|patch|delete)\(\s*'([^']+)'/g)].map(
      ([, method, path]) => `${method.toUpperCase()} ${path}`,
    ),
  );
}

/**
 * Type-checks the modules against the SDK's source. Problems are located in the markdown file.
 * @param {{ section: string, code: string, lines: number[] }[]} modules
 * @param {string} markdownPath for messages
 * @returns {string[]} problems
 */
export function typeCheck(modules, markdownPath) {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, 'examples/tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  // Virtual files beside the examples, so that their tsconfig's paths and types apply.
  const dir = join(ROOT, 'examples/.readme');
  const files = new Map([[join(dir, 'yours.d.ts'), { code: YOURS }]]);
  for (const [i, m] of modules.entries()) files.set(join(dir, `section-${i}.ts`), m);
  const host = ts.createCompilerHost(config.options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, language, ...rest) =>
    files.has(name)
      ? ts.createSourceFile(name, files.get(name).code, language)
      : getSourceFile.call(host, name, language, ...rest);
  host.fileExists = (name) => files.has(name) || fileExists.call(host, name);
  host.readFile = (name) => files.get(name)?.code ?? readFile.call(host, name);
  const program = ts.createProgram({ rootNames: [...files.keys()], options: config.options, host });
  const where = relative(process.cwd(), markdownPath) || markdownPath;
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    const snippet = d.file && files.get(d.file.fileName);
    if (!d.file || d.start === undefined) return text;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    if (!snippet?.lines) return `${relative(ROOT, d.file.fileName)}:${line + 1}: ${text}`;
    return `${where}:${snippet.lines[line]} (## ${snippet.section}): ${text}`;
  });
}

/** Every problem of the README at `path`; empty when it is fine. */
export function checkReadme(path) {
  const markdown = readFileSync(path, 'utf8');
  const problems = [];
  const bytes = Buffer.byteLength(markdown);
  if (bytes > MAX_BYTES) {
    problems.push(
      `${path} is ${bytes} bytes, over ${MAX_BYTES}: move details into a guide in docs/ and link it.`,
    );
  }
  const modules = snippets(markdown);
  problems.push(...typeCheck(modules, path));
  const quickStart = modules.find((m) => m.section === QUICK_START);
  if (!quickStart) problems.push(`${path} has no ts block under "## ${QUICK_START}".`);
  else {
    const app = routes(readFileSync(WEB_APP, 'utf8'));
    const readme = routes(quickStart.code);
    for (const route of readme) {
      if (!app.has(route)) problems.push(`The quick start's ${route} is not in ${relative(ROOT, WEB_APP)}.`);
    }
    if (readme.size === 0) problems.push(`The quick start declares no route (app.get('/…')).`);
  }
  return problems;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const path = resolve(process.argv[2] ?? join(ROOT, 'README.md'));
  const problems = checkReadme(path);
  if (problems.length > 0) {
    for (const problem of problems) console.error(problem);
    process.exitCode = 1;
  } else {
    const count = snippets(readFileSync(path, 'utf8')).length;
    console.log(
      `readme: ${count} section(s) of ts type-check against src/; quick-start routes in the web app`,
    );
  }
}
