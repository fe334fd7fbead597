/** The overview: verdicts, findings over time, fixable vs unfixable, KEV, feeds, notifications, denials. */
import { html } from '../../core/report/html/template.js';
import type { UiRouter } from '../router.js';
import { imageHref, severity, shortDigest, when } from './bits.js';
import { findingsChart } from './chart.js';

const card = (label: string, value: number | string, href?: string) =>
  html`<div class="card">
    <div class="big">${href ? html`<a href="${href}">${value}</a>` : value}</div>
    <div>${label}</div>
  </div>`;

export function overviewPage(router: UiRouter): void {
  router.get('/', async (ctx) => {
    const account = ctx.viewer.accountName;
    const days = Math.min(90, Math.max(7, Number(ctx.query.days) || 30));
    const [verdicts, totals, series, kev, feed, notes, denials] = await Promise.all([
      ctx.portfolio.verdicts(account),
      ctx.portfolio.totals(account),
      ctx.portfolio.overTime(account, days),
      ctx.portfolio.kevFindings(account, 10),
      ctx.portfolio.stalestFeed(),
      ctx.portfolio.newestNotifications(account, 5),
      ctx.store.admission.queryAudit(account, { verdict: 'denied', limit: 5 }),
    ]);
    return ctx.render(
      'Overview',
      html`<h2>Images by verdict</h2>
        <div class="cards">
          ${card('passing', verdicts.pass, '/images?verdict=pass')}
          ${card('failing', verdicts.fail, '/images?verdict=fail')}
          ${card('not evaluated', verdicts.none, '/images?verdict=none')}
        </div>
        <h2>Open findings</h2>
        <div class="cards">
          ${card('critical', totals.critical)}${card('high', totals.high)}${card('fixable', totals.fixable)}${card('without a fix', totals.total - totals.fixable)}${card('KEV-listed', totals.kev)}
        </div>
        <h2>Findings by severity over time</h2>
        <p>
          <a href="/?days=7">7 days</a> · <a href="/?days=30">30 days</a> · <a href="/?days=90">90 days</a>
        </p>
        ${findingsChart(series)}
        <h2>KEV-listed findings</h2>
        ${
          kev.length === 0
            ? html`<p>None.</p>`
            : html`<ul>
                ${kev.map((k) => html`<li>${severity('KEV')} ${k.id} in ${k.pkg} ${k.version} · <a href="${imageHref(k.digest)}">${shortDigest(k.digest)}</a></li>`)}
              </ul>`
        }
        <h2>Stalest feed</h2>
        <p>${feed ? `${feed.source}, last synced ${when(feed.lastSync)}` : 'No feed synced yet.'}</p>
        <h2>Newest notifications</h2>
        ${
          notes.length === 0
            ? html`<p>None.</p>`
            : html`<ul>
                ${notes.map((n) => html`<li>${when(n.createdAt)} ${n.type}: ${n.state} (${n.attempts} attempts)</li>`)}
              </ul>`
        }
        <h2>Newest admission denials</h2>
        ${
          denials.length === 0
            ? html`<p>None.</p>`
            : html`<ul>
                ${denials.map((d) => html`<li>${when(d.time)} ${d.namespace}/${d.name}: ${d.reasons.join('; ')}</li>`)}
              </ul>`
        }
        <p><a href="/admission?verdict=denied">All admission decisions</a></p>`,
    );
  });
}
