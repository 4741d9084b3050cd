import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { catalogTable } from '../helpers/catalog-table';

const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

describe('README', () => {
  it('shows the catalog table exactly as the catalog has it', () => {
    const table = catalogTable();
    if (!readme.includes(table)) {
      throw new Error(`README.md's catalog table is out of date. Replace it with:\n\n${table}\n`);
    }
  });

  it('gives the two set-up commands of a fresh clone', () => {
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
  });

  it('documents every option of serverErrors()', () => {
    const options = readFileSync(join(__dirname, '..', '..', 'src', 'options.ts'), 'utf8');
    const schemaKeys = /strictObject\(\{([\s\S]*?)\n\}\)/.exec(options)?.[1]?.match(/^ {2}(\w+):/gm) ?? [];
    expect(schemaKeys.length).toBeGreaterThan(0);
    for (const key of schemaKeys.map((k) => k.trim().slice(0, -1))) expect(readme).toContain(`| \`${key}\``);
  });
});
