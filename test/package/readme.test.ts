import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { optionNames } from '../../src/options';
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
    expect(optionNames().length).toBeGreaterThan(0);
    for (const key of optionNames()) expect(readme).toContain(`| \`${key}\``);
  });
});
