/**
 * The promotion audit: every decision of scan-gated promotion (rule, source and destination with
 * digests, verdict and reasons, trigger), filtered by repository, verdict, outcome and day, and
 * one record's detail with its step times. Read through /v1 as the viewer.
 */
import { html, type SafeHtml } from '../../core/report/html/template.js';
import { refusal, sendCsv, type UiRouter } from '../router.js';
import { table, tableCsv, type Column } from '../table.js';
import { imageHref, shortDigest, when } from './bits.js';

export interface PromotionView {
  id: string;
  rule_id: string;
  rule_name: string;
  source: { registry: string; repository: string; tag?: string; digest: string };
  destination: { registry: string; repository: string; tags: string[]; digest?: string };
  policy: { id: string; digest: string } | null;
  verdict: 'pass' | 'fail' | null;
  outcome: string;
  reasons: string[];
  trigger: { kind: string; by: string };
  steps: { step: string; at: string; detail?: Record<string, unknown> }[];
  error: string | null;
  created_at: string;
}

export const OUTCOMES = [
  'promoted',
  'rejected',
  'quarantined',
  'failed',
  'recheck_failed',
  'recheck_passed',
] as const;

const sourceText = (p: PromotionView) =>
  `${p.source.registry}/${p.source.repository}${p.source.tag ? `:${p.source.tag}` : ''}@${p.source.digest}`;
const destinationText = (p: PromotionView) =>
  `${p.destination.registry}/${p.destination.repository}:${p.destination.tags.join(',')}${
    p.destination.digest ? `@${p.destination.digest}` : ''
  }`;
const verdictCell = (p: PromotionView): SafeHtml =>
  html`<span class="verdict-${p.verdict ?? 'none'}">${p.verdict ?? 'none'}</span>`;
const stepsText = (p: PromotionView) => p.steps.map((s) => `${s.step} ${when(s.at)}`).join('; ');

const COLUMNS: readonly Column<PromotionView>[] = [
  {
    label: 'Time',
    text: (p) => when(p.created_at),
    cell: (p) => html`<a href="/promotions/${encodeURIComponent(p.id)}">${when(p.created_at)}</a>`,
  },
  { label: 'Rule', text: (p) => p.rule_name },
  {
    label: 'Source',
    text: sourceText,
    cell: (p) =>
      html`${p.source.registry}/${p.source.repository}${p.source.tag ? `:${p.source.tag}` : ''}
        <a class="mono" href="${imageHref(p.source.digest)}">${shortDigest(p.source.digest)}</a>`,
  },
  {
    label: 'Destination',
    text: destinationText,
    cell: (p) =>
      html`${p.destination.registry}/${p.destination.repository}:${p.destination.tags.join(', ')}
      ${p.destination.digest ? html`<span class="mono">${shortDigest(p.destination.digest)}</span>` : ''}`,
  },
  { label: 'Verdict', text: (p) => p.verdict ?? 'none', cell: verdictCell },
  { label: 'Outcome', text: (p) => p.outcome },
  { label: 'Reasons', text: (p) => p.reasons.join('; '), wide: true },
  { label: 'Trigger', text: (p) => `${p.trigger.kind} by ${p.trigger.by}` },
  { label: 'Steps', text: stepsText, wide: true },
];

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The API's query for the page's filters (days as whole UTC days). */
export function recordQuery(q: Record<string, string>, limit: number): URLSearchParams {
  const params = new URLSearchParams();
  if (q.repository) params.set('repository', q.repository.trim().slice(0, 255));
  if (q.verdict === 'pass' || q.verdict === 'fail') params.set('verdict', q.verdict);
  if ((OUTCOMES as readonly string[]).includes(q.outcome ?? '')) params.set('outcome', q.outcome!);
  if (q.since && DAY.test(q.since)) params.set('since', `${q.since}T00:00:00Z`);
  if (q.until && DAY.test(q.until)) params.set('until', `${q.until}T23:59:59Z`);
  params.set('limit', String(limit));
  return params;
}

