/**
 * One table component for every list: sortable headers as links (state in the URL), a CSV link
 * for the same rows, and the CSV rendering of the same columns.
 */
import { html, type HtmlValue, type SafeHtml } from '../core/report/html/template.js';
import { toCsv } from './csv.js';

export interface Column<T> {
  label: string;
  /** The cell's text in the CSV export (and in the page unless `cell` is given). */
  text: (row: T) => string;
  cell?: (row: T) => HtmlValue;
  /** The `sort=` value that orders by this column, when the table can. */
  sort?: string;
  numeric?: boolean;
  /** Left out at phone width (still in the CSV). */
  wide?: boolean;
}

export interface TableSpec<T> {
  id: string;
  caption: string;
  columns: readonly Column<T>[];
  rows: readonly T[];
  /** The page's URL (path and query): sort links and the CSV link keep its other parameters. */
  url: URL;
  empty?: string;
}

export function withParams(url: URL, changes: Record<string, string | undefined>): string {
  const next = new URL(url.toString());
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined || v === '') next.searchParams.delete(k);
    else next.searchParams.set(k, v);
  }
  return `${next.pathname}${next.search}`;
}

function cellClass<T>(c: Column<T>): SafeHtml | '' {
  const names = [c.numeric ? 'num' : '', c.wide ? 'hide-narrow' : ''].filter(Boolean).join(' ');
  return names ? html` class="${names}"` : '';
}

function header<T>(spec: TableSpec<T>, c: Column<T>): SafeHtml {
  if (!c.sort) return html`<th scope="col" ${cellClass(c)}>${c.label}</th>`;
  const current = spec.url.searchParams.get('sort');
  const desc = spec.url.searchParams.get('dir') !== 'asc';
  const sorted = current === c.sort;
  const aria = sorted ? (desc ? 'descending' : 'ascending') : undefined;
  const href = withParams(spec.url, { sort: c.sort, dir: sorted && desc ? 'asc' : 'desc', page: undefined });
  return html`<th scope="col" ${aria ? html` aria-sort="${aria}"` : ''}${cellClass(c)}>
    <a href="${href}">${c.label}${sorted ? (desc ? ' ▼' : ' ▲') : ''}</a>
  </th>`;
}

export function table<T>(spec: TableSpec<T>): SafeHtml {
  const csv = withParams(spec.url, { format: 'csv', page: undefined });
  const body =
    spec.rows.length === 0
      ? html`<tr>
          <td colspan="${spec.columns.length}">${spec.empty ?? 'Nothing here yet.'}</td>
        </tr>`
      : spec.rows.map(
          (r) =>
            html`<tr>
              ${spec.columns.map((c) => html`<td${cellClass(c)}>${c.cell ? c.cell(r) : c.text(r)}</td>`)}
            </tr>`,
        );
  return html`<div class="table-tools"><a class="csv" href="${csv}" download>Export CSV</a></div>
    <div class="scroll" role="region" aria-labelledby="${spec.id}-caption" tabindex="0">
      <table id="${spec.id}">
        <caption id="${spec.id}-caption">
          ${spec.caption}
        </caption>
        <thead>
          <tr>
            ${spec.columns.map((c) => header(spec, c))}
          </tr>
        </thead>
        <tbody>
          ${body}
        </tbody>
      </table>
    </div>`;
}

export function tableCsv<T>(columns: readonly Column<T>[], rows: readonly T[]): string {
  return toCsv(
    columns.map((c) => c.label),
    rows.map((r) => columns.map((c) => c.text(r))),
  );
}
