import { createReadStream } from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pack, type Header as TarHeader } from 'tar-stream';
import { PortcullisError } from '../../../errors.js';
import type { WalkEntry } from './walk.js';

const TAR_TYPE = {
  file: 'file',
  directory: 'directory',
  symlink: 'symlink',
  hardlink: 'link',
  char: 'character-device',
  block: 'block-device',
  fifo: 'fifo',
} as const;

/** Linux dev_t split as glibc's major()/minor() do (for the common 32-bit range). */
function devNumbers(rdev: number): { devmajor: number; devminor: number } {
  return { devmajor: (rdev >>> 8) & 0xfff, devminor: (rdev & 0xff) | ((rdev >>> 12) & 0xfff00) };
}

function headerOf(entry: WalkEntry): Partial<TarHeader> & { name: string } {
  const { stat, kind } = entry;
  const header: Partial<TarHeader> & { name: string } = {
    name: entry.name,
    type: TAR_TYPE[kind],
    mode: stat.mode & 0o7777,
    uid: stat.uid,
    gid: stat.gid,
    size: kind === 'file' ? stat.size : 0,
    // Whole seconds, like every tar writer: the layer digest must not depend on sub-second noise.
    mtime: new Date(Math.floor(stat.mtimeMs / 1000) * 1000),
    uname: '',
    gname: '',
  };
  if (entry.linkname !== undefined) header.linkname = entry.linkname;
  if (kind === 'char' || kind === 'block') Object.assign(header, devNumbers(stat.rdev));
  return header;
}

/**
 * Streams the walk as a tar. Same walk and unchanged files give the same bytes, which is
 * what lets the back-end hash the layer in a first pass and serve it in later ones; a file
 * that changed size in between fails the stream instead of producing a different layer.
 */
export function packEntries(entries: readonly WalkEntry[], source: string): Readable {
  const tar = pack();
  const out = new PassThrough({ highWaterMark: 256 * 1024 });
  const fill = async () => {
    for (const entry of entries) {
      const header = headerOf(entry);
      if (entry.kind !== 'file') {
        await new Promise<void>((resolve, reject) =>
          tar.entry(header, (err) => (err ? reject(err) : resolve())),
        );
        continue;
      }
      const sink = tar.entry(header);
      await pipeline(createReadStream(entry.absPath), sink).catch((err: unknown) => {
        throw new PortcullisError('IO', `${source}: cannot read ${entry.absPath} (changed while reading?)`, {
          cause: err,
          details: { path: entry.absPath },
        });
      });
    }
    tar.finalize();
  };
  tar.on('error', (err) => out.destroy(err));
  tar.pipe(out);
  fill().catch((err: unknown) => {
    out.destroy(err as Error);
    tar.destroy();
  });
  return out;
}
