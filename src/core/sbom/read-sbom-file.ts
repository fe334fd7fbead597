/**
 * Reads an SBOM file given as `sbom:<file>`, bounded: the path may name anything (a FIFO,
 * /dev/zero, a multi-gigabyte file), and decoding needs the whole text in memory, so at most
 * `maxBytes` are read and anything longer is refused before it is parsed.
 */
import { open } from 'node:fs/promises';
import { PortcullisError } from '../errors.js';

/** Far above any real SBOM (a 50,000-package CycloneDX file is about 60 MB). */
export const DEFAULT_MAX_SBOM_BYTES = 512 * 1024 * 1024;

export async function readSbomFile(file: string, maxBytes = DEFAULT_MAX_SBOM_BYTES): Promise<Buffer> {
  const handle = await open(file, 'r').catch((err: unknown) => {
    throw new PortcullisError('NOT_FOUND', `cannot read SBOM file ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  });
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) {
      throw new PortcullisError('INVALID_ARGUMENT', `SBOM file ${file} is a directory`);
    }
    if (stat.isFile() && stat.size > maxBytes) {
      throw tooLarge(file, maxBytes, stat.size);
    }
    // Devices and pipes report no size: read in chunks and stop one byte past the limit.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1024 * 1024, maxBytes + 1 - total));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
      if (total > maxBytes) throw tooLarge(file, maxBytes);
    }
    return Buffer.concat(chunks, total);
  } finally {
    await handle.close();
  }
}

function tooLarge(file: string, maxBytes: number, size?: number): PortcullisError {
  const what = size === undefined ? 'holds more than' : `is ${size} bytes, more than`;
  return new PortcullisError(
    'SIZE_LIMIT',
    `SBOM file ${file} ${what} the ${maxBytes}-byte limit for SBOM input`,
    {
      details: { file, maxBytes },
    },
  );
}
