/** The policy engine's public API (named re-exports; no side effects). */
export { configFacts, dockerfileFor } from './adapt-config.js';
export { BUILTIN_BUNDLES, loadBuiltinBundle } from './builtin/index.js';
export { readsLeanInputOnly, readsVulnerabilityData, type Action, type ValidatedBundle } from './bundle.js';
export { dockerfileFromHistory } from './dockerfile.js';
export { evaluatePolicy, type EvaluateOptions, type FiredTrigger, type PolicyDecision } from './evaluate.js';
export { PACKAGE_DB_UNREADABLE, type FailClosedReason } from './fail-closed.js';
export type { EvaluationServices, LeanInputPart } from './gate.js';
export type * from './input.js';
export { GATES } from './registry.js';
export { decisionToJson, renderDecisionJson, renderDecisionTable } from './render.js';
export { policySpec } from './spec.js';
export {
  loadBundle,
  validateBundle,
  validateBundleText,
  type BundleIssue,
  type ValidationResult,
} from './validate.js';
