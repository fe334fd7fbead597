/**
 * The use cases, with typed requests and results. The CLI, the benchmarks and the service call
 * only these; they take parsed inputs and ports, never flags, files or SQL.
 */
export { abortError, throwIfAborted } from '../abort.js';
export {
  analyze,
  type Analysis,
  type AnalysisSubject,
  type AnalyzeRequest,
  type CatalogRequest,
} from './analyze.js';
export {
  DEFAULT_MAX_DATA_AGE_HOURS,
  isStale,
  validateMaxAge,
  type DataRequirements,
  type VulnerabilityDataState,
} from './data-state.js';
export { evaluate, type EvaluateRequest, type EvaluateResult } from './evaluate.js';
export {
  explain,
  explainStored,
  idSpellings,
  type StoredExplanation,
  type Explanation,
  type ExplainRequest,
  type UnaffectedPackage,
} from './explain.js';
export {
  findVulnerabilities,
  type FindingsRequest,
  type FindingsResult,
  type SuppressionRequest,
} from './findings.js';
export type {
  FeedSummary,
  PipelineObserver,
  PipelineStage,
  RequestContext,
  VulnerabilityData,
} from './ports.js';
export { scan, scanReport, type ScanRequest, type ScanResult } from './scan.js';
