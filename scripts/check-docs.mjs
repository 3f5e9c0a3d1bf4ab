// The TSDoc rules of the public API, checked on typedoc's JSON model (`typedoc --json`), so they see
// exactly what users see:
//   1. Every export of every entry point, and every public member a class declares (method,
//      property, accessor), has a summary: a non-empty first paragraph.
//   2. `@example` is required on classes, on the public methods of exported classes and on options
//      types (interfaces and type aliases named `…Options` or `…Params`); elsewhere it is optional.
//   3. `@see` (a docs.flanks.io page): exactly one on each exported class, at class level; a method
//      has its own only when its page differs from its class's; nothing has more than one.
//   4. A schema is documented once: a type that is `z.infer<typeof XSchema>` (or z.output / z.input)
//      has a one-paragraph summary with `{@link XSchema}` and no block tags (the fields are
//      documented on the schema's shape, which typedoc-plugin-zod shows on the type's page). When
//      such a type is an options type, its `@example` is on the schema.
//   5. TSDoc (lines inside `/** … */`) is at most 30 % of the lines of src/resources: the docs there
//      inform instead of repeating. The share is printed per file and overall; the overall fails.
// A re-export (a subpath naming a main-entry type it uses) is documented where it is declared, and
// so is a member a class inherits, or implements from an interface (typedoc copies that comment).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAX_TSDOC_SHARE = 0.3;

// typedoc's ReflectionKind values.
const KIND = { class: 128, interface: 256, property: 1024, method: 2048, accessor: 262144, alias: 2097152 };

/** The comments of a reflection: its own, or its signatures' (functions, methods, accessors). */
const commentsOf = (r) =>
  [r.comment, ...(r.signatures ?? []).map((s) => s.comment), r.getSignature?.comment].filter(Boolean);
const textOf = (parts) => (parts ?? []).map((p) => p.text).join('');
const summaryOf = (r) =>
  commentsOf(r)
    .map((c) => textOf(c.summary).trim())
    .find((s) => s !== '') ?? '';
const blockTagsOf = (r) => commentsOf(r).flatMap((c) => c.blockTags ?? []);
// typedoc merges a comment's `@see` tags into one list, so the pages are counted by their URLs.
const seeUrlsOf = (comment) =>
  (comment.blockTags ?? [])
    .filter((t) => t.tag === '@see')
    .flatMap((t) => textOf(t.content).match(/https?:\/\/[^\s)>\]]+/g) ?? [textOf(t.content).trim()]);
const isOptionsType = (r) =>
  (r.kind === KIND.interface || r.kind === KIND.alias) && /(Options|Params)$/.test(r.name);

/** The `.ts` files under a directory. */
export function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/**
 * Type name → schema name, for every `export type X = z.infer<typeof XSchema>` (or z.output / z.input)
 * in the given sources. Read from the source: typedoc-plugin-zod replaces such a type in typedoc's
 * model by the fields it resolves to.
 */
export function inferredTypes(texts) {
  const inferred = new Map();
  for (const text of texts) {
    for (const m of text.matchAll(/export type (\w+) = z\.(?:infer|output|input)<typeof (\w+)>/g)) {
      inferred.set(m[1], m[2]);
    }
  }
  return inferred;
}

/**
 * The lines of a source file inside `/** … *\/` blocks, and all its lines (a final newline ends the
 * last line, it does not start one).
 */
export function tsdocLines(text) {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  let doc = 0;
  let inside = false;
  for (const line of lines) {
    const opens = !inside && /^\s*\/\*\*(?!\/)/.test(line);
    if (opens) inside = true;
    if (inside) {
      doc++;
      if (line.includes('*/', opens ? line.indexOf('/**') + 3 : 0)) inside = false;
    }
  }
  return { doc, lines: lines.length };
}

/**
 * Checks typedoc's JSON model against rules 1 to 4.
 * @returns {{ problems: string[], counts: Record<string, number> }}
 */
