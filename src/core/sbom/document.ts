/**
 * The native SBOM document: what `portcullis sbom -o native` prints, what the SBOM exporters
 * translate, and what `sbom:<file>` reads back. Its JSON schema is schema/portcullis-sbom.schema.json.
 */
import type { ContentMatchRecord } from '../secrets/content-search.js';
import type { Package, Relationship, Unknown } from './model.js';

export const NATIVE_SCHEMA_VERSION = '1.0.0';

export interface SbomLayer {
  index: number;
  digest: string;
  diffId: string;
  size: number;
  mediaType: string;
  createdBy?: string;
}

export interface SbomSource {
  type: 'image' | 'directory' | 'sbom';
  /** The source string as given, e.g. `oci-dir:./layout:v1`. */
  input: string;
  /** Manifest digest for images. */
  digest?: string;
  mediaType?: string;
  platform?: string;
  tags?: string[];
  layers: SbomLayer[];
}

export interface SbomDistro {
  id: string;
  versionId?: string;
  versionCodename?: string;
  prettyName?: string;
  idLike?: string[];
}

export interface FileRecord {
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';
  mode: number;
  uid: number;
  gid: number;
  size: number;
  linkTarget?: string;
  sha256?: string;
  layerDiffId?: string;
  /** Package id owning this file, when a package manager records it. */
  ownerPackage?: string;
}

export interface SecretFinding {
  path: string;
  line: number;
  rule: string;
  /** The matched line with the secret itself replaced by asterisks. */
  redacted: string;
  layerDiffId?: string;
}

export interface SbomDocument {
  schemaVersion: string;
  descriptor: { name: 'portcullis'; version: string };
  createdAt: string;
  source: SbomSource;
  distro?: SbomDistro;
  packages: Package[];
  relationships: Relationship[];
  files: FileRecord[];
  secrets: SecretFinding[];
  /** Matches of the user's named content-search regexes (present when any were configured). */
  contentMatches?: ContentMatchRecord[];
  unknowns: Unknown[];
}

/** Deterministic order so outputs diff cleanly and golden files are stable. */
export function sortPackages(packages: readonly Package[]): Package[] {
  return [...packages].sort(
    (a, b) =>
      a.type.localeCompare(b.type) ||
      a.name.localeCompare(b.name) ||
      a.version.localeCompare(b.version) ||
      (a.locations[0]?.path ?? '').localeCompare(b.locations[0]?.path ?? ''),
  );
}
