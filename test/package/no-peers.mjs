// The packed package in an empty application installed with `--omit=peer`: its own dependencies come
// from the registry, none of its optional peers (msw, pg, ioredis, redis, @opentelemetry/api) is there. Every subpath must
// load from ESM and CommonJS, and a feature that needs a peer must fail only when used, with a
// FlanksError naming the package to install (no-peers/checks.cjs). Run after `npm run build`.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const here = fileURLToPath(new URL('./no-peers/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'flanks-no-peers-'));
const npm = (args, cwd) =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
try {
  const [{ filename }] = JSON.parse(npm(['pack', '--json', '--pack-destination', dir], root));
  const app = join(dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'no-peers-app', private: true }));
  npm(['install', join(dir, filename), '--omit=peer', '--no-audit', '--no-fund', '--loglevel=error'], app);
  for (const peer of ['msw', 'pg', 'ioredis', 'redis', '@opentelemetry/api']) {
    assert.ok(!existsSync(join(app, 'node_modules', peer)), `${peer} was installed`);
  }
  for (const file of ['checks.cjs', 'esm.mjs', 'cjs.cjs']) copyFileSync(join(here, file), join(app, file));
  const failed = ['esm.mjs', 'cjs.cjs'].filter((entry) => {
    try {
      execFileSync(process.execPath, [entry], { cwd: app, stdio: 'inherit' });
      return false;
    } catch {
      console.error(`not ok - ${entry} in an application without the optional peers`);
      return true;
    }
  });
  assert.deepEqual(failed, [], 'flanks-sdk without its optional peers');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
