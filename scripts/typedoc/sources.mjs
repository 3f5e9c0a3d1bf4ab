// Source links that work wherever the site is opened (hosted, or from disk) without a public git
// remote: the site carries its own copy of every file it links to, at source/<repo path>.html with
// one anchor per line (#L12). Two kinds of link lead there:
// - "Defined in" links: typedoc.json's sourceLinkTemplate writes `flanks-source:<path>#L<line>`,
//   which each page turns into a path relative to itself (typedoc writes the template verbatim).
// - Markdown links from the README and guides to code (`[the web app](examples/web-app/main.ts)`),
//   which typedoc would copy as raw files into media/ (a browser downloads a .ts file, it does not
//   show it): they are pointed at the source page instead and the raw copy is dropped.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, relative } from 'node:path';
import { PageEvent, RendererEvent } from 'typedoc';

const CODE = new Set([
  '.ts',
  '.tsx',
  '.mts',
  '.cts',
  '.js',
  '.mjs',
  '.cjs',
  '.json',
  '.sh',
  '.yml',
  '.yaml',
  '.sql',
]);
const LANGUAGE = { '.json': 'json', '.sh': 'bash', '.yml': 'yaml', '.yaml': 'yaml', '.sql': 'sql' };

const escapeHtml = (s) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const toRoot = (url) => '../'.repeat(url.split('/').length - 1);

/** @param {import('typedoc').Application} app */
export function load(app) {
  const root = () => app.options.getValue('displayBasePath') || process.cwd();
  /** repo-relative paths of the files the site links to */
  const files = new Set();
  /** media names (raw copies) that were replaced by a source page */
  const replacedMedia = new Set();

  app.renderer.on(PageEvent.END, (page) => {
    if (!page.contents) return;
    const up = toRoot(page.url);
    // Members inherited from a dependency (Error's `stack`, …) are defined outside the repository:
    // their "Defined in" stays plain text.
    page.contents = page.contents.replaceAll(
      /<a href="flanks-source:([^"#]+)([^"]*)">(.*?)<\/a>/g,
      (_m, path, anchor, text) => {
        if (path.startsWith('../') || path.startsWith('node_modules/')) return text;
        files.add(path);
        return `<a href="${up}source/${path}.html${anchor}">${text}</a>`;
      },
    );
    for (const [name, absolute] of page.project.files.getNameToAbsoluteMap()) {
      if (!CODE.has(extname(name))) continue;
      const media = `href="${up}media/${name}`;
      if (!page.contents.includes(media)) continue;
      const path = relative(root(), absolute).split('\\').join('/');
      files.add(path);
      replacedMedia.add(name);
      page.contents = page.contents.replaceAll(media, `href="${up}source/${path}.html`);
    }
  });

  app.renderer.on(RendererEvent.BEGIN, () => {
    files.clear();
    replacedMedia.clear();
    // Runs before the theme's own end-of-render job writes assets/highlight.css, so the colours
    // the source pages use are in it (jobs start in order; this one highlights before awaiting).
    app.renderer.postRenderAsyncJobs.unshift(async (event) => {
      const pages = [...files].sort().map((path) => [path, sourcePage(app, path, root())]);
      for (const [path, html] of pages) {
        const out = join(event.outputDirectory, 'source', `${path}.html`);
        mkdirSync(dirname(out), { recursive: true });
        writeFileSync(out, html);
      }
    });
  });

  app.renderer.on(RendererEvent.END, (event) => {
    for (const name of replacedMedia) rmSync(join(event.outputDirectory, 'media', name), { force: true });
  });
}

function sourcePage(app, path, root) {
  if (!existsSync(join(root, path)))
    throw new Error(`sources: the docs link to ${path}, which does not exist`);
  const text = readFileSync(join(root, path), 'utf8');
  const language = LANGUAGE[extname(path)] ?? 'typescript';
  // typedoc's highlighter (shiki) returns one line per `<br/>`; tokens never span lines.
  const highlighted = app.renderer.markedPlugin.getHighlighted(text.replace(/\n$/, ''), language);
  const lines = highlighted.split('<br/>').map((line, i) => {
    const n = i + 1;
    return `<span class="src-line" id="L${n}"><a class="src-n" href="#L${n}">${n}</a>${line}</span>`;
  });
  const up = toRoot(`source/${path}.html`);
  const name = escapeHtml(app.options.getValue('name'));
  return `<!DOCTYPE html>
<html class="default" lang="en" data-base="${up}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(path)} | ${name}</title>
<link rel="stylesheet" href="${up}assets/style.css">
<link rel="stylesheet" href="${up}assets/highlight.css">
<style>
  .src { margin: 1rem; }
  .src pre { padding: 0.5rem 0; overflow-x: auto; white-space: pre; }
  .src-line { display: block; padding-right: 1rem; }
  .src-line:target { background: var(--color-background-active, #ff03); }
  .src-n { display: inline-block; width: 4.5ch; margin-right: 2ch; text-align: right;
    color: var(--color-text-aside); user-select: none; text-decoration: none; }
</style>
</head>
<body>
<script>document.documentElement.dataset.theme = localStorage.getItem("tsd-theme") || "os";</script>
<main class="src">
<p><a href="${up}index.html">${name}</a> / source / <code>${escapeHtml(path)}</code></p>
<pre><code class="${language}">${lines.join('')}</code></pre>
</main>
</body>
</html>
`;
}
