/**
 * Red Hat publishes its VEX files as one `csaf_vex_<date>.tar.zst` archive (named in
 * `archive_latest.txt`) plus `changes.csv` / `deletions.csv` listing every file changed or
 * removed since, each as `"<year>/<cve>.json","<ISO time>"`. A current view is the archive,
 * minus the deletions, with each changed file taken loose instead of from the archive.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { PortcullisError } from '../../../errors.js';
import { ZstdStream } from '../../../image/decompress.js';

export const ARCHIVE_NAME = /^csaf_vex_(\d{4}-\d\d-\d\d)\.tar\.zst$/;
/** A VEX file's path inside the archive and the site: `2023/cve-2023-0286.json`. */
export const VEX_PATH = /(?:^|\/)(\d{4}\/cve-\d{4}-\d{4,}\.json)$/;

/** `"2023/cve-2023-0286.json","2024-11-10T05:03:09+00:00"` lines → path → time. */
export function parseChangeList(text: string, file: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '') continue;
    const m = /^"?([^",]+)"?\s*,\s*"?([^",]+)"?$/.exec(line);
    const path = m?.[1];
    if (!m || !path || !/^\d{4}\/cve-\d{4}-\d{4,}\.json$/.test(path)) {
      throw new PortcullisError('FEED_CORRUPT', `${file}:${index + 1}: not a "<path>","<time>" line`, {
        details: { file },
      });
    }
    out.set(path, m[2] as string);
  }
  return out;
}

export async function readArchivePointer(file: string): Promise<string> {
  const name = (await readFile(file, 'utf8')).trim();
  if (!ARCHIVE_NAME.test(name)) {
    throw new PortcullisError('FEED_CORRUPT', `${file}: "${name.slice(0, 80)}" is not a VEX archive name`, {
      details: { file },
    });
  }
  return name;
}

export interface ArchiveMember {
  /** `<year>/<cve>.json` */
  path: string;
  /** null when larger than the member limit (drained, not kept). */
  contents: Buffer | null;
}

/** Streams the VEX members of a `.tar.zst`; `onMember` is awaited before the next one. */
export async function forEachArchiveMember(
  file: string,
  maxMemberBytes: number,
  onMember: (member: ArchiveMember) => Promise<void>,
): Promise<void> {
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    const path = header.type === 'file' ? VEX_PATH.exec(header.name)?.[1] : undefined;
    if (path === undefined || (header.size ?? 0) > maxMemberBytes) {
      stream.on('end', () => {
        if (path === undefined) next();
        else onMember({ path, contents: null }).then(() => next(), next);
      });
      stream.resume();
      return;
    }
    const chunks: Buffer[] = [];
    stream.on('data', (c) => chunks.push(c as Buffer));
    stream.on('end', () => {
      onMember({ path, contents: Buffer.concat(chunks) }).then(() => next(), next);
    });
  });
  try {
    await pipeline(createReadStream(file), new ZstdStream(), extract);
  } catch (err) {
    if (err instanceof PortcullisError && err.code !== 'CORRUPT_LAYER') throw err;
    throw new PortcullisError('FEED_CORRUPT', `${file}: cannot read VEX archive: ${(err as Error).message}`, {
      cause: err,
      details: { file },
    });
  }
}
