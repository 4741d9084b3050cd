import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import ts from 'typescript';

const root = join(__dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** Every TypeScript block of the README, with the line it starts on. */
const snippets = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => ({
  line: readme.slice(0, match.index).split('\n').length + 1,
  code: match[1] as string,
}));

// What the snippets take as given: the app they extend and the user's own
// names. Everything the package exports is in scope too, as if imported.
const PRELUDE = `
type Lib = typeof import('server-errors');
declare global {
  const app: import('express').Express;
  const flags: { maintenance: boolean };
  const sessions: Set<string>;
  const maintenanceMode: () => Promise<boolean>;
  const upstreamError: unknown;
  const detail: string, message: string, cause: unknown, type: string, instance: string;
  const extensions: Record<string, unknown>;
  const headers: Record<string, string>;
  const target: string;
  const onProxyError: ReturnType<Lib['proxyErrorHandler']>;
  const createProxyMiddleware: typeof import('http-proxy-middleware').createProxyMiddleware;
  class DatabaseDown extends Error {}
  const isUpstreamTimeout: (err: unknown) => boolean;
  const pino: typeof import('pino').default;
  const callPayments: (body: unknown) => Promise<{ paid: boolean }>;
${Object.keys(require('../../src/index') as object)
  .map((name) => `  const ${name}: Lib['${name}'];`)
  .join('\n')}
}
export {};
`;

describe('the README', () => {
  it('has TypeScript snippets', () => {
    expect(snippets.length).toBeGreaterThan(10);
  });

  it('compiles every TypeScript snippet under strict', () => {
    const dir = join(root, '.readme-snippets');
    const files = new Map<string, string>([[join(dir, 'prelude.d.ts'), PRELUDE]]);
    // ES modules, as a snippet with top-level await needs.
    for (const { line, code } of snippets) files.set(join(dir, `line-${line}.mts`), `${code}\nexport {};\n`);
    const options: ts.CompilerOptions = {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      esModuleInterop: true,
      skipLibCheck: true,
      types: ['node'],
      typeRoots: [join(root, 'node_modules', '@types')],
      paths: {
        'server-errors': [join(root, 'src', 'index.ts')],
        'server-errors/*': [join(root, 'src', '*', 'index.ts')],
      },
    };
    const host = ts.createCompilerHost(options);
    const { fileExists, readFile, getSourceFile } = host;
    host.fileExists = (name) => files.has(name) || fileExists(name);
    host.readFile = (name) => files.get(name) ?? readFile(name);
    host.getSourceFile = (name, version, ...rest) => {
      const text = files.get(name);
      return text === undefined
        ? getSourceFile(name, version, ...rest)
        : ts.createSourceFile(name, text, version, true);
    };
    const program = ts.createProgram([...files.keys()], options, host);
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((diagnostic) => diagnostic.file !== undefined && files.has(diagnostic.file.fileName))
      .map((diagnostic) => {
        const file = diagnostic.file as ts.SourceFile;
        const { line } = file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
        const start = Number(/line-(\d+)/.exec(file.fileName)?.[1] ?? 0);
        return `README.md:${start + line}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
      });
    expect(problems).toEqual([]);
  }, 60_000);
});
