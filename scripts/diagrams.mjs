// Diagrams in the guides are images, so they show the same on GitHub, on npm and in the docs site
// (offline, no script). Each docs/diagrams/<name>.mmd (mermaid source) has a docs/diagrams/<name>.svg
// beside it, rendered by headless Chromium and committed with the source's SHA-256 in its first line.
//
//   node scripts/diagrams.mjs          render every diagram (fetches the mermaid package with
//                                      `npm pack`; needs Chromium: CHROMIUM_PATH or /usr/bin/chromium)
//   node scripts/diagrams.mjs --check  fail if an image is missing or older than its source (no
//                                      browser, no network; part of `npm run docs`)
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MERMAID = 'mermaid@12.3.0';
const DIR = 'docs/diagrams';
const sources = readdirSync(DIR).filter((f) => f.endsWith('.mmd'));
const hashOf = (text) => createHash('sha256').update(text).digest('hex');
const stamp = (name, text) =>
  `<!-- Rendered from ${name}.mmd (sha256 ${hashOf(text)}) by npm run docs:diagrams; do not edit. -->`;

if (process.argv.includes('--check')) {
  const stale = [];
  for (const file of sources) {
    const name = file.slice(0, -'.mmd'.length);
    const svg = join(DIR, `${name}.svg`);
    const expected = stamp(name, readFileSync(join(DIR, file), 'utf8'));
    if (!existsSync(svg) || readFileSync(svg, 'utf8').split('\n', 1)[0] !== expected) stale.push(svg);
  }
  if (stale.length) {
    console.error(
      `diagrams: ${stale.join(', ')} missing or older than its .mmd source; run npm run docs:diagrams`,
    );
    process.exit(1);
  }
  console.log(`diagrams: ${sources.length} image(s) match their source`);
} else {
  const { chromium } = await import('playwright-core');
  const tmp = mkdtempSync(join(tmpdir(), 'flanks-mermaid-'));
  try {
    execFileSync('npm', ['pack', MERMAID, '--silent', '--pack-destination', tmp], { stdio: 'ignore' });
    const tarball = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
    execFileSync('tar', ['-xzf', join(tmp, tarball), '-C', tmp, 'package/dist/mermaid.min.js']);
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    });
    try {
      const page = await browser.newPage();
      await page.addScriptTag({ path: join(tmp, 'package/dist/mermaid.min.js') });
      for (const file of sources) {
        const name = file.slice(0, -'.mmd'.length);
        const text = readFileSync(join(DIR, file), 'utf8');
        const svg = await page.evaluate(async (source) => {
          // Plain SVG text (no HTML in foreignObject) on a white ground, readable in a dark theme.
          window.mermaid.initialize({
            startOnLoad: false,
            theme: 'default',
            look: 'classic',
            htmlLabels: false,
            flowchart: { wrappingWidth: 600 },
          });
          const { svg } = await window.mermaid.render('diagram', source);
          return svg.replace(/^<svg ([^>]*?)style="/, '<svg $1style="background-color: white; ');
        }, text);
        writeFileSync(join(DIR, `${name}.svg`), `${stamp(name, text)}\n${svg}\n`);
        console.log(`diagrams: rendered ${DIR}/${name}.svg`);
      }
    } finally {
      await browser.close();
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
