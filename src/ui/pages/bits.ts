/** Small pieces the pages share: badges, dates, digests, the pager. */
import { html, type SafeHtml } from '../../core/report/html/template.js';
import { withParams } from '../table.js';

export const shortDigest = (digest: string) => digest.replace(/^sha256:/, '').slice(0, 12);

export const when = (date: Date | string | null | undefined): string => {
  if (!date) return '';
  const d = typeof date === 'string' ? new Date(date) : date;
  return Number.isNaN(d.getTime()) ? '' : d.toISOString().replace('T', ' ').slice(0, 16);
};

export function severity(label: string): SafeHtml {
  return html`<span class="sev sev-${label.toLowerCase()}">${label}</span>`;
}

export function verdict(value: string): SafeHtml {
  const text = value === 'none' ? 'not evaluated' : value;
  return html`<span class="verdict-${value}">${text}</span>`;
}

export const imageHref = (digest: string) => `/images/${encodeURIComponent(digest)}`;

export function pager(url: URL, page: number, pageSize: number, total: number): SafeHtml {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const prev = page > 1 ? withParams(url, { page: String(page - 1) }) : undefined;
  const next = page < pages ? withParams(url, { page: String(page + 1) }) : undefined;
  return html`<nav class="pager" aria-label="Pages">
    ${prev ? html`<a href="${prev}" rel="prev">Previous</a>` : ''}
    <span>Page ${page} of ${pages} (${total} in all)</span>
    ${next ? html`<a href="${next}" rel="next">Next</a>` : ''}
  </nav>`;
}

/** A positive integer from the query, within bounds. */
export function intParam(value: string | undefined, fallback: number, max: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, max) : fallback;
}
