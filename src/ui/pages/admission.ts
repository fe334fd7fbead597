/** The admission audit: decisions filtered by verdict, namespace and image, paged by the API's cursor. */
import { html } from '../../core/report/html/template.js';
import { sendCsv, type UiRouter } from '../router.js';
import { table, tableCsv, withParams, type Column } from '../table.js';
import { when } from './bits.js';

interface Decision {
  id: string;
  time: string;
  cluster: string;
  namespace: string;
  kind: string;
  name: string;
  user: string;
  verdict: string;
  mode: string;
  images: { image?: string; reference?: string }[];
  reasons: string[];
}

const COLUMNS: readonly Column<Decision>[] = [
  { label: 'Time', text: (d) => when(d.time) },
  {
    label: 'Verdict',
    text: (d) => d.verdict,
    cell: (d) => html`<span class="verdict-${d.verdict === 'denied' ? 'fail' : 'pass'}">${d.verdict}</span>`,
  },
  { label: 'Cluster', text: (d) => d.cluster },
  { label: 'Namespace', text: (d) => d.namespace },
  { label: 'Workload', text: (d) => `${d.kind}/${d.name}` },
  { label: 'User', text: (d) => d.user },
  { label: 'Images', text: (d) => d.images.map((i) => i.image ?? i.reference ?? '').join(' ') },
  { label: 'Reasons', text: (d) => d.reasons.join('; ') },
];

export function admissionPage(router: UiRouter): void {
  router.get('/admission', async (ctx) => {
    const q = ctx.query;
    const params = new URLSearchParams();
    if (['allowed', 'denied', 'warned'].includes(q.verdict ?? '')) params.set('verdict', q.verdict!);
    if (q.namespace) params.set('namespace', q.namespace.slice(0, 253));
    if (q.image) params.set('image', q.image.slice(0, 1024));
    if (q.before && /^\d{1,18}$/.test(q.before)) params.set('before', q.before);
    params.set('limit', q.format === 'csv' ? '500' : '50');
    const answer = await ctx.api.call('GET', `/admission/audit?${params.toString()}`);
    const page =
      answer.status === 200 ? (answer.body as { records: Decision[]; next: string | null }) : undefined;
    const list = page?.records ?? [];
    if (q.format === 'csv') return sendCsv(ctx.reply, 'admission-decisions', tableCsv(COLUMNS, list));
    const option = (v: string) =>
      html`<option value="${v}" ${q.verdict === v ? html` selected` : ''}>${v || 'any'}</option>`;
    return ctx.render(
      'Admission decisions',
      html`<form class="filters" method="get" action="/admission">
          <label for="verdict"
            >Verdict<select id="verdict" name="verdict">
              ${['', 'allowed', 'denied', 'warned'].map(option)}
            </select></label
          >
          <label for="namespace"
            >Namespace<input id="namespace" name="namespace" value="${q.namespace ?? ''}"
          /></label>
          <label for="image">Image<input id="image" name="image" value="${q.image ?? ''}" /></label>
          <button type="submit">Filter</button>
        </form>
        ${table({ id: 'decisions', caption: 'Admission decisions, newest first', columns: COLUMNS, rows: list, url: ctx.url })}
        ${page?.next ? html`<p><a href="${withParams(ctx.url, { before: page.next })}">Older decisions</a></p>` : ''}`,
    );
  });
}
