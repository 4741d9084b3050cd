import { catalog, type CatalogEntry } from '../../src/catalog/catalog';

function definedIn({ definition }: CatalogEntry): string {
  if (definition === undefined) return 'no RFC (non-standard)';
  const link = `[${definition.rfc} §${definition.section}](${definition.url})`;
  const notes = [
    definition.cited === definition.rfc ? undefined : `was ${definition.cited}`,
    definition.rfcStatus,
  ].filter(Boolean);
  return notes.length ? `${link} (${notes.join(', ')})` : link;
}

/** The README's catalog table, generated from the catalog. */
export function catalogTable(): string {
  const rows = Object.values(catalog).map(
    (entry) =>
      `| ${entry.status} | ${entry.title} | \`${entry.className}\` | ${definedIn(entry)} | ${entry.retryAfter ? 'yes' : ''} | ${entry.noStore ? 'yes' : ''} |`,
  );
  return [
    '| Status | Title | Class | Defined in | Retry-After | Always `no-store` |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}