function filters(q: Record<string, string>): SafeHtml {
  const option = (name: string, v: string) =>
    html`<option value="${v}" ${q[name] === v ? html` selected` : ''}>${v || 'any'}</option>`;
  return html`<form class="filters" method="get" action="/promotions">
    <label for="repository"
      >Repository (source or destination)<input
        id="repository"
        name="repository"
        value="${q.repository ?? ''}"
    /></label>
    <label for="verdict"
      >Verdict<select id="verdict" name="verdict">
        ${['', 'pass', 'fail'].map((v) => option('verdict', v))}
      </select></label
    >
    <label for="outcome"
      >Outcome<select id="outcome" name="outcome">
        ${['', ...OUTCOMES].map((v) => option('outcome', v))}
      </select></label
    >
    <label for="since">From day<input id="since" name="since" type="date" value="${q.since ?? ''}" /></label>
    <label for="until">To day<input id="until" name="until" type="date" value="${q.until ?? ''}" /></label>
    <button type="submit">Filter</button>
  </form>`;
}

function detail(p: PromotionView): SafeHtml {
  return html`<p><a href="/promotions">All promotions</a></p>
    <dl class="facts" id="promotion">
      <dt>Rule</dt>
      <dd>${p.rule_name}</dd>
      <dt>Source</dt>
      <dd>
        ${p.source.registry}/${p.source.repository}${p.source.tag ? `:${p.source.tag}` : ''}<br /><a
          class="mono"
          href="${imageHref(p.source.digest)}"
          >${p.source.digest}</a
        >
      </dd>
      <dt>Destination</dt>
      <dd>
        ${p.destination.registry}/${p.destination.repository}
        (${p.destination.tags.length ? p.destination.tags.join(', ') : 'no tags'})<br /><span class="mono"
          >${p.destination.digest ?? 'not copied'}</span
        >
      </dd>
      <dt>Policy</dt>
      <dd>${p.policy ? html`${p.policy.id} <span class="mono">${p.policy.digest}</span>` : 'none'}</dd>
      <dt>Verdict</dt>
      <dd id="verdict">${verdictCell(p)}</dd>
      <dt>Outcome</dt>
      <dd>${p.outcome}</dd>
      <dt>Trigger</dt>
      <dd>${p.trigger.kind} by ${p.trigger.by}</dd>
      <dt>Recorded</dt>
      <dd>${when(p.created_at)}</dd>
      ${
        p.error
          ? html`<dt>Error</dt>
              <dd>${p.error}</dd>`
          : ''
      }
    </dl>
    <h2>Reasons</h2>
    ${
      p.reasons.length
        ? html`<ul id="reasons">
            ${p.reasons.map((r) => html`<li>${r}</li>`)}
          </ul>`
        : html`<p>None given.</p>`
    }
    <h2>Steps</h2>
    <ol id="steps">
      ${p.steps.map(
        (s) =>
          html`<li>
            ${s.step} at <time datetime="${s.at}">${when(s.at)}</time>${
              s.detail ? html` <span class="mono">${JSON.stringify(s.detail)}</span>` : ''
            }
          </li>`,
      )}
    </ol>`;
}

export function promotionPages(router: UiRouter): void {
  router.get('/promotions', async (ctx) => {
    const q = ctx.query;
    const csv = q.format === 'csv';
    const answer = await ctx.api.call('GET', `/promotions?${recordQuery(q, csv ? 500 : 100).toString()}`);
    const list = answer.status === 200 ? (answer.body as { promotions: PromotionView[] }).promotions : [];
    if (csv) return sendCsv(ctx.reply, 'promotions', tableCsv(COLUMNS, list));
    return ctx.render(
      'Promotions',
      html`<p><a href="/promotions/rules">Promotion rules</a></p>
        ${filters(q)}
        ${table({
          id: 'promotions',
          caption: 'Promotion records, newest first',
          columns: COLUMNS,
          rows: list,
          url: ctx.url,
          empty: 'No promotion matches these filters.',
        })}`,
    );
  });

  router.get('/promotions/:id', async (ctx) => {
    const id = ctx.params.id ?? '';
    const answer = /^[0-9a-f-]{36}$/i.test(id)
      ? await ctx.api.call('GET', `/promotions/${encodeURIComponent(id)}`)
      : undefined;
    if (answer?.status !== 200) return refusal(ctx.reply, 404, 'No such promotion in your account.');
    const record = answer.body as PromotionView;
    return ctx.render(`Promotion of ${record.source.repository}`, detail(record));
  });
}
