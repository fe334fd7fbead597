import yauzl, { type Entry, type ZipFile } from 'yauzl';

/** One archive opened from memory; entries are visited one at a time (lazy) so memory stays flat. */
export function openZip(buffer: Buffer): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(
      buffer,
      { lazyEntries: true, validateEntrySizes: true, strictFileNames: false },
      (err, zip) => {
        if (err !== null) reject(err);
        else resolve(zip);
      },
    );
  });
}

/** Calls `visit` for each entry in order; resolves after the last one. */
export function forEachEntry(zip: ZipFile, visit: (entry: Entry) => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    zip.on('entry', (entry: Entry) => {
      visit(entry).then(
        () => zip.readEntry(),
        (err: unknown) => {
          zip.close();
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
    zip.on('end', () => resolve());
    zip.on('error', (err: Error) => reject(err));
    zip.readEntry();
  });
}

export class EntryTooLarge extends Error {}

/**
 * Reads one entry into memory, refusing more than `limit` bytes. The declared size is checked
 * first; the actual inflated byte count is checked too because a crafted header can lie.
 */
export function readEntry(zip: ZipFile, entry: Entry, limit: number): Promise<Buffer> {
  if (entry.uncompressedSize > limit) {
    return Promise.reject(
      new EntryTooLarge(`${entry.fileName}: ${entry.uncompressedSize} bytes exceeds the ${limit}-byte limit`),
    );
  }
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err !== null) return reject(err);
      const chunks: Buffer[] = [];
      let total = 0;
      stream.on('data', (chunk: Buffer) => {
        total += chunk.length;
        if (total > limit) {
          stream.destroy(new EntryTooLarge(`${entry.fileName}: inflates past the ${limit}-byte limit`));
          return;
        }
        chunks.push(chunk);
      });
      stream.on('error', reject);
      stream.on('end', () => resolve(Buffer.concat(chunks)));
    });
  });
}
