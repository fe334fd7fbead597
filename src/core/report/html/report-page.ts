/**
 * The report of one evaluation for people, as one self-contained HTML page (inline CSS, no
 * script, no external resource): summary first (verdict, counts by severity, fixable counts,
 * KEV and EPSS highlights), then findings by layer (base image vs application) and by package,
 * then the policy's reasons. Pure: the caller passes the time; the PDF is printed from it.
 */
import type { Finding } from '../../matching/types.js';
import type { PolicyDecision } from '../../policy/index.js';
import type { SbomLayer } from '../../sbom/document.js';
import { verdictBadge } from './severity-badge.js';
import {
  byLayerSection,
  byPackageSection,
  highlights,
  policySection,
  severityCountsTable,
} from './sections.js';
import { REPORT_CSS } from './styles.js';
import { summarizeFindings } from './summary.js';
import type { TeamLabel } from './team.js';
import { findingsTable } from './findings-table.js';
import { html, trusted } from './template.js';

export interface HtmlReportInput {
  image: {
    /** What the image was evaluated as: a tag, or the source string. */
    reference: string;
    digest?: string;
    imageId?: string;
    distro?: string;
    platform?: string;
  };
  team?: TeamLabel;
  decision: PolicyDecision;
  /** Every finding, suppressed ones included (they are listed apart). */
  findings: readonly Finding[];
  layers: readonly SbomLayer[];
  /** ISO time the report was made. */
  generatedAt: string;
  /** Freshness of the vulnerability data the findings come from. */
  data?: { oldestSyncAt?: string; stale?: boolean; available?: boolean };
  productVersion: string;
}

export function renderHtmlReport(input: HtmlReportInput): string {
  const { decision, image } = input;
  const summary = summarizeFindings(input.findings);
  const active = input.findings.filter((f) => !f.suppressed);
  const suppressed = input.findings.filter((f) => f.suppressed);
  const title = `Portcullis report: ${image.reference}`;
  const dataNotice =
    input.data?.available === false
      ? 'The vulnerability database was empty: no vulnerability was checked.'
      : input.data?.stale
        ? `The vulnerability data was stale (last synced ${input.data.oldestSyncAt ?? 'unknown'}).`
        : undefined;
  const page = html`<!DOCTYPE html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title}</title>
        <style>
          ${trusted(REPORT_CSS)}
        </style>
      </head>
      <body>
        <header>
          <h1>${title}</h1>
          <p class="verdict">${verdictBadge(decision.status, decision.finalAction)}</p>
        </header>
        <main>
          <section aria-labelledby="summary">
            <h2 id="summary">Summary</h2>
            ${dataNotice ? html`<p class="notice">${dataNotice}</p>` : ''}
            <dl class="facts">
              <dt>Image</dt>
              <dd>${image.reference}</dd>
              ${
                image.digest
                  ? html`<dt>Digest</dt>
                      <dd>${image.digest}</dd>`
                  : ''
              }
              ${
                image.imageId
                  ? html`<dt>Image id</dt>
                      <dd>${image.imageId}</dd>`
                  : ''
              }
              ${
                image.distro
                  ? html`<dt>Distribution</dt>
                      <dd>${image.distro}</dd>`
                  : ''
              }
              ${
                image.platform
                  ? html`<dt>Platform</dt>
                      <dd>${image.platform}</dd>`
                  : ''
              }
              <dt>Team</dt>
              <dd>${input.team ? `${input.team.value} (${input.team.key})` : 'not labelled'}</dd>
              <dt>Policy</dt>
              <dd>
                ${decision.bundle.name ?? decision.bundle.id}: ${decision.status} (${decision.finalAction})
              </dd>
              <dt>Findings</dt>
              <dd>
                ${summary.total} (${summary.fixable} fixable, ${summary.kev.length} known exploited,
                ${summary.suppressed} suppressed)
              </dd>
            </dl>
            ${severityCountsTable(summary)} ${highlights(summary, input.layers)}
          </section>
          <section aria-labelledby="by-layer">
            <h2 id="by-layer">Findings by layer: base image and application</h2>
            ${byLayerSection(active, input.layers)}
          </section>
          <section aria-labelledby="by-package">
            <h2 id="by-package">Findings by package</h2>
            ${byPackageSection(active)}
          </section>
          <section aria-labelledby="policy">
            <h2 id="policy">Policy evaluation</h2>
            ${policySection(decision)}
          </section>
          <section aria-labelledby="suppressed">
            <h2 id="suppressed">Suppressed findings</h2>
            ${findingsTable(suppressed, { caption: 'Findings suppressed by VEX, ignore rules or changelogs', layers: input.layers, showSuppression: true })}
          </section>
        </main>
        <footer>
          <p>
            Made by Portcullis ${input.productVersion} at
            <time datetime="${input.generatedAt}">${input.generatedAt}</time
            >${input.data?.oldestSyncAt ? `; vulnerability data last synced ${input.data.oldestSyncAt}` : ''}.
          </p>
        </footer>
      </body>
    </html> `;
  // Template indentation leaves spaces at line ends; they carry nothing.
  return page.toString().replace(/[ \t]+$/gm, '');
}
