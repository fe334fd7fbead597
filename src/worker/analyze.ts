/**
 * The one narrow function the analyze-image job needs from the analysis core. The composition
 * root (src/main) implements it; the worker knows nothing of catalogers or matchers.
 */
import type { AnalysisMetadata } from '../store/repositories/analysis-metadata.js';
import type { Finding } from '../core/matching/types.js';
import type { SbomDocument } from '../core/sbom/document.js';

export interface RegistryLogin {
  /** Registry host[:port] as the account saved it. */
  registry: string;
  username: string;
  password: string;
  /** A registry token sent as it is instead of username/password (Harbor's `Bearer` pull credential). */
  bearer?: string;
  verifyTls: boolean;
}

export interface AnalyzeImageRequest {
  /** A pinned registry source: `registry:host/repo@sha256:...`. */
  source: string;
  /** The adding account's registry credentials, each used only for its own registry. */
  credentials: readonly RegistryLogin[];
  signal: AbortSignal;
}

export interface AnalyzeImageResult {
  imageDigest: string;
  /** The config digest without `sha256:`, Anchore's imageId. */
  imageId: string;
  analyzerVersion: string;
  metadata: AnalysisMetadata;
  sbom: SbomDocument;
  findings: Finding[];
}

export type AnalyzeImage = (request: AnalyzeImageRequest) => Promise<AnalyzeImageResult>;

export type { AnalysisMetadata };
