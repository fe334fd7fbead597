/** The HTML report and the pieces the web UI shares with it (named exports; no side effects). */
export { findingsTable, formatEpss, type FindingsTableOptions } from './findings-table.js';
export { groupByOrigin, groupByPackage, type OriginGroup, type PackageGroup } from './groups.js';
export { renderHtmlReport, type HtmlReportInput } from './report-page.js';
export {
  byLayerSection,
  byPackageSection,
  highlights,
  policySection,
  severityCountsTable,
} from './sections.js';
export { severityBadge, verdictBadge } from './severity-badge.js';
export { REPORT_CSS } from './styles.js';
export { compareFindings, isFixable, summarizeFindings, type FindingsSummary } from './summary.js';
export {
  DEFAULT_TEAM_LABEL_KEYS,
  manifestAnnotations,
  teamLabel,
  type TeamLabel,
  type TeamSources,
} from './team.js';
export { escapeHtml, html, safeUrl, trusted, SafeHtml, type HtmlValue } from './template.js';
