/**
 * What the promote job needs from the registry core: copy an image by digest between two
 * repositories, and point a tag at a manifest already in a repository. The composition root
 * (src/main) implements it over the registry back-end with request-scoped credentials.
 */
import type { RegistryLogin } from './analyze.js';

export interface RepositoryLocation {
  registry: string;
  repository: string;
}

export interface CopyOutcome {
  digest: string;
  mediaType: string;
  manifests: string[];
  blobs: { present: number; mounted: number; uploaded: number };
  referrers: string[];
  tags: string[];
}

export interface RegistryWriter {
  copy(request: {
    source: RepositoryLocation;
    destination: RepositoryLocation;
    digest: string;
    tags: readonly string[];
    referrers: boolean;
    /** The account's logins, each for its own registry only. */
    credentials: readonly RegistryLogin[];
    signal: AbortSignal;
  }): Promise<CopyOutcome>;
  tag(request: {
    target: RepositoryLocation;
    digest: string;
    tag: string;
    credentials: readonly RegistryLogin[];
    signal: AbortSignal;
  }): Promise<void>;
}
