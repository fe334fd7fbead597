/**
 * Checks that a freshly downloaded feed file is whole before it replaces the previous copy:
 * gzip and zstd decompress to their end, a zip's every member inflates with a matching CRC,
 * JSON parses.
 */
import { createReadStream } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ZstdStream } from '../../image/decompress.js';
import { openFeedStream, readFeedJson } from '../io/files.js';
import { forEachZipMember } from '../io/zip-entries.js';

/** `name` decides the format (the temporary file has a random suffix). */
export async function verifyFeedFile(tmpFile: string, name: string): Promise<void> {
  if (name.endsWith('.zip')) {
    await forEachZipMember(tmpFile, () => undefined);
  } else if (name.endsWith('.json')) {
    await readFeedJson(tmpFile);
  } else if (name.endsWith('.zst')) {
    // zstd frames carry a checksum: decompressing to the end proves the archive whole.
    await pipeline(
      createReadStream(tmpFile),
      new ZstdStream(),
      new Writable({ write: (_c, _e, done) => done() }),
    );
  } else if (name.endsWith('.gz')) {
    // openFeedStream picks gzip from the name, so drain it under the real name's rules.
    for await (const chunk of openFeedStream(tmpFile, undefined, true)) void chunk;
  }
}
