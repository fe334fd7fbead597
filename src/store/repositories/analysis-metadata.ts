import type { ImageConfigFile } from '../../core/image/types.js';

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
