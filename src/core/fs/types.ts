/** Types of the layered filesystem: one entry per path, with the layer that wrote it. */

export type EntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

/** What a layer tar can hold besides entries: whiteout markers, shown only in per-layer views. */
export type LayerEntryType = EntryType | 'whiteout' | 'opaque';

export interface FsEntry {
  /** Absolute, normalized path in the image ("/etc/passwd"). */
  readonly path: string;
  readonly type: EntryType;
  /** Permission bits including setuid (0o4000), setgid (0o2000) and sticky (0o1000). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /**
   * Bytes of content for files (and hard links: the target's size), length of the target
   * for symlinks (what lstat reports), 0 otherwise.
   */
  readonly size: number;
  /** Modification time, milliseconds since the epoch. */
  readonly mtime: number;
  /** Symlink target as written in the tar; for hard links the absolute path linked to. */
  readonly linkTarget?: string;
  readonly devMajor?: number;
  readonly devMinor?: number;
  /** Index (0 = base) of the layer that last wrote this path. */
  readonly layer: number;
  /**
   * Layers that wrote this path since it last came into existence (ascending); a whiteout
   * ends that history, so a path deleted and re-created starts a new list.
   */
  readonly layers: readonly number[];
  /** True for a parent directory no tar entry declared (created as `mkdir -p` would). */
  readonly implicit?: boolean;
}

/** One entry as a single layer's tar records it (the `--layer N` view). */
export interface LayerEntry {
  readonly path: string;
  readonly type: LayerEntryType;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  readonly mtime: number;
  readonly linkTarget?: string;
  readonly layer: number;
}

export interface LayerInfo {
  readonly index: number;
  readonly digest: string;
  readonly diffId: string;
}

export type FsProblemCode =
  'UNSAFE_PATH' | 'HARDLINK_MISSING' | 'DUPLICATE_ENTRY' | 'PARENT_NOT_DIRECTORY' | 'UNSUPPORTED_ENTRY';

/** Something wrong with one entry that did not stop the scan: the entry was skipped or adjusted. */
export interface FsProblem {
  readonly code: FsProblemCode;
  readonly layer: number;
  /** The name as it appeared in the tar (unsafe names), else the normalized path. */
  readonly path: string;
  readonly message: string;
}

/** Which files `readFiles` reads: explicit paths, a glob (picomatch), or a predicate. */
export type FileSelector = readonly string[] | string | ((entry: FsEntry) => boolean);

export interface ReadFilesOptions {
  /** Files larger than this are not read; they are reported through `onSkip`. Default: no cap. */
  maxFileBytes?: number;
  /** Files larger than this are handed to the visitor as a stream instead of a Buffer. Default 16 MiB. */
  streamAboveBytes?: number;
  /** Called for selected files that were not read (too large). */
  onSkip?: (entry: FsEntry, reason: string) => void;
}
