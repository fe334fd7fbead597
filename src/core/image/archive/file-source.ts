/**
 * Where the files of an OCI layout or docker archive live: a directory on disk or members of
 * a tar. Paths are relative, `/`-separated, and built only from validated digests or from
 * the archive's own manifest; the directory form still refuses anything that leaves the root.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { posix, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { PortcullisError } from '../../errors.js';
import { readAll } from '../partial.js';
import type { TarIndex } from './tar-index.js';

export interface FileSource {
  /** For messages, e.g. "oci-dir:/images/app". */
  readonly what: string;
  exists(path: string): Promise<boolean>;
  /** Size in bytes; NOT_FOUND when missing. */
  size(path: string): Promise<number>;
  /** Opens a file, optionally a byte range of it; NOT_FOUND when missing. */
  open(path: string, start?: number, length?: number): Promise<Readable>;
  read(path: string, limit: number): Promise<Buffer>;
}

export function tarFileSource(index: TarIndex, what: string): FileSource {
  return {
    what,
    exists: async (path) => index.has(path),
    size: async (path) => index.size(path),
    open: async (path, start, length) => index.open(path, start, length),
    read: (path, limit) => index.read(path, limit),
  };
}

export function directoryFileSource(root: string, what: string): FileSource {
  const absRoot = resolve(root);
  const locate = (path: string): string => {
    const normal = posix.normalize(path);
    const full = resolve(absRoot, normal);
    if (posix.isAbsolute(path) || normal.startsWith('..') || !full.startsWith(absRoot + sep)) {
      throw new PortcullisError('UNSAFE_PATH', `${what}: path ${path} leaves the directory ${root}`, {
        details: { path },
      });
    }
    return full;
  };
  const fileSize = async (path: string): Promise<number> => {
    const full = locate(path);
    const info = await stat(full).catch((err: NodeJS.ErrnoException) => {
      throw new PortcullisError('NOT_FOUND', `${what}: ${path} does not exist in ${root}`, {
        cause: err,
        details: { path: full },
      });
    });
    if (!info.isFile()) {
      throw new PortcullisError('NOT_FOUND', `${what}: ${path} in ${root} is not a regular file`, {
        details: { path: full },
      });
    }
    return info.size;
  };
  const open = async (path: string, start = 0, length?: number): Promise<Readable> => {
    const size = await fileSize(path);
    const end = length === undefined ? size : Math.min(size, start + length);
    if (end <= start) return Readable.from([]);
    return createReadStream(locate(path), { start, end: end - 1, highWaterMark: 256 * 1024 });
  };
  return {
    what,
    exists: (path) =>
      fileSize(path).then(
        () => true,
        () => false,
      ),
    size: fileSize,
    open,
    read: async (path, limit) => readAll(await open(path), limit, `${what}: ${path}`),
  };
}
