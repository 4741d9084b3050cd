import { builtinModules } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createContext, runInContext } from 'node:vm';

const root = join(__dirname, '..', '..');
const BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

/**
 * Loads a CommonJS module the way a fetch runtime without Node's modules would
 * have to: in a realm with the web platform's globals only (no `process`, no
 * `Buffer`), and a `require` that refuses every Node module.
 */
function loadWithoutNode(entry: string): Record<string, unknown> {
  const context = createContext({
    Request,
    Response,
    Headers,
    URL,
    URLSearchParams,
    TextEncoder,
    TextDecoder,
    AbortController,
    AbortSignal,
    crypto: globalThis.crypto,
    console,
    queueMicrotask,
    structuredClone,
    setTimeout,
    clearTimeout,
  });
  const cache = new Map<string, { exports: unknown }>();
  const load = (file: string): unknown => {
    const cached = cache.get(file);
    if (cached !== undefined) return cached.exports;
    const module = { exports: {} as unknown };
    cache.set(file, module);
    if (file.endsWith('.json')) {
      module.exports = JSON.parse(readFileSync(file, 'utf8'));
      return module.exports;
    }
    const wrapper = runInContext(
      `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`,
      context,
      { filename: file },
    ) as (...args: unknown[]) => void;
    const requireFrom = (spec: string) => {
      if (BUILTINS.has(spec)) throw new Error(`${file} loads Node's ${spec}`);
      return load(require.resolve(spec, { paths: [dirname(file)] }));
    };
    wrapper(module.exports, requireFrom, module, file, dirname(file));
    return module.exports;
  };
  return load(join(root, 'dist', entry, 'index.js')) as Record<string, unknown>;
}

describe('server-errors/fetch in a runtime without Node', () => {
  it('loads, and answers with a problem, with no Node module, process or Buffer at all', async () => {
    const { serverErrors } = loadWithoutNode('fetch') as {
      serverErrors: (options?: object) => (err: unknown, request: Request) => Response;
    };
    const handle = serverErrors({ log: false });
    const response = handle(
      Object.assign(new Error('kaput'), { code: 'ECONNREFUSED' }),
      new Request('http://x/orders?id=1'),
    );
    expect(response.status).toBe(502);
    expect(response.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(await response.json()).toMatchObject({ status: 502, title: 'Bad Gateway', instance: '/orders' });
  });

  it("refuses the Node entry, which needs Node's modules: the loader can tell", () => {
    expect(() => loadWithoutNode('.')).toThrow(/loads Node's node:/);
  });
});
