/** The report formats `scan -o` accepts, in one explicit list. */
import { renderCycloneDx } from './cyclonedx.js';
import { renderGitlab } from './gitlab.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderSarif } from './sarif.js';
import { renderTable } from './table.js';
import type { RenderInput } from './types.js';

export const REPORT_FORMATS = ['table', 'json', 'cyclonedx-json', 'sarif', 'junit', 'gitlab'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const RENDERERS: Readonly<Record<ReportFormat, (input: RenderInput) => string>> = {
  table: renderTable,
  json: renderJson,
  'cyclonedx-json': (input) => renderCycloneDx(input),
  sarif: renderSarif,
  junit: renderJunit,
  gitlab: renderGitlab,
};

export { renderExplanation, findingsFor } from './explain.js';
export {
  gateFailures,
  onlyFixed,
  parseSeverity,
  parseSortKey,
  sortFindings,
  SORT_KEYS,
  type SortKey,
} from './severity-gate.js';
export { SCAN_SCHEMA_VERSION, type ScanReport, type RenderInput, type FeedFreshnessEntry } from './types.js';
