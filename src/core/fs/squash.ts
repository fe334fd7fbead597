/**
 * Applies parsed layers, bottom to top, to the squashed view, following the OCI image spec's
 * "Applying Changesets" and "Whiteouts": a layer's whiteouts and opaque markers act on lower
 * layers only (so they are applied first, whatever their position in the tar), a directory
 * over a directory merges, anything else replaces the path and whatever was below it.
 */
import { PortcullisError } from '../errors.js';
import type { ParsedLayer } from './layer-index.js';
import { baseName, joinPath, parentOf } from './paths.js';
import { resolvePath } from './resolve.js';
import type { FsEntry, FsProblem } from './types.js';

/** A squashed entry plus where its bytes live: tar ordinal `contentOrdinal` of layer `contentLayer`. */
export interface IndexedEntry extends FsEntry {
  /** -1 when the entry has no content (directories, links, devices). */
  readonly contentLayer: number;
  readonly contentOrdinal: number;
}

export class SquashedTree {
  readonly entries = new Map<string, IndexedEntry>();
  readonly problems: FsProblem[] = [];

  constructor(private readonly what: string) {}

  apply(layer: number, parsed: ParsedLayer): void {
    this.problems.push(...parsed.problems);
    this.deleteLower(parsed);
    const seen = new Set<string>();
    for (const record of parsed.records) {
      if (seen.has(record.path)) {
        this.problems.push({
          code: 'DUPLICATE_ENTRY',
          layer,
          path: record.path,
          message: `"${record.path}" appears more than once in the layer; the last entry wins`,
        });
      }
      seen.add(record.path);
      const dir = this.directoryFor(parentOf(record.path), layer, record.path);
      if (dir === undefined) continue;
      const path = joinPath(dir, baseName(record.path));
      const previous = this.entries.get(path);
      const history = previous === undefined ? [layer] : appendLayer(previous.layers, layer);
      const { ordinal, ...meta } = record;
      if (record.type === 'hardlink') {
        this.addHardlink(layer, path, record.path, record.linkTarget ?? '', history);
        continue;
      }
      this.entries.set(path, {
        ...meta,
        path,
        layers: history,
        contentLayer: record.type === 'file' ? layer : -1,
        contentOrdinal: record.type === 'file' ? ordinal : -1,
      });
    }
  }

  /** Whiteouts, opaque directories, and directories this layer replaces with a non-directory. */
  private deleteLower(parsed: ParsedLayer): void {
    const whiteouts = parsed.whiteouts.map((p) => this.throughLinks(p, false));
    const opaques = parsed.opaques.map((p) => this.throughLinks(p, true));
    const self = new Set(whiteouts);
    const below = new Set([...whiteouts, ...opaques]);
    for (const record of parsed.records) {
      if (record.type !== 'dir' && this.entries.get(record.path)?.type === 'dir') below.add(record.path);
    }
    if (below.size === 0) return;
    for (const path of this.entries.keys()) {
      if (self.has(path) || hasAncestorIn(path, below)) this.entries.delete(path);
    }
  }

  /**
   * Where a whiteout (or, with `self`, an opaque directory) really points when a parent is a
   * symlink (`lib/.wh.x` over `lib -> usr/lib` removes `/usr/lib/x`, as on a real filesystem).
   */
  private throughLinks(path: string, self: boolean): string {
    const parent = parentOf(path);
    if (!self && (parent === '/' || this.entries.get(parent)?.type === 'dir')) return path;
    try {
      const real = resolvePath(this.entries, self ? path : parent, true, this.what);
      if (real === undefined) return path;
      return self ? real.path : joinPath(real.path, baseName(path));
    } catch {
      return path; // a loop: nothing real to delete there
    }
  }

  /**
   * The real directory a child of `dir` goes into: missing parents are created (as `mkdir -p`
   * would), a symlinked parent is followed inside the root (as extracting onto a filesystem
   * does: Debian's /lib -> usr/lib), anything else is a problem and the entry is skipped.
   */
  private directoryFor(dir: string, layer: number, entryPath: string): string | undefined {
    if (dir === '/') return '/';
    const existing = this.entries.get(dir);
    if (existing?.type === 'dir') return dir;
    if (existing === undefined) {
      const parent = this.directoryFor(parentOf(dir), layer, entryPath);
      if (parent === undefined) return undefined;
      const real = joinPath(parent, baseName(dir));
      if (real !== dir) return this.directoryFor(real, layer, entryPath);
      this.entries.set(dir, {
        path: dir,
        type: 'dir',
        mode: 0o755,
        uid: 0,
        gid: 0,
        size: 0,
        mtime: 0,
        layer,
        layers: [layer],
        implicit: true,
        contentLayer: -1,
        contentOrdinal: -1,
      });
      return dir;
    }
    if (existing.type === 'symlink') {
      const target = this.tryResolve(dir, layer, entryPath);
      if (target && (target.entry === undefined || target.entry.type === 'dir')) return target.path;
    }
    this.problems.push({
      code: 'PARENT_NOT_DIRECTORY',
      layer,
      path: entryPath,
      message: `"${entryPath}": parent "${dir}" is a ${existing.type}, not a directory; skipped`,
    });
    return undefined;
  }

  private tryResolve(path: string, layer: number, entryPath: string) {
    try {
      return resolvePath(this.entries, path, true, this.what);
    } catch (err) {
      if (!(err instanceof PortcullisError)) throw err;
      this.problems.push({ code: 'PARENT_NOT_DIRECTORY', layer, path: entryPath, message: err.message });
      return undefined;
    }
  }

  /**
   * A hard link shares the target's inode: same metadata and the target's bytes as they were
   * when the link was made, even if a later layer replaces the target path.
   */
  private addHardlink(layer: number, path: string, tarPath: string, target: string, history: number[]): void {
    const found = this.entries.get(target) ?? resolvePath(this.entries, target, false, this.what)?.entry;
    if (found === undefined || found.type === 'dir') {
      this.problems.push({
        code: 'HARDLINK_MISSING',
        layer,
        path: tarPath,
        message: `hard link "${tarPath}" points to "${target}", which ${found ? 'is a directory' : 'does not exist'}; skipped`,
      });
      return;
    }
    const isFile = found.type === 'file' || found.type === 'hardlink';
    const { implicit: _implicit, ...inode } = found;
    this.entries.set(path, {
      ...inode,
      path,
      type: isFile ? 'hardlink' : found.type,
      linkTarget: isFile ? target : found.linkTarget,
      layer,
      layers: history,
    });
  }
}

function appendLayer(layers: readonly number[], layer: number): number[] {
  return layers[layers.length - 1] === layer ? [...layers] : [...layers, layer];
}

function hasAncestorIn(path: string, dirs: ReadonlySet<string>): boolean {
  for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
    if (dirs.has(path.slice(0, i))) return true;
  }
  return dirs.has('/');
}
