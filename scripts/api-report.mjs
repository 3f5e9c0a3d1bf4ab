// The public-API report: API Extractor reads the built declarations (dist/*.d.ts) of every entry
// point of package.json "exports" and writes what they export, one file per entry point, to
// api-report/. The files are checked in, so every change to the public API shows in review.
// - `npm run api:check` (in `npm run check` and CI, after the build) fails when the API differs
//   from the checked-in report, or when a type used in a public signature is not exported
//   (ae-forgotten-export is an error): users must be able to name every type they are handed.
// - `npm run api:update` rewrites the report files; commit them with the change.
// An entry point added to package.json without a report fails the check until `api:update` runs.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';

const root = fileURLToPath(new URL('..', import.meta.url));
const update = process.argv.includes('--update');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** `{ name, types }` for each entry point of package.json "exports" that has types. */
export function entryPoints(exportsField = pkg.exports) {
  return Object.entries(exportsField)
    .filter(([, target]) => typeof target === 'object' && target.import?.types)
    .map(([subpath, target]) => ({
      name: subpath === '.' ? pkg.name : `${pkg.name}-${subpath.slice(2).replaceAll('/', '-')}`,
      subpath,
      types: join(root, target.import.types),
    }));
}

const none = { logLevel: 'none' };
const QUIET = new Set([
  'console-preamble',
  'console-api-report-not-copied',
  'console-api-report-copied',
  'console-api-report-created',
]);

function configFor(entry) {
  return ExtractorConfig.prepare({
    configObjectFullPath: join(root, 'api-extractor.json'),
    packageJsonFullPath: join(root, 'package.json'),
    configObject: {
      projectFolder: root,
      mainEntryPointFilePath: entry.types,
      bundledPackages: [],
      compiler: {
        overrideTsconfig: {
          compilerOptions: {
            target: 'ES2022',
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            lib: ['ES2023', 'DOM', 'DOM.Iterable'],
            types: ['node'],
            strict: true,
            skipLibCheck: true,
          },
          include: [entry.types],
        },
      },
      apiReport: {
        enabled: true,
        reportFileName: entry.name,
        reportFolder: join(root, 'api-report'),
        reportTempFolder: join(root, 'temp', 'api-report'),
        includeForgottenExports: false,
      },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      newlineKind: 'lf',
      messages: {
        compilerMessageReporting: { default: { logLevel: 'error' } },
        extractorMessageReporting: {
          default: { logLevel: 'warning' },
          // A type in a public signature that users cannot import by name.
          'ae-forgotten-export': { logLevel: 'error', addToApiReportFile: false },
          // The SDK marks nothing @public/@beta: its beta APIs are documented as such in prose.
          'ae-missing-release-tag': none,
          // `@internal` members (resource constructors) are not renamed with an underscore.
          'ae-internal-missing-underscore': none,
          // Documentation is checked by scripts/check-docs.mjs, with the project's own rules.
          'ae-undocumented': none,
          // Links are checked by typedoc (`npm run docs`), which knows the guides too.
          'ae-unresolved-link': none,
        },
        // TSDoc style is checked by scripts/check-docs.mjs; API Extractor's own rules differ.
        tsdocMessageReporting: { default: { logLevel: 'none' } },
      },
    },
  });
}

async function main() {
  if (!existsSync(join(root, 'dist', 'index.d.ts'))) {
    console.error('api-report: no dist/index.d.ts; run `npm run build` first.');
    process.exit(1);
  }
  let failed = false;
  mkdirSync(join(root, 'api-report'), { recursive: true });
  for (const entry of entryPoints()) {
    const result = Extractor.invoke(configFor(entry), {
      localBuild: update,
      // In a check, the diff between the report and the built API is printed, so CI shows it.
      printApiReportDiff: !update,
      messageCallback: (message) => {
        // API Extractor's own notices about the report are replaced by the lines below.
        if (QUIET.has(message.messageId)) message.handled = true;
      },
    });
    const file = `api-report/${entry.name}.api.md`;
    if (result.apiReportChanged && !update) {
      failed = true;
      console.error(
        `api-report: the public API of '${entry.subpath}' differs from ${file} (the diff is above); if the change is meant, run \`npm run api:update\` and commit the report.`,
      );
    } else if (!result.succeeded) {
      failed = true;
      console.error(
        `api-report: ${entry.subpath}: ${result.errorCount} error(s), ${result.warningCount} warning(s).`,
      );
    } else {
      console.log(
        `api-report: ${entry.subpath}: ${update && result.apiReportChanged ? 'updated' : 'unchanged'} (${file})`,
      );
    }
  }
  if (failed) process.exit(1);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
