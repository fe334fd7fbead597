/** The images table: filtered, sorted and paged on the server; the filter form updates it with htmx. */
import { html } from '../../core/report/html/template.js';
import {
  IMAGE_SORTS,
  type ImageRow,
  type ImageSort,
  type Verdict,
} from '../../store/repositories/portfolio.js';
import type { UiContext, UiRouter } from '../router.js';
import { sendCsv } from '../router.js';
import { table, tableCsv, type Column } from '../table.js';
import { imageHref, intParam, pager, shortDigest, verdict, when } from './bits.js';

export const PAGE_SIZE = 50;
const CSV_LIMIT = 10_000;

const fullTag = (r: ImageRow) => (r.repo ? `${r.registry}/${r.repo}:${r.tag}` : '');

const COLUMNS: readonly Column<ImageRow>[] = [
  {
    label: 'Image',
    sort: 'repo',
    text: fullTag,
    cell: (r) => html`<a href="${imageHref(r.digest)}">${fullTag(r) || shortDigest(r.digest)}</a>`,
  },
  {
    label: 'Digest',
    wide: true,
    text: (r) => r.digest,
    cell: (r) => html`<code title="${r.digest}">${shortDigest(r.digest)}</code>`,
  },
  {
    label: 'Analysed',
    sort: 'analyzed',
    text: (r) => (r.analyzedAt ? when(r.analyzedAt) : r.analysisStatus),
  },
  { label: 'Verdict', sort: 'verdict', text: (r) => r.verdict, cell: (r) => verdict(r.verdict) },
  { label: 'Critical', sort: 'critical', numeric: true, text: (r) => String(r.counts.critical) },
  { label: 'High', sort: 'high', numeric: true, text: (r) => String(r.counts.high) },
  { label: 'Fixable', wide: true, numeric: true, text: (r) => String(r.counts.fixable) },
  {
    label: 'Base image',
    wide: true,
    text: (r) => r.parentDigest ?? '',
    cell: (r) =>
      r.parentDigest && r.parentDigest !== r.digest ? html`<code>${shortDigest(r.parentDigest)}</code>` : '',
  },
];

function parse(ctx: UiContext) {
  const q = ctx.query;
  const sort: ImageSort = (IMAGE_SORTS as readonly string[]).includes(q.sort ?? '')
    ? (q.sort as ImageSort)
    : 'analyzed';
  const v = ['pass', 'fail', 'none'].includes(q.verdict ?? '') ? (q.verdict as Verdict) : undefined;
  return {
    text: q.q?.slice(0, 200) || undefined,
    verdict: v,
    sort,
    desc: q.dir !== 'asc',
    page: intParam(q.page, 1, 100_000),
  };
}

export function imagesPage(router: UiRouter): void {
  router.get('/images', async (ctx) => {
    const p = parse(ctx);
    const csv = ctx.query.format === 'csv';
    const { rows, total } = await ctx.portfolio.images(ctx.viewer.accountName, {
      ...(p.text ? { text: p.text } : {}),
      ...(p.verdict ? { verdict: p.verdict } : {}),
      sort: p.sort,
      desc: p.desc,
      offset: csv ? 0 : (p.page - 1) * PAGE_SIZE,
      limit: csv ? CSV_LIMIT : PAGE_SIZE,
    });
    if (csv) return sendCsv(ctx.reply, 'images', tableCsv(COLUMNS, rows));
    const option = (value: string, label: string) =>
      html`<option value="${value}" ${(p.verdict ?? '') === value ? html` selected` : ''}>${label}</option>`;
    const results = html`<div id="results">
      ${table({ id: 'images', caption: `Images (${total})`, columns: COLUMNS, rows, url: ctx.url, empty: 'No image matches.' })}
      ${pager(ctx.url, p.page, PAGE_SIZE, total)}
    </div>`;
    if (ctx.request.headers['hx-request'] === 'true') return results.value;
    return ctx.render(
      'Images',
      html`<form
          class="filters"
          method="get"
          action="/images"
          role="search"
          hx-get="/images"
          hx-target="#results"
          hx-select="#results"
          hx-swap="outerHTML"
          hx-push-url="true"
          hx-trigger="input changed delay:300ms from:#q, change from:#verdict, submit"
        >
          <label for="q"
            >Repository, tag or digest<input id="q" name="q" value="${p.text ?? ''}" type="search"
          /></label>
          <label for="verdict"
            >Verdict<select id="verdict" name="verdict">
              ${option('', 'any')}${option('pass', 'pass')}${option('fail', 'fail')}${option('none', 'not evaluated')}
            </select></label
          >
          <input type="hidden" name="sort" value="${p.sort}" /><input
            type="hidden"
            name="dir"
            value="${p.desc ? 'desc' : 'asc'}"
          />
          <button type="submit">Filter</button>
        </form>
        ${results}`,
    );
  });
}
