import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { pin, pinning } from './pin.mjs';
import { siteEnv } from './site.mjs';

const ENTRY = fileURLToPath(new URL('./serve.mjs', import.meta.url));

/**
 * Starts `module` (relative to bench/) in its own process via serve.mjs and
 * resolves once it listens on 127.0.0.1. `execArgv` is explicit so that flags
 * given to the parent (such as --cpu-prof) never leak into a server. `cores`
 * ("1", "0-1") pins it with taskset; by default, to BENCH_PIN's server cores.
 * `execPath` starts it under another program, such as valgrind, that is given
 * node's own path at the end of `execArgv`. `stdout` (a file descriptor) keeps
 * what the server prints, such as the GC's trace.
 */
export async function startServer(
  module,
  { variant, execPath = process.execPath, execArgv = [], cores = pinning()?.server, stdout = 'ignore' } = {},
) {
  const proc = fork(ENTRY, variant === undefined ? [module] : [module, variant], {
    cwd: fileURLToPath(new URL('.', import.meta.url)),
    execPath,
    execArgv,
    // production: Express's default handler then leaves the stack out of its page, as deployed.
    // The sites: the package as an app installs it, beside Express (site.mjs).
    env: { ...process.env, ...siteEnv(), NODE_ENV: 'production' },
    // Contenders that log each 5xx write to /dev/null, which costs them the
    // formatting and the write but no reader.
    stdio: ['ignore', stdout, 'ignore', 'ipc'],
  });
  if (cores && !pin(proc.pid, cores)) {
    proc.kill('SIGKILL');
    throw new Error(`taskset could not pin the server to cores ${cores}`);
  }
  const { port } = await reply(proc, 'listening');
  return {
    port,
    pid: proc.pid,
    ask: (type) => {
      if (!proc.connected)
        return Promise.reject(
          new Error(`server gone (${proc.signalCode ?? `exit code ${proc.exitCode}`}) before "${type}"`),
        );
      const answer = reply(proc, type);
      // With a callback, a channel that closes meanwhile ends in reply()'s 'exit'
      // rejection, not in an 'error' event that would end the parent.
      proc.send({ type }, () => {});
      return answer;
    },
    stop: async () => {
      // A server killed by a signal has a signalCode and no exitCode.
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.send({ type: 'exit' }, () => {});
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function reply(proc, type) {
  return new Promise((resolve, reject) => {
    const onMessage = (message) => {
      if (message.type === 'failed') done(reject, new Error(message.message));
      else if (message.type === type) done(resolve, message);
    };
    const onExit = (code) =>
      done(reject, new Error(`server exited (code ${code}) while waiting for "${type}"`));
    const done = (settle, value) => {
      proc.off('message', onMessage);
      proc.off('exit', onExit);
      settle(value);
    };
    proc.on('message', onMessage);
    proc.once('exit', onExit);
  });
}
