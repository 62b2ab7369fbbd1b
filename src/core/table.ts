/**
 * Plain-text tables for reports: columns padded to their widest cell, numbers right-aligned.
 */
export function textTable(header: string[], rows: string[][], indent = '  '): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const isNumber = (cell: string) =>
    cell === '' || cell === '–' || /^[-+]?[\d.][\d.eE+-]*( [%×])?( \[[^\]]*\])?$/.test(cell);
  const numeric = header.map((_, c) => rows.length > 0 && rows.every((r) => isNumber(r[c] ?? '')));
  const line = (cells: string[]) =>
    indent +
    cells
      .map((cell, c) => (numeric[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '─'.repeat(w))), ...rows.map(line)].join('\n');
}
