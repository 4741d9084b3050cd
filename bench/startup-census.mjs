// Preloaded (`--import`) into the one untimed census process of each start-up
// case: at exit it writes to stdout, as JSON, every file the process loaded
// (CommonJS: the require cache; ES modules: the URLs a load hook saw) and the
// self time of each CommonJS load (wall time inside Module._load for that
// file, less the loads it made itself), which shows where start-up goes
// without --cpu-prof. Its own cost lands in no figure: census runs are not timed.
import Module, { register } from 'node:module';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';

const { port1, port2 } = new MessageChannel();
port1.unref();
register('./startup-hooks.mjs', import.meta.url, { data: { port: port2 }, transferList: [port2] });

const ours = new Set([
  fileURLToPath(import.meta.url),
  fileURLToPath(new URL('./startup-hooks.mjs', import.meta.url)),
]);
const load = Module._load;
const stack = [];
const self = {};
Module._load = function (request, parent, isMain) {
  const frame = { children: 0 };
  stack.push(frame);
  const started = performance.now();
  let key = request;
  try {
    const exported = load.apply(this, arguments);
    try {
      key = Module._resolveFilename(request, parent, isMain);
    } catch {
      // A request the loader answered but cannot name again: keep it as written.
    }
    return exported;
  } finally {
    const took = performance.now() - started;
    stack.pop();
    if (stack.length) stack.at(-1).children += took;
    self[key] = (self[key] ?? 0) + took - frame.children;
  }
};

process.on('exit', () => {
  const files = new Set(Object.keys(Module._cache));
  for (let message; (message = receiveMessageOnPort(port1));) {
    if (message.message.startsWith('file:')) files.add(fileURLToPath(message.message));
  }
  for (const file of ours) files.delete(file);
  process.stdout.write(JSON.stringify({ files: [...files], self }));
});
