import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_SBOM_BYTES, readBoundedFile } from './read-bounded-file.js';

const readSbomFile = (file: string, maxBytes = 1024 * 1024) => readBoundedFile(file, 'SBOM file', maxBytes);

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'portcullis-read-sbom-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('readBoundedFile', () => {
  it('reads a file within the limit byte for byte', async () => {
    const file = join(work, 'ok.json');
    const body = Buffer.from(JSON.stringify({ bomFormat: 'CycloneDX', components: [] }));
    await writeFile(file, body);
    expect(await readSbomFile(file, body.length)).toEqual(body);
  });

  it('refuses a regular file over the limit from its size, naming both', async () => {
    const file = join(work, 'big.json');
    await writeFile(file, Buffer.alloc(2048, 0x20));
    await expect(readSbomFile(file, 1024)).rejects.toMatchObject({
      code: 'SIZE_LIMIT',
      message: `SBOM file ${file} is 2048 bytes, more than the 1024-byte limit`,
    });
  });

  it('refuses a character device before reading it (regression: sbom:/dev/zero read 512 MiB first)', async () => {
    // SIZE_LIMIT would mean the bytes were read up to the limit; the refusal comes from stat.
    await expect(readSbomFile('/dev/zero', MAX_SBOM_BYTES)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'SBOM file /dev/zero is a character device, not a file or a pipe',
    });
    await expect(readSbomFile('/dev/null')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('reads a FIFO (`--vex <(...)`), and stops one past the limit while it streams', async () => {
    const fifo = join(work, 'vex.fifo');
    execFileSync('mkfifo', [fifo]);
    const body = JSON.stringify({ '@context': 'https://openvex.dev/ns/v0.2.0', statements: [] });
    // the writer is a separate process, as a shell's process substitution is
    const writer = spawn('sh', ['-c', 'printf %s "$1" > "$2"', 'sh', body, fifo]);
    const written = once(writer, 'close');
    expect((await readSbomFile(fifo)).toString()).toBe(body);
    await written;
    const flood = spawn('sh', ['-c', 'head -c 3000000 /dev/zero > "$1"', 'sh', fifo]);
    const flooded = once(flood, 'close');
    await expect(readSbomFile(fifo, 1024 * 1024)).rejects.toMatchObject({
      code: 'SIZE_LIMIT',
      message: `SBOM file ${fifo} holds more than the 1048576-byte limit`,
    });
    flood.kill();
    await flooded;
  });

  it('names a missing file and a directory', async () => {
    await expect(readSbomFile(join(work, 'nope.json'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(readSbomFile(work)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: `SBOM file ${work} is a directory`,
    });
  });
});