export function checkProject(project, { inferred = new Map() } = {}) {
  const problems = [];
  const counts = { exports: 0, members: 0, examples: 0, sees: 0, schemaTypes: 0 };
  const names = new Map(); // reflection id → name, to read where a {@link} points
  (function index(r) {
    names.set(r.id, r.name);
    for (const c of r.children ?? []) index(c);
  })(project);

  const checkSummary = (where, r) => {
    if (summaryOf(r) === '') problems.push(`${where} has no summary`);
  };

  const checkExample = (where, r) => {
    if (blockTagsOf(r).some((t) => t.tag === '@example')) counts.examples++;
    else problems.push(`${where} has no @example`);
  };

  const checkSee = (where, r, { required = false, classUrl } = {}) => {
    // Overloads share one comment (typedoc gives it to each signature): count per comment.
    const perComment = commentsOf(r).map(seeUrlsOf);
    const most = Math.max(0, ...perComment.map((urls) => urls.length));
    counts.sees += most;
    if (most > 1) problems.push(`${where} has ${most} @see (at most one)`);
    if (required && most !== 1) problems.push(`${where} needs exactly one @see (its docs.flanks.io page)`);
    for (const url of new Set(perComment.flat())) {
      if (!url.includes('docs.flanks.io'))
        problems.push(`${where}: @see is not a docs.flanks.io page: ${url}`);
      if (url === classUrl) problems.push(`${where}: @see repeats its class's; drop it`);
    }
  };

  const checkClass = (where, cls) => {
    checkExample(where, cls);
    checkSee(where, cls, { required: true });
    const classUrl = commentsOf(cls).flatMap(seeUrlsOf)[0];
    for (const m of cls.children ?? []) {
      // Inherited members are checked where declared (or are the platform's, e.g. Error.stack).
      const f = m.flags ?? {};
      if (f.isInherited || f.isExternal || f.isPrivate || f.isProtected) continue;
      if (![KIND.method, KIND.property, KIND.accessor].includes(m.kind)) continue;
      const at = `${where}.${m.name}`;
      counts.members++;
      checkSummary(at, m);
      if (m.kind === KIND.method) checkExample(at, m);
      checkSee(at, m, { classUrl });
    }
  };

  const checkSchemaType = (where, r, schema, mod) => {
    counts.schemaTypes++;
    const points = commentsOf(r).some((c) =>
      (c.summary ?? []).some(
        (p) => p.kind === 'inline-tag' && p.tag === '@link' && (names.get(p.target) ?? p.text) === schema,
      ),
    );
    if (!points) problems.push(`${where} must point to its schema with {@link ${schema}}`);
    if (/\n\s*\n/.test(summaryOf(r)))
      problems.push(`${where}: one paragraph only, the schema holds the rest`);
    const tags = blockTagsOf(r).map((t) => t.tag);
    if (tags.length > 0)
      problems.push(`${where} has ${tags.join(', ')}: the schema carries those, not its type`);
    const schemaReflection = mod.children?.find((c) => c.name === schema);
    if (isOptionsType(r) && schemaReflection) checkExample(`${mod.name}: ${schema}`, schemaReflection);
  };

  // A project with one entry point has its exports at the top; with several, one module each.
  const modules = project.children?.some((c) => c.kind === 2) ? project.children : [project];
  for (const mod of modules) {
    for (const r of mod.children ?? []) {
      if (r.variant === 'reference') continue;
      const where = `${mod.name}: ${r.name}`;
      counts.exports++;
      checkSummary(where, r);
      const schema = inferred.get(r.name);
      if (r.kind === KIND.alias && schema !== undefined) checkSchemaType(where, r, schema, mod);
      else if (r.kind === KIND.class) checkClass(where, r);
      else {
        if (isOptionsType(r)) checkExample(where, r);
        checkSee(where, r);
      }
    }
  }
  return { problems, counts };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = join(mkdtempSync(join(tmpdir(), 'flanks-docs-')), 'api.json');
  execFileSync('npx', ['typedoc', '--json', out, '--logLevel', 'Error'], { stdio: 'inherit' });
  const project = JSON.parse(readFileSync(out, 'utf8'));
  const inferred = inferredTypes(sourceFiles('src').map((file) => readFileSync(file, 'utf8')));
  const { problems, counts } = checkProject(project, { inferred });

  // Rule 5, on the source: the share of TSDoc, per file and overall.
  const shares = sourceFiles('src/resources').map((file) => ({
    file,
    ...tsdocLines(readFileSync(file, 'utf8')),
  }));
  const total = shares.reduce((sum, s) => ({ doc: sum.doc + s.doc, lines: sum.lines + s.lines }), {
    doc: 0,
    lines: 0,
  });
  const row = (name, { doc, lines }) =>
    `  ${name.padEnd(34)} ${String(doc).padStart(5)} / ${String(lines).padStart(5)}  ${((100 * doc) / lines).toFixed(1)} %`;
  console.log(`docs: TSDoc share of src/resources (at most ${MAX_TSDOC_SHARE * 100} % overall)`);
  for (const s of shares) console.log(row(s.file, s));
  console.log(row('overall', total));
  if (total.doc / total.lines > MAX_TSDOC_SHARE) {
    problems.push(
      `TSDoc is ${((100 * total.doc) / total.lines).toFixed(1)} % of src/resources (at most ${MAX_TSDOC_SHARE * 100} %): cut what repeats, keep what informs`,
    );
  }
  if (problems.length) {
    console.error(`${problems.length} documentation problem(s):\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.log(
    `docs: ${counts.exports} exports and ${counts.members} class members summarised; ` +
      `${counts.examples} @example, ${counts.sees} @see; ${counts.schemaTypes} schema types checked against their schema`,
  );
}
