/**
 * Checks that a freshly downloaded feed file is whole before it replaces the previous copy:
 * gzip inflates to its end, a zip's every member inflates with a matching CRC, JSON parses.
 */
import { openFeedStream, readFeedJson } from '../io/files.js';
import { forEachZipMember } from '../io/zip-entries.js';

/** `name` decides the format (the temporary file has a random suffix). */
export async function verifyFeedFile(tmpFile: string, name: string): Promise<void> {
  if (name.endsWith('.zip')) {
    await forEachZipMember(tmpFile, () => undefined);
  } else if (name.endsWith('.json')) {
    await readFeedJson(tmpFile);
  } else if (name.endsWith('.gz')) {
    // openFeedStream picks gzip from the name, so drain it under the real name's rules.
    for await (const chunk of openFeedStream(tmpFile, undefined, true)) void chunk;
  }
}
