import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBoundedFile } from './read-bounded-file.js';

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

  it('stops an endless device one byte past the limit instead of filling memory', async () => {
    await expect(readSbomFile('/dev/zero', 4 * 1024 * 1024)).rejects.toMatchObject({
      code: 'SIZE_LIMIT',
      message: expect.stringContaining(
        'SBOM file /dev/zero holds more than the 4194304-byte limit',
      ) as string,
    });
  });

  it('names a missing file and a directory', async () => {
    await expect(readSbomFile(join(work, 'nope.json'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(readSbomFile(work)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: `SBOM file ${work} is a directory`,
    });
  });
});
