/**
 * The contract of a cataloger: which files it wants, and pure parsers from file contents to
 * packages. Walking the filesystem, attaching layers and de-duplicating is the generic
 * cataloger's job (src/core/catalog), not the parser's.
 */
import type { Package, Relationship } from '../sbom/model.js';

/** A file handed to a parser. Contents are bytes: parsers decide how to decode. */
export interface FileInput {
  /** Absolute path in the image. */
  path: string;
  contents: Buffer;
  layerDiffId?: string;
}

/** Lets a parser read sibling files it needs (e.g. dpkg info/*.list, METADATA's RECORD). */
export interface FileResolver {
  /** Contents of another file in the image, or undefined when absent or too large. */
  read(path: string): Promise<Buffer | undefined>;
  /** Paths matching a glob (picomatch syntax, absolute). */
  glob(pattern: string): Promise<string[]>;
}

export interface ParseContext {
  resolver: FileResolver;
  /** Distro of the image, for PURL qualifiers (distro=debian-12). */
  distro?: { id: string; versionId?: string; codename?: string };
  /** `<cataloger id>@<version>` to stamp on packages. */
  foundBy: string;
}

/** Packages without `id`, `foundBy` and `locations`: the generic cataloger fills those. */
export type ParsedPackage = Omit<Package, 'id' | 'foundBy' | 'locations'> & {
  locations?: Package['locations'];
};

export interface ParseResult {
  packages: ParsedPackage[];
  /** Relationships by package key `type/name@version` (resolved to ids by the generic cataloger). */
  relationships: { from: string; to: string; type: Relationship['type'] }[];
  /** Problems that did not stop the parse: malformed stanzas, unreadable fields. */
  problems: string[];
}

export interface CatalogerParser {
  /** Absolute-path globs (picomatch) this parser reads, e.g. '/var/lib/dpkg/status'. */
  globs: readonly string[];
  /**
   * Globs of sibling files `parse` may read through the resolver (dpkg `info/*.list`,
   * copyright files). The generic cataloger reads them in the same single pass over the
   * layers, so a resolver read never costs another pass.
   */
  prefetch?: readonly string[];
  /**
   * Which packages the file lists depends on its siblings (rpm's rpmdb.sqlite and the
   * rpmdb.sqlite-wal beside it), not only their details (dpkg's file lists and licences). The
   * layer-of-origin search then re-parses older copies with the siblings of the same layer;
   * for other parsers it skips that reading.
   */
  siblingsDecidePackages?: boolean;
  /**
   * Cheap test on a matched file's bytes: only files it accepts are kept for `parse`. Lets
   * broad globs (every executable, for Go build info) cost nothing for the files that fail it.
   */
  keep?: (contents: Buffer) => boolean;
  /**
   * The file declares packages rather than proving them installed (lock files). Its packages
   * count only where installed evidence of the same package sits beside it, or in a directory
   * scan, marked `declaredOnly` (src/core/catalog/dedupe.ts).
   */
  declares?: boolean;
  parse(file: FileInput, context: ParseContext): Promise<ParseResult>;
}

export interface Cataloger {
  /** Stable id, e.g. 'dpkg-db'. Part of the layer-cache key together with `version`. */
  id: string;
  /** Bump when output changes for the same input. */
  version: number;
  /** Ecosystem folder this belongs to. */
  ecosystem: string;
  /**
   * A distro package database (dpkg, rpm, apk): when one of its files exists but cannot be
   * read (a symlink loop, a file over the size cap, a parser failure), the image's packages
   * are missing, so the unknown carries the code PACKAGE_DB_UNREADABLE.
   */
  packageDatabase?: boolean;
  parsers: readonly CatalogerParser[];
}
