// Checks every link in the built docs site (default docs/api), offline: each href/src inside the
// site must name a file that exists and, with a #fragment, an element with that id in it; links
// into the sidebar's navigation data are checked the same way. Links out of the site (http,
// https, mailto) are only checked to be well-formed URLs: CI has no network.
//
//   node scripts/check-links.mjs [site dir]
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';

const EXTERNAL = /^(https?|mailto):/i;

/** Every file under dir, as paths relative to it with `/` separators. */
function walk(dir, base = dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? walk(path, base) : [relative(base, path).split('\\').join('/')];
  });
}

const decode = (value) =>
  value.replace(
    /&(amp|lt|gt|quot|#39);/g,
    (_m, e) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e],
  );

/** The links of a page: href and src attributes, and the paths in typedoc's navigation data. */
function linksOf(file, text) {
  const links = [...text.matchAll(/\s(?:href|src)="([^"]*)"/g)].map((m) => decode(m[1]));
  if (file.endsWith('assets/navigation.js')) {
    // typedoc stores the sidebar as base64 deflated JSON; its paths are relative to the site root.
    const data = /window\.navigationData = "([^"]+)"/.exec(text);
    if (data) {
      const nodes = JSON.parse(inflateSync(Buffer.from(data[1], 'base64')).toString('utf8'));
      const paths = [];
      const visit = (node) => {
        if (node.path) paths.push(`../${node.path}`);
        node.children?.forEach(visit);
      };
      nodes.forEach(visit);
      links.push(...paths);
    }
  }
  return links;
}

/**
 * Checks the site in dir.
 * @returns {{ problems: string[], pages: number, internal: number, anchors: number, external: number }}
 */
export function checkSite(dir) {
  const files = walk(dir);
  const fileSet = new Set(files);
  const ids = new Map();
  const idsOf = (file) => {
    if (!ids.has(file)) {
      const text = readFileSync(join(dir, file), 'utf8');
      ids.set(file, new Set([...text.matchAll(/\s(?:id|name)="([^"]*)"/g)].map((m) => decode(m[1]))));
    }
    return ids.get(file);
  };
  const problems = [];
  let internal = 0;
  let anchors = 0;
  let external = 0;
  const pages = files.filter((f) => f.endsWith('.html') || f.endsWith('assets/navigation.js'));
  for (const page of pages) {
    for (const link of linksOf(page, readFileSync(join(dir, page), 'utf8'))) {
      if (EXTERNAL.test(link)) {
        external++;
        try {
          new URL(link);
        } catch {
          problems.push(`${page}: malformed URL ${link}`);
        }
        continue;
      }
      if (/^[a-z][a-z0-9+.-]*:/i.test(link)) {
        problems.push(`${page}: unexpected link scheme ${link}`);
        continue;
      }
      const [pathAndQuery, fragment] = link.split('#', 2);
      const path = pathAndQuery.split('?')[0];
      let target =
        path === '' ? page : posix.normalize(posix.join(posix.dirname(page), decodeURIComponent(path)));
      if (target.startsWith('../')) {
        problems.push(`${page}: ${link} leaves the site`);
        continue;
      }
      if (!fileSet.has(target) && fileSet.has(posix.join(target, 'index.html')))
        target = posix.join(target, 'index.html');
      internal++;
      if (!fileSet.has(target)) {
        problems.push(`${page}: ${link} -> ${target} does not exist`);
        continue;
      }
      if (fragment && /\.(html|svg)$/.test(target)) {
        anchors++;
        if (!idsOf(target).has(decodeURIComponent(fragment)))
          problems.push(`${page}: ${link} -> no #${fragment} in ${target}`);
      }
    }
  }
  return { problems, pages: pages.length, internal, anchors, external };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = resolve(process.argv[2] ?? 'docs/api');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    console.error(`links: no site at ${dir}; run npm run docs first`);
    process.exit(1);
  }
  const { problems, pages, internal, anchors, external } = checkSite(dir);
  if (problems.length) {
    console.error(
      `links: ${problems.length} broken link(s) in ${relative(process.cwd(), dir) || dir}:\n  ${problems.join('\n  ')}`,
    );
    process.exit(1);
  }
  console.log(
    `links: ${pages} files, ${internal} internal links (${anchors} with an anchor) all resolve; ${external} external links well-formed (not fetched)`,
  );
}
