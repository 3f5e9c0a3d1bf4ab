import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSandbox, startSandbox } from '../../src/testing';
import { describeFaults } from './fault-suite';
import { apiClient } from './helpers';

let running: RunningSandbox;

beforeAll(async () => {
  running = await startSandbox();
});
afterEach(() => running.sandbox.reset());
afterAll(() => running.close());

describeFaults('startSandbox', () => running);

function openHandles(): number {
  return process
    .getActiveResourcesInfo()
    .filter((kind) => kind === 'TCPServerWrap' || kind === 'TCPSocketWrap').length;
}

/** Waits until `condition` holds; one that never does fails the test through its timeout. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('startSandbox', () => {
  it('listens on 127.0.0.1 with the API at the root and the Link under /link', () => {
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(running.linkBaseUrl).toBe(`${running.url}/link`);
    expect(running.sandbox.apiBaseUrl).toBe(running.url);
  });

  it('close() ends keep-alive and in-flight connections and leaves no handle open', async () => {
    const baseline = openHandles();
    const extra = await startSandbox();
    const api = apiClient(extra.url);
    await api.token(); // leaves a keep-alive socket in fetch's pool
    extra.sandbox.failNext('*', 1, { delayMs: 60_000 });
    const inFlight = api.call('GET', '/v0/bank/available').catch((error: unknown) => error);
    await until(() => extra.sandbox.stats.requests['/v0/bank/available'] === 1);
    expect(openHandles()).toBeGreaterThan(baseline);

    await extra.close();
    await extra.close(); // idempotent
    expect(await inFlight).toBeInstanceOf(TypeError);
    await expect(fetch(`${extra.url}/v0/bank/available`)).rejects.toThrow(TypeError);
    await until(() => openHandles() <= baseline);
  });
});

describe('flanks-sandbox bin', () => {
  it('prints how to connect and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/testing/bin.ts', '--port', '0'], {
      cwd: new URL('../..', import.meta.url),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    const ready = new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
      createInterface({ input: child.stdout }).on('line', (line) => {
        lines.push(line);
        if (line.includes('Link URL')) resolve();
      });
    });
    try {
      await ready;
      const output = lines.join('\n');
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1] ?? '';
      expect(output).toContain('sandbox-client-id');
      expect(output).toContain('sandbox-client-secret');
      expect(output).toMatch(/Link token\s+[0-9a-f]{32}/);
      expect(output).toContain(`${url}/link?token=`);
      const api = apiClient(url);
      expect(await api.token()).toEqual(expect.any(String));
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });
});
