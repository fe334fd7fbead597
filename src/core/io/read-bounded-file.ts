/**
 * Reads a file the user named (an SBOM, VEX or ignore file, secret rules, a Dockerfile),
 * bounded: the path may name anything (a FIFO, /dev/zero, a multi-gigabyte file) and parsing
 * needs the whole text in memory, so at most `maxBytes` are read and anything longer is
 * refused before it is parsed; devices are refused before any byte is read. Pipes stay usable
 * (`--vex <(…)`), bounded while they stream.
 */
import { open } from 'node:fs/promises';
import { PortcullisError } from '../errors.js';

/** Far above any real SBOM (a 50,000-package CycloneDX file is about 60 MB). */
export const MAX_SBOM_BYTES = 512 * 1024 * 1024;
/** VEX documents, ignore files, secret rule files, Dockerfiles. */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

/** `what` names the file in messages: "SBOM file", "VEX document", ... */
export async function readBoundedFile(file: string, what: string, maxBytes: number): Promise<Buffer> {
  const handle = await open(file, 'r').catch((err: unknown) => {
    throw new PortcullisError('NOT_FOUND', `cannot read ${what} ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  });
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) {
      throw new PortcullisError('INVALID_ARGUMENT', `${what} ${file} is a directory`);
    }
    // A device never ends (/dev/zero, /dev/urandom) or is a whole disk: refuse it at once
    // rather than read up to the limit first. Pipes are fine: they end when the writer does.
    if (stat.isCharacterDevice() || stat.isBlockDevice()) {
      const kind = stat.isCharacterDevice() ? 'character' : 'block';
      throw new PortcullisError(
        'INVALID_ARGUMENT',
        `${what} ${file} is a ${kind} device, not a file or a pipe`,
        {
          details: { file },
        },
      );
    }
    if (stat.isFile() && stat.size > maxBytes) {
      throw tooLarge(what, file, maxBytes, stat.size);
    }
    // Pipes report no size: read in chunks and stop one byte past the limit.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1024 * 1024, maxBytes + 1 - total));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
      if (total > maxBytes) throw tooLarge(what, file, maxBytes);
    }
    return Buffer.concat(chunks, total);
  } finally {
    await handle.close();
  }
}

function tooLarge(what: string, file: string, maxBytes: number, size?: number): PortcullisError {
  const amount = size === undefined ? 'holds more than' : `is ${size} bytes, more than`;
  return new PortcullisError('SIZE_LIMIT', `${what} ${file} ${amount} the ${maxBytes}-byte limit`, {
    details: { file, maxBytes },
  });
}
