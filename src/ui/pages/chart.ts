/** The findings-over-time chart: an SVG of lines built on the server from numbers only. */
import { html, type SafeHtml } from '../../core/report/html/template.js';
import type { DayCounts } from '../../store/repositories/portfolio.js';

const SERIES = [
  ['critical', '#8b0000'],
  ['high', '#b42318'],
  ['medium', '#8a5a00'],
  ['low', '#1f6feb'],
] as const;

export function findingsChart(days: readonly DayCounts[]): SafeHtml {
  const [w, h, left, bottom] = [640, 220, 44, 24];
  const max = Math.max(1, ...days.flatMap((d) => SERIES.map(([k]) => d[k])));
  const x = (i: number) => left + (i * (w - left - 8)) / Math.max(1, days.length - 1);
  const y = (v: number) => 8 + (h - bottom - 8) * (1 - v / max);
  const lines = SERIES.map(([key, color]) => {
    const points = days.map((d, i) => `${x(i).toFixed(1)},${y(d[key]).toFixed(1)}`).join(' ');
    return html`<polyline fill="none" stroke="${color}" stroke-width="2" points="${points}"></polyline>`;
  });
  const last = days[days.length - 1];
  const summary = last ? `On ${last.day}: ${SERIES.map(([k]) => `${last[k]} ${k}`).join(', ')}.` : 'No data.';
  return html`<svg
      class="chart"
      viewBox="0 0 ${w} ${h}"
      width="${w}"
      height="${h}"
      role="img"
      aria-labelledby="chart-title chart-desc"
    >
      <title id="chart-title">Open findings by severity, last ${days.length} days</title>
      <desc id="chart-desc">${summary}</desc>
      <line x1="${left}" y1="${h - bottom}" x2="${w - 8}" y2="${h - bottom}" stroke="#57606a"></line>
      <line x1="${left}" y1="8" x2="${left}" y2="${h - bottom}" stroke="#57606a"></line>
      <text x="${left - 6}" y="14" text-anchor="end" font-size="11" fill="#1b1f24">${max}</text>
      <text x="${left - 6}" y="${h - bottom}" text-anchor="end" font-size="11" fill="#1b1f24">0</text>
      ${days[0] ? html`<text x="${left}" y="${h - 6}" font-size="11" fill="#1b1f24">${days[0].day}</text>` : ''}
      ${last ? html`<text x="${w - 8}" y="${h - 6}" text-anchor="end" font-size="11" fill="#1b1f24">${last.day}</text>` : ''}
      ${lines}
    </svg>
    <p class="legend">${SERIES.map(([k]) => html`<span class="l-${k}">${k}</span>`)}</p>`;
}
