// The process entry of every server under test: `node serve.mjs <module> [variant]`.
// Each contender gets a process of its own, so none shares a heap, a JIT or an
// event loop with the load generator or with another contender.
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { resolve } from 'node:path';
import { setImmediate } from 'node:timers';
import { pathToFileURL } from 'node:url';

const [file, variant] = process.argv.slice(2);

// The parent asks between rounds, never during one, so answering costs the timed window nothing.
const answers = {
  usage: () => ({ cpu: process.cpuUsage(), maxRSS: process.resourceUsage().maxRSS }),
  // Linux: "5" resets the peak RSS (VmHWM, and with it maxRSS) to the current RSS, so that
  // the next `usage` reads the peak of one round, not the peak since start.
  'reset-peak': () => {
    try {
      writeFileSync('/proc/self/clear_refs', '5');
      return { reset: true };
    } catch {
      return { reset: false };
    }
  },
  memory: () => {
    // Two passes: the first can leave garbage that only a finaliser released.
    globalThis.gc?.();
    globalThis.gc?.();
    return { gc: typeof globalThis.gc === 'function', ...process.memoryUsage() };
  },
  exit: () => {
    // A normal exit, not a signal, so that --cpu-prof writes its profile.
    setImmediate(() => process.exit(0));
    return {};
  },
};

try {
  const { default: createHandler } = await import(pathToFileURL(resolve(file)).href);
  const server = createServer(await createHandler(variant));
  server.listen(0, '127.0.0.1', () => {
    process.send({ type: 'listening', port: server.address().port });
  });
  process.on('message', ({ type }) => process.send({ type, ...answers[type]() }));
  // An orphan would go on holding a core after the parent died.
  process.on('disconnect', () => process.exit(0));
} catch (error) {
  // stderr goes to /dev/null (some contenders log every 5xx), so a start-up failure travels over IPC.
  process.send({ type: 'failed', message: String(error?.stack ?? error) }, () => process.exit(1));
}
