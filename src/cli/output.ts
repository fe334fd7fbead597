/** Small helpers for printing tables and JSON to stdout. */
export type OutputFormat = 'table' | 'json';

export function parseOutputFormat(value: string, allowed: readonly string[] = ['table', 'json']): string {
  if (!allowed.includes(value)) {
    throw new Error(`unknown output format "${value}" (expected one of: ${allowed.join(', ')})`);
  }
  return value;
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Left-aligned columns separated by two spaces; the header is upper-cased. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers.map((h) => h.toUpperCase())), ...rows.map(line)].join('\n') + '\n';
}
