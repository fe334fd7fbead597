/** Public API of the layered filesystem (see README.md). */
export { LayeredFilesystem, type FilesystemOptions } from './layered-filesystem.js';
export type { ContentVisitor, ParsedLayer } from './layer-index.js';
export { modeString } from './mode.js';
export { MAX_SYMLINK_HOPS } from './resolve.js';
export type { FileVisitor } from './read-files.js';
export type {
  EntryType,
  FileSelector,
  FsEntry,
  FsProblem,
  FsProblemCode,
  LayerEntry,
  LayerEntryType,
  LayerInfo,
  ReadFilesOptions,
} from './types.js';
