/**
 * The layered filesystem of an image: metadata of every path in the squashed view (and of each
 * layer on its own), built with one streaming pass per layer; contents read lazily, per batch.
 */
import picomatch from 'picomatch';
import { PortcullisError, isPortcullisError } from '../errors.js';
import type { FileResolver } from '../ecosystems/types.js';
import type { ImageLimits } from '../image/options.js';
import type { Image } from '../image/types.js';
import { indexLayer, type ContentVisitor, type LayerRecord, type ParsedLayer } from './layer-index.js';
import { normalizeEntryPath, parentOf } from './paths.js';
import { readEntries, type FileVisitor, type ReadContext } from './read-files.js';
import { resolvePath } from './resolve.js';
import { SquashedTree, type IndexedEntry } from './squash.js';
import type { LayerRef } from './tar-walk.js';
import type { FileSelector, FsEntry, FsProblem, LayerEntry, LayerInfo, ReadFilesOptions } from './types.js';

export interface FilesystemOptions {
  limits: ImageLimits;
  /** Private scratch directory (OpenOptions.tempDir); only spills of large hard-linked files go there. */
  tempDir: string;
  /** Called after each layer is indexed (for progress displays). */
  onLayer?: (done: number, total: number, entries: number) => void;
  /** Reads file contents during the indexing pass (digests, secrets, cataloger inputs), per layer. */
  content?: (layerIndex: number) => ContentVisitor | undefined;
  /**
   * Layer indexes known from a cache, by layer position: those layers are not streamed at
   * all (and `content` is not called for them). `onIndexed` receives every fresh index.
   */
  indexed?: readonly (ParsedLayer | undefined)[];
  onIndexed?: (layerIndex: number, parsed: ParsedLayer) => void | Promise<void>;
}

/** Default cap of `readFile` and of the resolver: whole files are held in memory. */
const DEFAULT_READ_CAP = 256 * 1024 * 1024;

export class LayeredFilesystem {
  private sorted: FsEntry[] | undefined;
  private children: Map<string, FsEntry[]> | undefined;
  private readonly what: string;

  private constructor(
    readonly image: Image,
    readonly layers: readonly LayerInfo[],
    private readonly refs: readonly LayerRef[],
    private readonly tree: SquashedTree,
    private readonly perLayer: readonly ParsedLayer[],
    private readonly options: FilesystemOptions,
  ) {
    this.what = image.source;
  }

  static async fromImage(image: Image, options: FilesystemOptions): Promise<LayeredFilesystem> {
    const layers = await image.layers();
    const refs = layers.map((layer, index) => ({ image: image.source, index, layer }));
    const tree = new SquashedTree(image.source);
    const perLayer: ParsedLayer[] = [];
    for (const ref of refs) {
      let parsed = options.indexed?.[ref.index];
      if (!parsed) {
        parsed = await indexLayer(ref, options.limits, options.content?.(ref.index));
        await options.onIndexed?.(ref.index, parsed);
      }
      tree.apply(ref.index, parsed);
      perLayer.push(parsed);
      options.onLayer?.(ref.index + 1, refs.length, tree.entries.size);
    }
    const info = layers.map((l, index) => ({ index, digest: l.digest, diffId: l.diffId }));
    return new LayeredFilesystem(image, info, refs, tree, perLayer, options);
  }

  /** Entries that did not stop the scan but were skipped or adjusted (unsafe paths, dangling hard links...). */
  get problems(): readonly FsProblem[] {
    return this.tree.problems;
  }

  /** The squashed view, sorted by path. */
  entries(): readonly FsEntry[] {
    this.sorted ??= [...this.tree.entries.values()].sort((a, b) => compare(a.path, b.path));
    return this.sorted;
  }

  /** What layer `n` itself contains, whiteout and opaque markers included, sorted by path. */
  layerEntries(n: number): readonly LayerEntry[] {
    const parsed = this.perLayer[n];
    if (parsed === undefined) {
      throw new PortcullisError(
        'INVALID_ARGUMENT',
        `${this.what} has ${this.perLayer.length} layers (0-${this.perLayer.length - 1}); there is no layer ${n}`,
      );
    }
    // A later duplicate of a path wins, as when the layer is applied; markers are listed too.
    const byPath = new Map<string, LayerEntry>();
    for (const r of parsed.records) byPath.set(r.path, withoutOrdinal(r));
    return [...byPath.values(), ...parsed.markers].sort(
      (a, b) => compare(a.path, b.path) || compare(a.type, b.type),
    );
  }

  /** The entry at `path`, following symlinks; undefined when absent. Throws SYMLINK_LOOP. */
  stat(path: string): FsEntry | undefined {
    return this.lookup(path, true);
  }

  /** The entry at `path` itself (a symlink stays a symlink); parents are still followed. */
  lstat(path: string): FsEntry | undefined {
    return this.lookup(path, false);
  }

  /** Canonical path of `path` with every symlink resolved inside the image root. */
  realpath(path: string): string {
    const found = resolvePath(this.tree.entries, path, true, this.what);
    if (!found)
      throw new PortcullisError('NOT_FOUND', `${this.what}: no such file "${path}"`, { details: { path } });
    return found.path;
  }

