/** The sections of the report page, each a pure function of its data (shared with the web UI). */
import type { Finding } from '../../matching/types.js';
import type { FiredTrigger, PolicyDecision } from '../../policy/index.js';
import type { SbomLayer } from '../../sbom/document.js';
import { findingsTable, formatEpss } from './findings-table.js';
import { groupByOrigin, groupByPackage } from './groups.js';
import { severityBadge } from './severity-badge.js';
import type { FindingsSummary } from './summary.js';
import { html, type SafeHtml } from './template.js';

/** Counts by severity, all and fixable: the table the summary leads with. */
export function severityCountsTable(summary: FindingsSummary): SafeHtml {
  return html`<table class="counts">
    <caption>
      Findings by severity (suppressed findings excluded)
    </caption>
    <thead>
      <tr>
        <th scope="col">Severity</th>
        <th scope="col" class="num">Findings</th>
        <th scope="col" class="num">Fixable</th>
        <th scope="col" class="num">No fix yet</th>
      </tr>
    </thead>
    <tbody>
      ${summary.bySeverity.map(
        (c) =>
          html`<tr>
            <th scope="row">${severityBadge(c.severity)}</th>
            <td class="num">${c.total}</td>
            <td class="num">${c.fixable}</td>
            <td class="num">${c.total - c.fixable}</td>
          </tr> `,
      )}
      <tr>
        <th scope="row">Total</th>
        <td class="num">${summary.total}</td>
        <td class="num">${summary.fixable}</td>
        <td class="num">${summary.total - summary.fixable}</td>
      </tr>
    </tbody>
  </table> `;
}

export function highlights(summary: FindingsSummary, layers: readonly SbomLayer[]): SafeHtml {
  const epss = summary.epss.map(
    (f) =>
      html`<li>
        <strong>${f.id}</strong> in ${f.package.name} ${f.package.version}: EPSS ${formatEpss(f)}
      </li> `,
  );
  return html`<h3 id="kev">Known exploited (CISA KEV)</h3>
    ${findingsTable(summary.kev, { caption: 'Findings listed in the KEV catalog', layers })}
    <h3 id="epss">Most likely to be exploited (EPSS)</h3>
    ${
      epss.length > 0
        ? html`<ol class="epss">
            ${epss}
          </ol>`
        : html`<p class="empty">No finding has an EPSS score.</p>`
    } `;
}

const originTitle: Record<Finding['origin'], string> = {
  base: 'Base image',
  app: 'Application',
  unknown: 'Origin unknown',
};

export function byLayerSection(findings: readonly Finding[], layers: readonly SbomLayer[]): SafeHtml {
  const groups = groupByOrigin(findings, layers);
  if (groups.length === 0) return html`<p class="empty">No findings.</p>`;
  return html`${groups.map(
    (g) =>
      html`<h3>${originTitle[g.origin]} (${g.count})</h3>
        <table class="layers">
          <caption>
            ${originTitle[g.origin]}: findings per layer
          </caption>
          <thead>
            <tr>
              <th scope="col">Layer</th>
              <th scope="col">Created by</th>
              <th scope="col" class="num">Findings</th>
              <th scope="col">Worst</th>
            </tr>
          </thead>
          <tbody>
            ${g.layers.map(
              (l) =>
                html`<tr>
                  <th scope="row">${l.index === undefined ? 'unknown' : `#${l.index}`}</th>
                  <td>${l.createdBy ?? '-'}</td>
                  <td class="num">${l.findings.length}</td>
                  <td>${l.findings[0] ? severityBadge(l.findings[0].severity) : '-'}</td>
                </tr> `,
            )}
          </tbody>
        </table>
        ${findingsTable(
          g.layers.flatMap((l) => l.findings),
          { caption: `${originTitle[g.origin]}: findings`, layers },
        )}`,
  )}`;
}

export function byPackageSection(findings: readonly Finding[]): SafeHtml {
  const groups = groupByPackage(findings);
  if (groups.length === 0) return html`<p class="empty">No findings.</p>`;
  return html`<table class="packages">
    <caption>
      Vulnerable packages, worst first
    </caption>
    <thead>
      <tr>
        <th scope="col">Package</th>
        <th scope="col">Version</th>
        <th scope="col">Type</th>
        <th scope="col">Worst</th>
        <th scope="col" class="num">Findings</th>
        <th scope="col" class="num">Fixable</th>
        <th scope="col">Vulnerabilities</th>
      </tr>
    </thead>
    <tbody>
      ${groups.map(
        (g) =>
          html`<tr>
            <th scope="row">${g.name}</th>
            <td>${g.version}</td>
            <td>${g.type}</td>
            <td>${severityBadge(g.worst)}</td>
            <td class="num">${g.findings.length}</td>
            <td class="num">${g.fixable}</td>
            <td>${g.findings.map((f) => f.id).join(', ')}</td>
          </tr> `,
      )}
    </tbody>
  </table> `;
}

const ACTION_RANK: Record<string, number> = { STOP: 0, WARN: 1, GO: 2 };

function triggerRow(t: FiredTrigger): SafeHtml {
  return html`<tr>
    <th scope="row">${t.gate}</th>
    <td>${t.trigger}</td>
    <td>${t.effectiveAction}</td>
    <td>${t.message}</td>
    <td>${t.whitelisted ? `yes (${t.whitelisted.whitelistId})` : 'no'}</td>
  </tr> `;
}

export function policySection(decision: PolicyDecision): SafeHtml {
  const triggers = [...decision.triggers].sort(
    (a, b) =>
      (ACTION_RANK[a.effectiveAction] ?? 3) - (ACTION_RANK[b.effectiveAction] ?? 3) ||
      a.gate.localeCompare(b.gate) ||
      a.trigger.localeCompare(b.trigger) ||
      a.message.localeCompare(b.message),
  );
  return html`<dl class="facts">
      <dt>Bundle</dt>
      <dd>${decision.bundle.name ?? decision.bundle.id} (${decision.bundle.id})</dd>
      <dt>Mapping</dt>
      <dd>${decision.mapping?.name ?? decision.mapping?.id ?? 'none'}</dd>
      <dt>Decided by</dt>
      <dd>${decision.reason.replaceAll('_', ' ')}</dd>
    </dl>
    ${decision.failClosed.map((r) => html`<p class="notice"><strong>Failed closed:</strong> ${r.message}</p>`)}
    ${
      triggers.length === 0
        ? html`<p class="empty">No policy rule fired.</p>`
        : html`<table class="triggers">
            <caption>
              Policy rules that fired, stopping ones first
            </caption>
            <thead>
              <tr>
                <th scope="col">Gate</th>
                <th scope="col">Trigger</th>
                <th scope="col">Action</th>
                <th scope="col">Reason</th>
                <th scope="col">Allow-listed</th>
              </tr>
            </thead>
            <tbody>
              ${triggers.map(triggerRow)}
            </tbody>
          </table> `
    }`;
}
