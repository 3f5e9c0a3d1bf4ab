// `npm version <major|minor|patch>` runs this (package.json's "version" script) after bumping
// package.json and before committing: the entries under "## [Unreleased]" in CHANGELOG.md become
// the new version's section, dated today (UTC), and Unreleased starts empty again. Refuses to
// release with nothing under Unreleased, or a version CHANGELOG.md already has.
import { readFileSync, writeFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
const text = readFileSync('CHANGELOG.md', 'utf8');
const fail = (message) => {
  console.error(`changelog: ${message}`);
  process.exit(1);
};

const unreleased = /^## \[Unreleased\][^\n]*\n/m.exec(text);
if (!unreleased) fail('CHANGELOG.md has no "## [Unreleased]" heading');
if (new RegExp(`^## \\[${version.replaceAll('.', '\\.')}\\]`, 'm').test(text))
  fail(`CHANGELOG.md already has a section for ${version}`);
const start = unreleased.index + unreleased[0].length;
const next = text.slice(start).search(/^## \[/m);
const end = next === -1 ? text.length : start + next;
const entries = text.slice(start, end).trim();
if (!/^### /m.test(entries)) fail(`nothing under "## [Unreleased]" to release as ${version}`);

const date = new Date().toISOString().slice(0, 10);
const released = `${text.slice(0, start)}\n## [${version}] - ${date}\n\n${entries}\n\n${text.slice(end)}`;
writeFileSync('CHANGELOG.md', released);
console.log(`changelog: the Unreleased entries are now ${version} (${date})`);
