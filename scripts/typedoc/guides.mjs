// Site layout. The guides in docs/ and the project files (CHANGELOG.md, CONTRIBUTING.md,
// SECURITY.md) are plain GitHub markdown: no YAML frontmatter, which GitHub shows as a table. In
// the site each is titled by its first `# heading` and listed in the order typedoc.json's
// projectDocuments gives: docs/*.md under "Guides" at guides/<file name>.html, the others under
// "Project" at <file name>.html, so a URL stays put when a title changes. The entry points (named
// by their `@module` tag after the import path) are listed under "API reference".
import { basename, dirname, relative } from 'node:path';
import { Comment, CommentTag, Converter, KindRouter, ReflectionKind } from 'typedoc';

const guidesDir = (app) => `${app.options.getValue('basePath') || process.cwd()}/docs`;

class SiteRouter extends KindRouter {
  getIdealBaseName(reflection) {
    const file = reflection.isDocument() ? reflection.project.files.getReflectionPath(reflection) : undefined;
    if (!file) return super.getIdealBaseName(reflection);
    const name = basename(file, '.md').toLowerCase();
    return dirname(file) === guidesDir(this.application) ? `guides/${name}` : name;
  }
}

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.renderer.defineRouter('site', SiteRouter);
  app.converter.on(Converter.EVENT_CREATE_DOCUMENT, (_context, doc) => {
    const first = doc.content[0];
    const heading = first?.kind === 'text' ? /^#\s+(.+)\n/.exec(first.text) : null;
    if (heading && typeof doc.frontmatter.title !== 'string') doc.name = heading[1].trim();
    const file = doc.project.files.getReflectionPath(doc);
    doc.frontmatter.group ??= file && !relative(guidesDir(app), file).startsWith('..') ? 'Guides' : 'Project';
  });
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const mod of context.project.getChildrenByKind(ReflectionKind.Module)) {
      mod.comment ??= new Comment();
      mod.comment.blockTags.push(new CommentTag('@group', [{ kind: 'text', text: 'API reference' }]));
    }
  });
}
