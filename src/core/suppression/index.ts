/** Public API of the suppression module (VEX, ignore files, changelog evidence). */
export { applySuppressions, type SuppressionOptions } from './apply.js';
export { parseVexText } from './vex.js';
export { parseOpenVex, parseOpenVexText } from './openvex.js';
export { parseCycloneDxVex, parseCycloneDxVexText } from './cyclonedx-vex.js';
export { parseIgnoreFile, type IgnoreRule, type IgnoreRules } from './ignore-file.js';
export { parseDebianChangelog, parseDebianChangelogText, type ChangelogEntry } from './changelog.js';
export {
  applyChangelogEvidence,
  changelogPath,
  CHANGELOG_GLOB,
  type ChangelogReader,
} from './changelog-evidence.js';
export type {
  Annotation,
  ChangelogOutcome,
  RuleOutcome,
  StatementOutcome,
  SuppressionReport,
  SuppressionResult,
  VexDocument,
  VexStatement,
  VexStatus,
} from './types.js';
