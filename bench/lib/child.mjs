// Forks a bench helper process and talks to it over IPC: `call(cmd, args)` → its answer.
import { fork } from 'node:child_process';

export async function startChild(file, { args = [], execArgv = [] } = {}) {
  const child = fork(new URL(file, import.meta.url), args, {
    execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map();
  let next = 0;
  await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code} before it was ready`)));
    child.once('message', resolve);
  });
  child.removeAllListeners('exit');
  child.on('message', ({ id, ok, value, error }) => {
    const waiter = pending.get(id);
    if (!waiter) return;
    pending.delete(id);
    if (ok) waiter.resolve(value);
    else waiter.reject(new Error(error));
  });
  const call = (cmd, callArgs) =>
    new Promise((resolve, reject) => {
      const id = ++next;
      pending.set(id, { resolve, reject });
      child.send({ id, cmd, args: callArgs });
    });
  return {
    call,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await call('close').catch(() => child.kill());
      await exited;
    },
  };
}

/** Answers `startChild` calls in a helper process; `commands.close` must end it. */
export function serveCommands(commands) {
  process.on('message', async ({ id, cmd, args }) => {
    try {
      process.send({ id, ok: true, value: await commands[cmd](args ?? {}) });
    } catch (error) {
      process.send({ id, ok: false, error: String(error?.stack ?? error) });
    }
  });
  process.send({ ready: true });
}
