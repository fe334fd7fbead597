/**
 * The package model every cataloger produces and every exporter, matcher and policy gate
 * consumes. Plain data (JSON-serializable), no behaviour.
 */

import type { PackageType } from './package-types.js';

/** Package types come from the one package-type table. */
export type { PackageType };

export interface Location {
  /** Absolute path inside the image, e.g. /usr/lib/node_modules/npm/package.json */
  path: string;
  /** diffID of the layer the evidence file was read from (absent for non-image sources). */
  layerDiffId?: string;
  /** Evidence files point to what proved the package; "primary" is the main one. */
  annotation?: 'primary' | 'supporting';
}

/** The distro package that owns a language package's files (Debian's python3-requests). */
export interface OwnedBy {
  type: PackageType;
  name: string;
  version: string;
}

export interface SourcePackage {
  name: string;
  version: string;
}

export interface Package {
  /** Stable id within one SBOM: derived from type, name, version and primary location. */
  id: string;
  name: string;
  version: string;
  type: PackageType;
  purl: string;
  /** SPDX license ids where known, else the license text/expression as declared. */
  licenses: string[];
  locations: Location[];
  /** Cataloger that found it, as `id@version`. */
  foundBy: string;
  /** Source package for distro packages (dpkg Source:, rpm SRPM, apk origin). */
  source?: SourcePackage;
  /** Set when a distro package owns this language package's files. */
  ownedBy?: OwnedBy;
  /** Layer (diffID) of the first evidence showing the package at its final version. */
  originLayer?: string;
  /** False when the package exists only in lower layers and was removed later (all-layers scope). */
  inSquashed?: boolean;
  /**
   * True when the only evidence is a file that declares the package (a lock file, an
   * application's own manifest) and nothing shows it installed: kept in directory scans,
   * where a lock file may be all there is, never reported for images.
   */
  declaredOnly?: boolean;
  /** Per-type metadata: architecture, maintainer, installed size, files, dependencies, ... */
  metadata: Record<string, unknown>;
}

export type RelationshipType = 'contains' | 'depends-on' | 'dev-depends-on' | 'owns-files-of';

export interface Relationship {
  from: string;
  to: string;
  type: RelationshipType;
}

/** A file a cataloger could not read; recorded, never fatal. */
export interface Unknown {
  path: string;
  layerDiffId?: string;
  cataloger: string;
  reason: string;
  /**
   * Machine-readable kind, for gates and reports: `PACKAGE_DB_UNREADABLE` (a distro package
   * database exists but cannot be read, so its packages are missing from the SBOM; gates fail
   * closed) and `OS_RELEASE_UNREADABLE` (the distro could not be identified from os-release).
   */
  code?: string;
}