  /** Children of a directory (symlinks followed), sorted; undefined when `path` is not a directory. */
  readdir(path: string): readonly FsEntry[] | undefined {
    const dir = path === '/' ? '/' : this.stat(path)?.type === 'dir' ? this.realpath(path) : undefined;
    if (dir === undefined) return undefined;
    if (this.children === undefined) {
      // Built on first use from the sorted list, so children come out sorted too.
      this.children = new Map();
      for (const e of this.entries()) {
        const parent = parentOf(e.path);
        const list = this.children.get(parent);
        if (list) list.push(e);
        else this.children.set(parent, [e]);
      }
    }
    return this.children.get(dir) ?? [];
  }

  /** Squashed entries whose absolute path matches a picomatch glob ("/etc/**"; a relative one is taken from "/"). */
  glob(pattern: string): FsEntry[] {
    const absolute = pattern.startsWith('/') || pattern.startsWith('*') ? pattern : `/${pattern}`;
    const match = picomatch(absolute, { dot: true });
    return this.entries().filter((e) => match(e.path));
  }

  /** Contents of one file (symlinks followed). */
  async readFile(path: string, options: { maxBytes?: number } = {}): Promise<Buffer> {
    const entry = this.stat(path);
    if (!entry)
      throw new PortcullisError('NOT_FOUND', `${this.what}: no such file "${path}"`, { details: { path } });
    if (entry.type !== 'file' && entry.type !== 'hardlink') {
      throw new PortcullisError(
        'INVALID_ARGUMENT',
        `${this.what}: "${path}" is a ${entry.type}, not a file`,
        {
          details: { path, type: entry.type },
        },
      );
    }
    const cap = options.maxBytes ?? DEFAULT_READ_CAP;
    let content: Buffer | undefined;
    await readEntries(
      this.readContext(),
      [entry as IndexedEntry],
      (_e, data) => {
        if (Buffer.isBuffer(data)) content = data;
      },
      { maxFileBytes: cap, streamAboveBytes: Number.POSITIVE_INFINITY },
    );
    if (content === undefined) {
      throw new PortcullisError(
        'SIZE_LIMIT',
        `${this.what}: "${path}" is ${entry.size} bytes, over the ${cap}-byte cap`,
        {
          details: { path, size: entry.size, limit: cap },
        },
      );
    }
    return content;
  }

  /**
   * Reads many files, streaming each layer that holds a selected file's final version once.
   * Visits happen in layer order; a visitor may return a promise (it is awaited). Paths in a
   * list follow symlinks; globs and predicates see only regular files and hard links.
   * Contents are from layers verified during indexing; a layer that no longer matches fails.
   */
  async readFiles(
    selector: FileSelector,
    visitor: FileVisitor,
    options: ReadFilesOptions = {},
  ): Promise<void> {
    await readEntries(this.readContext(), this.select(selector), visitor, options);
  }

  /** The cataloger view (FileResolver): absent, non-file or too-large files read as undefined. */
  toResolver(options: { maxFileBytes?: number } = {}): FileResolver {
    return {
      read: async (path) => {
        try {
          return await this.readFile(path, { maxBytes: options.maxFileBytes ?? DEFAULT_READ_CAP });
        } catch (err) {
          if (isPortcullisError(err, 'NOT_FOUND') || isPortcullisError(err, 'INVALID_ARGUMENT'))
            return undefined;
          if (isPortcullisError(err, 'SIZE_LIMIT') || isPortcullisError(err, 'SYMLINK_LOOP'))
            return undefined;
          throw err;
        }
      },
      glob: async (pattern) => this.glob(pattern).map((e) => e.path),
    };
  }

  private select(selector: FileSelector): IndexedEntry[] {
    const isContent = (e: FsEntry) => e.type === 'file' || e.type === 'hardlink';
    if (typeof selector === 'string') return this.glob(selector).filter(isContent) as IndexedEntry[];
    if (typeof selector === 'function') {
      return (this.entries() as IndexedEntry[]).filter((e) => isContent(e) && selector(e));
    }
    const out: IndexedEntry[] = [];
    for (const path of selector) {
      const entry = this.stat(path);
      if (entry && isContent(entry)) out.push(entry as IndexedEntry);
    }
    return [...new Set(out)];
  }

  private lookup(path: string, followLast: boolean): FsEntry | undefined {
    // Fast path: entries are stored under real paths (their parents are directories, never
    // symlinks), so an exact hit needs no resolution unless it is a symlink to follow. Paths
    // with ".." take the slow path: ".." after a symlink is resolved physically.
    if (!path.includes('..')) {
      const direct = this.tree.entries.get(normalizeEntryPath(path) as string);
      if (direct !== undefined && (direct.type !== 'symlink' || !followLast)) return direct;
    }
    return resolvePath(this.tree.entries, path, followLast, this.what)?.entry;
  }

  private readContext(): ReadContext {
    return {
      refs: this.refs,
      limits: this.options.limits,
      tempDir: this.options.tempDir,
      pathAt: (layer, ordinal) => this.recordAt(layer, ordinal)?.path,
    };
  }

  private recordAt(layer: number, ordinal: number): LayerRecord | undefined {
    const records = this.perLayer[layer]?.records;
    if (!records) return undefined;
    // Records are in ordinal order (markers and skipped entries leave gaps): binary search.
    let lo = 0;
    let hi = records.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = records[mid] as LayerRecord;
      if (r.ordinal === ordinal) return r;
      if (r.ordinal < ordinal) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }
}

function withoutOrdinal(r: LayerRecord): LayerEntry {
  const { ordinal: _o, devMajor: _ma, devMinor: _mi, ...rest } = r;
  return rest;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
