/**
 * The findings table the report and the web UI share: one row per finding, worst first, the
 * vulnerability id as the row header, with fix, EPSS, KEV and the layer the package came from.
 */
import type { Finding } from '../../matching/types.js';
import type { SbomLayer } from '../../sbom/document.js';
import { advisoryUrl } from '../advisory-links.js';
import { originLabel } from '../layers.js';
import { severityBadge } from './severity-badge.js';
import { compareFindings } from './summary.js';
import { html, safeUrl, type SafeHtml } from './template.js';

export interface FindingsTableOptions {
  /** Says what the table lists; screen readers announce it. */
  caption: string;
  /** The image's layers, to name the layer of origin; empty when unknown. */
  layers?: readonly SbomLayer[];
  /** Show the suppression column (for tables of suppressed findings). */
  showSuppression?: boolean;
  /** At most this many rows; the caption says how many were left out. */
  limit?: number;
}

export function formatEpss(finding: Finding): string {
  if (!finding.epss) return '-';
  return `${(finding.epss.score * 100).toFixed(1)}% (p${Math.round(finding.epss.percentile * 100)})`;
}

function fixCell(finding: Finding): string {
  if (finding.fixedVersions.length > 0) return finding.fixedVersions.join(', ');
  return finding.fixState === 'wont-fix' ? "won't fix" : 'no fix';
}

function row(finding: Finding, options: FindingsTableOptions): SafeHtml {
  const layers = options.layers ?? [];
  return html`<tr>
    <th scope="row"><a href="${safeUrl(advisoryUrl(finding.id))}">${finding.id}</a></th>
    <td>${severityBadge(finding.severity)}</td>
    <td>${finding.package.name}</td>
    <td>${finding.package.version}</td>
    <td>${fixCell(finding)}</td>
    <td>${formatEpss(finding)}</td>
    <td>${finding.kev ? html`<strong>KEV</strong> since ${finding.kev.dateAdded}` : '-'}</td>
    <td>${originLabel(finding, layers)}</td>
    ${options.showSuppression ? html`<td>${finding.suppressed ? `${finding.suppressed.by}: ${finding.suppressed.reason}` : '-'}</td>` : ''}
  </tr> `;
}

export function findingsTable(findings: readonly Finding[], options: FindingsTableOptions): SafeHtml {
  if (findings.length === 0) return html`<p class="empty">${options.caption}: none.</p>`;
  const sorted = [...findings].sort(compareFindings);
  const shown = options.limit === undefined ? sorted : sorted.slice(0, options.limit);
  const omitted = sorted.length - shown.length;
  return html`<table class="findings">
    <caption>
      ${options.caption}${omitted > 0 ? ` (first ${shown.length} of ${sorted.length})` : ''}
    </caption>
    <thead>
      <tr>
        <th scope="col">Vulnerability</th>
        <th scope="col">Severity</th>
        <th scope="col">Package</th>
        <th scope="col">Version</th>
        <th scope="col">Fixed in</th>
        <th scope="col">EPSS</th>
        <th scope="col">KEV</th>
        <th scope="col">Layer</th>
        ${options.showSuppression ? html`<th scope="col">Suppressed by</th>` : ''}
      </tr>
    </thead>
    <tbody>
      ${shown.map((f) => row(f, options))}
    </tbody>
  </table> `;
}
