/**
 * A markdown table laid out the way Prettier lays it out (cells padded to the
 * column width, numbers right-aligned), so results written by a run pass
 * `prettier --check` without a formatting step.
 * `columns`: [{ title, right? }]; `rows`: arrays of strings.
 */
export function markdownTable(columns, rows) {
  const width = (text) => [...text].length;
  const widths = columns.map((column, i) =>
    Math.max(3, width(column.title), ...rows.map((row) => width(row[i]))),
  );
  const pad = (text, i) => {
    const space = ' '.repeat(widths[i] - width(text));
    return columns[i].right ? space + text : text + space;
  };
  const line = (cells) => `| ${cells.map(pad).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (columns[i].right ? '-'.repeat(w - 1) + ':' : '-'.repeat(w))).join(' | ')} |`;
  return [line(columns.map((column) => column.title)), rule, ...rows.map(line)].join('\n');
}
