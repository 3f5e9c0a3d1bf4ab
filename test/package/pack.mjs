// What `npm publish` would ship: exactly the built package and its docs — no sources, tests,
// examples, scripts, CI files or secrets — and nothing unexpectedly large.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

const [pack] = JSON.parse(
  execFileSync('npm', ['pack', '--dry-run', '--json'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }),
);
const files = pack.files.map((f) => f.path).sort();
const allowed = [
  /^package\.json$/,
  /^README\.md$/,
  /^CHANGELOG\.md$/,
  /^LICENSE$/,
  /^dist\/(index|testing\/index|token-cache\/redis|stores\/postgres|otel\/index)\.(js|cjs|d\.ts|d\.cts)(\.map)?$/,
  /^dist\/[\w-]+\.d\.c?ts$/, // declaration chunks shared by the entries
  /^dist\/[\w-]+-[A-Z0-9]{8}\.c?js(\.map)?$/, // code chunks shared by the entries
  /^dist\/bin\/flanks-(sandbox|sdk)\.js$/,
];
const unexpected = files.filter((f) => !allowed.some((re) => re.test(f)));
assert.deepEqual(unexpected, [], `unexpected files in the package: ${unexpected.join(', ')}`);
for (const required of [
  'dist/index.js',
  'dist/index.cjs',
  'dist/index.d.ts',
  'dist/index.d.cts',
  'dist/testing/index.js',
  'dist/token-cache/redis.js',
  'dist/token-cache/redis.cjs',
  'dist/stores/postgres.js',
  'dist/stores/postgres.cjs',
  'dist/otel/index.js',
  'dist/otel/index.cjs',
]) {
  assert.ok(files.includes(required), `missing from the package: ${required}`);
}
const big = pack.files.filter((f) => f.size > 1_000_000).map((f) => f.path);
assert.deepEqual(big, [], `files over 1 MB: ${big.join(', ')}`);
console.log(
  `ok - npm pack ships ${files.length} files (${(pack.size / 1000).toFixed(0)} kB packed): ${files.join(', ')}`,
);
