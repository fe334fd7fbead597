/** Plain-text columns for terminal tables (scan findings, SBOM table, db status, benchmarks). */

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function columnLines(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}

/** The whole table as text, the header upper-cased. */
export function renderColumns(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  return (
    columnLines(
      headers.map((h) => h.toUpperCase()),
      rows,
    ).join('\n') + '\n'
  );
}
