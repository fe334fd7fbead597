/** Small helpers for printing tables and JSON to stdout. */
export { renderColumns as renderTable } from '../core/report/columns.js';

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}
