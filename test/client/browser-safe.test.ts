import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

import ts from 'typescript';

const SRC = join(__dirname, '..', '..', 'src');

/** Every source file the client entry reaches, and the packages they import. */
function reach(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const { fileName: spec } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true)
      .importedFiles) {
      if (!spec.startsWith('.')) packages.add(spec);
      else visit(`${resolve(dirname(file), spec.replace(/\.js$/, ''))}.ts`);
    }
  };
  visit(entry);
  return { files: [...files].map((file) => relative(SRC, file)), packages: [...packages] };
}

describe('the client subpath', () => {
  const { files, packages } = reach(join(SRC, 'client', 'index.ts'));

  it('reads its imports', () => {
    expect(files).toEqual(expect.arrayContaining(['client/index.ts', 'errors/classes.ts']));
  });

  it('imports no Node module and no package but zod/mini, so a browser bundle carries only that', () => {
    expect(packages).toEqual(['zod/mini']);
  });

  it('carries none of the server: no renderer, pipeline or runtime', () => {
    expect(
      files.filter(
        (file) => !/^(client|errors|describe\/problem-schema|http|catalog|misuse|util)\b/.test(file),
      ),
    ).toEqual([]);
  });
});
