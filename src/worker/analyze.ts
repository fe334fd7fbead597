/**
 * The one narrow function the analyze-image job needs from the analysis core. The composition
 * root (src/main) implements it; the worker knows nothing of catalogers or matchers.
 */
import type { ImageConfigFile } from '../core/image/types.js';
import type { Finding } from '../core/matching/types.js';
import type { SbomDocument } from '../core/sbom/document.js';

export interface RegistryLogin {
  /** Registry host[:port] as the account saved it. */
  registry: string;
  username: string;
  password: string;
  verifyTls: boolean;
}

export interface AnalyzeImageRequest {
  /** A pinned registry source: `registry:host/repo@sha256:...`. */
  source: string;
  /** The adding account's registry credentials, each used only for its own registry. */
  credentials: readonly RegistryLogin[];
  signal: AbortSignal;
}

/** What the image-record routes show besides the SBOM (Anchore's image_content.metadata and more). */
export interface AnalysisMetadata {
  /** The manifest exactly as the registry served it. */
  manifest: string;
  config: ImageConfigFile;
  arch: string;
  distro: string;
  distroVersion: string;
  /** Sum of the compressed layer sizes, as Anchore reports it. */
  imageSize: number;
  layerCount: number;
  /** Files kept for policy gates (retrieved_files), base64 by path. */
  retrieved: Record<string, string>;
  /**
   * Debian changelogs, base64 by path: the suppression evidence a re-match after a feed sync
   * applies again without pulling the image.
   */
  changelogs?: Record<string, string>;
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
