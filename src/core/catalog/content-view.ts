/**
 * Reads cataloger inputs from what the layer pass captured, falling back to the filesystem
 * (one more layer pass) only for files no cataloger declared.
 */
import picomatch from 'picomatch';
import type { FileResolver } from '../ecosystems/types.js';
import type { FsEntry, LayerInfo } from '../fs/types.js';
import type { LayerAnalysis } from './layer-analysis.js';

/** The part of LayeredFilesystem the cataloger needs. */
export interface SquashedView {
  readonly layers: readonly LayerInfo[];
  entries(): readonly FsEntry[];
  stat(path: string): FsEntry | undefined;
  glob(pattern: string): FsEntry[];
  readFile(path: string, options?: { maxBytes?: number }): Promise<Buffer>;
}

export class CapturedContent {
  constructor(
    private readonly view: SquashedView,
    private readonly analyses: readonly LayerAnalysis[],
    private readonly maxBytes: number,
  ) {}

  /** Captured bytes of `path` as written in layer `layer`, if the pass kept them. */
  inLayer(layer: number, path: string): Buffer | undefined {
    return this.analyses[layer]?.captured.get(path);
  }

  /** Final contents of a file entry, only if the layer pass captured them (never another pass). */
  captured(entry: FsEntry): Buffer | undefined {
    return this.inLayer(
      entry.layer,
      entry.type === 'hardlink' && entry.linkTarget ? entry.linkTarget : entry.path,
    );
  }

  /** Final (squashed) contents of a file entry. */
  async ofEntry(entry: FsEntry): Promise<Buffer | undefined> {
    const direct = this.inLayer(
      entry.layer,
      entry.type === 'hardlink' && entry.linkTarget ? entry.linkTarget : entry.path,
    );
    if (direct) return direct;
    if (entry.size > this.maxBytes) return undefined;
    try {
      return await this.view.readFile(entry.path, { maxBytes: this.maxBytes });
    } catch {
      return undefined;
    }
  }

  resolver(): FileResolver {
    return {
      read: async (path) => {
        let entry: FsEntry | undefined;
        try {
          entry = this.view.stat(path);
        } catch {
          return undefined; // symlink loop or escape: unreadable, not fatal
        }
        if (!entry || (entry.type !== 'file' && entry.type !== 'hardlink')) return undefined;
        return this.ofEntry(entry);
      },
      glob: async (pattern) => this.view.glob(pattern).map((e) => e.path),
    };
  }
}

/** A resolver that knows nothing: used to re-parse older versions of an evidence file cheaply. */
export const EMPTY_RESOLVER: FileResolver = {
  read: async () => undefined,
  glob: async () => [],
};

/**
 * Sibling files as one layer wrote them: re-parsing an older copy of an evidence file pairs it
 * only with files captured from that same layer (rpm's rpmdb.sqlite with the rpmdb.sqlite-wal
 * written beside it), never with a version from another layer.
 */
export function layerResolver(analysis: LayerAnalysis | undefined): FileResolver {
  if (!analysis) return EMPTY_RESOLVER;
  return {
    read: async (path) => analysis.captured.get(path),
    glob: async (pattern) => {
      const matches = picomatch(pattern, { dot: true });
      return [...analysis.captured.keys()].filter((path) => matches(path));
    },
  };
}
