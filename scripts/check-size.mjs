// Size budget: the ESM entry with its runtime dependencies bundled, minified and gzipped (-9), as a
// bundler would ship it. The goal is 20 kB; the enforced budget is a ratchet at the measured size
// rounded up to the next 0.5 kB, so it cannot grow unnoticed (lower BUDGET_KB when it shrinks). Set at
// 32 kB (31.6 kB measured); raised to 33.5 kB when the shared token cache joined the main entry, and
// to 35 kB for numeric coercion and redacted shape reports of mismatched responses (+1.7 kB), and to
// 36 kB for link outcomes and re-authentication (+1.0 kB: the refused-link-code and re-authentication
// messages, credentials.reauthToken and the reauth option), and to 39 kB (38.7 kB measured) for the
// security review's defaults (signed state and session bindings, token-cache sealing, the response
// cap, redirect and base-URL checks, the worker guard; +2.9 kB), to 40.5 kB (40.4 kB measured)
// for response metadata and events (APIPromise, the per-call record, the event emitter and its
// payloads in the transport and token manager; +1.7 kB), and to 43 kB (42.8 kB measured) when the
// hand-written SHA-256/HMAC gave way to the audited @noble/hashes (+1.8 kB: its input checks and
// hash framework) and arguments got one check with resumable pages (+0.5 kB).
// `--explain` also estimates what each part costs: the bundle rebuilt from src/ without it (its
// modules replaced by empty stand-ins, or the dependency left out), minus the full bundle.
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

export const GOAL_KB = 20;
export const BUDGET_KB = 43;

const root = fileURLToPath(new URL('..', import.meta.url));
const common = {
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'neutral',
  mainFields: ['module', 'main'],
  write: false,
  metafile: true,
  logLevel: 'error',
  absWorkingDir: root,
};

async function bundle(options) {
  const result = await build({ ...common, ...options });
  const code = result.outputFiles[0].contents;
  return { gzipKb: gzipSync(code, { level: 9 }).length / 1000, result };
}

/**
 * `{ gzipKb, byPackage }`: the gzipped size of dist/index.js bundled with its dependencies, and the
 * minified kB each package contributes (read from the same bundle built from src/, because dist
 * already has zod inlined and esbuild cannot see where it came from).
 */
export async function measureSize() {
  const { gzipKb } = await bundle({ entryPoints: ['dist/index.js'] });
  const { result } = await bundle({ entryPoints: ['src/index.ts'] });
  const byPackage = {};
  const [output] = Object.values(result.metafile.outputs);
  for (const [file, info] of Object.entries(output.inputs)) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? 'flanks-sdk';
    byPackage[pkg] = (byPackage[pkg] ?? 0) + info.bytesInOutput / 1000;
  }
  return { gzipKb, byPackage };
}

const PARTS = [
  {
    part: 'beta APIs: Connect v2, Aggregation v2, Report v1 and their cursor lists',
    files: [
      'src/resources/connect.ts',
      'src/resources/aggregation-v2.ts',
      'src/resources/reports.ts',
      'src/resources/cursor.ts',
    ],
  },
  {
    part: 'EncryptedCredentialStore, HMAC and signed link state',
    files: ['src/core/encrypted-credential-store.ts', 'src/internal/hmac.ts', 'src/internal/link-state.ts'],
  },
  { part: 'ky', external: ['ky'] },
  { part: 'p-retry (with is-network-error)', external: ['p-retry', 'is-network-error'] },
  { part: 'zod (zod/mini)', external: ['zod', 'zod/*'] },
];

// A stand-in exporting the same value names as `file`, with no code behind them.
function stub(file) {
  const source = readFileSync(`${root}/${file}`, 'utf8');
  const lines = [];
  for (const [, kind, name] of source.matchAll(/^export (?:abstract )?(class|const|function|let) (\w+)/gm)) {
    lines.push(kind === 'class' ? `export class ${name} {}` : `export const ${name} = undefined;`);
  }
  return lines.join('\n');
}

/** `[{ part, savedKb }]`: how many gzipped kB leaving each part out would save. */
export async function explainSize() {
  const { gzipKb: fullKb } = await bundle({ entryPoints: ['src/index.ts'] });
  const parts = [];
  for (const { part, files = [], external = [] } of PARTS) {
    const stubs = new Set(files.map((f) => `${root}${f}`));
    const plugin = {
      name: 'stub',
      setup(b) {
        b.onLoad({ filter: /\.ts$/ }, (args) =>
          stubs.has(args.path) ? { contents: stub(args.path.slice(root.length)), loader: 'ts' } : undefined,
        );
      },
    };
    const { gzipKb } = await bundle({ entryPoints: ['src/index.ts'], external, plugins: [plugin] });
    parts.push({ part, savedKb: fullKb - gzipKb });
  }
  return { fromSrcKb: fullKb, parts };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { gzipKb, byPackage } = await measureSize();
  const packages = Object.entries(byPackage)
    .sort((a, b) => b[1] - a[1])
    .map(([pkg, kb]) => `${pkg} ${kb.toFixed(1)} kB`)
    .join(', ');
  console.log(
    `size: ${gzipKb.toFixed(1)} kB min+gzip (budget ${BUDGET_KB} kB, goal ${GOAL_KB} kB); minified by package: ${packages}`,
  );
  if (process.argv.includes('--explain')) {
    const { parts } = await explainSize();
    for (const { part, savedKb } of parts) console.log(`size: without ${part}: −${savedKb.toFixed(1)} kB gz`);
  }
  if (gzipKb > BUDGET_KB) {
    console.error(`size: over the ${BUDGET_KB} kB budget by ${(gzipKb - BUDGET_KB).toFixed(1)} kB`);
    process.exit(1);
  }
  if (gzipKb > GOAL_KB)
    console.log(
      `size: ${(gzipKb - GOAL_KB).toFixed(1)} kB above the ${GOAL_KB} kB goal (docs/benchmarks.md says why)`,
    );
}
