// Fails when an exported name lacks TSDoc with an `@example` and an `@see` link to docs.flanks.io.
// Reads typedoc's JSON model (`typedoc --json`), so it sees exactly what users see.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const out = join(mkdtempSync(join(tmpdir(), 'flanks-docs-')), 'api.json');
execFileSync('npx', ['typedoc', '--json', out, '--logLevel', 'Error'], { stdio: 'inherit' });
const project = JSON.parse(readFileSync(out, 'utf8'));

const problems = [];
const tagsOf = (r) => {
  const comment = r.comment ?? r.signatures?.[0]?.comment ?? r.getSignature?.comment;
  return comment?.blockTags ?? [];
};
for (const mod of project.children ?? []) {
  for (const r of mod.children ?? []) {
    // A re-export (a subpath naming a main-entry type it uses) is documented where it is declared.
    if (r.variant === 'reference') continue;
    const tags = tagsOf(r);
    const example = tags.some((t) => t.tag === '@example');
    const see = tags.find((t) => t.tag === '@see');
    const seeText = see?.content?.map((c) => c.text).join('') ?? '';
    if (!example) problems.push(`${mod.name}: ${r.name} has no @example`);
    if (!see || !seeText.includes('docs.flanks.io'))
      problems.push(`${mod.name}: ${r.name} has no @see docs.flanks.io link`);
  }
}
if (problems.length) {
  console.error(`${problems.length} documentation problem(s):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('docs: every export has @example and @see');
