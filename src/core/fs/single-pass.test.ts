/** The indexing pass can hand over contents itself, and cached layer indexes skip streaming. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../image/options.js';
import type { ParsedLayer } from './layer-index.js';
import { LayeredFilesystem } from './layered-filesystem.js';
import { dir, file, imageFromEntries } from './test-support/build-image.js';
import { countingImage } from './test-support/fs-for.js';

const LAYERS = [
  [dir('etc/'), file('etc/os-release', 'ID=debian'), file('etc/big', 'x'.repeat(5000))],
  [file('etc/os-release', 'ID=debian\nVERSION_ID=12')],
];

describe('content during indexing', () => {
  it('gives wanted files of every layer to the content visitor in the same pass', async () => {
    const { image, opens } = countingImage(await imageFromEntries(LAYERS));
    const seen: string[] = [];
    const tempDir = await mkdtemp(join(tmpdir(), 'pc-fs-single-'));
    await LayeredFilesystem.fromImage(image, {
      limits: DEFAULT_LIMITS,
      tempDir,
      content: (layer) => ({
        wants: (path, size) => path.startsWith('/etc/') && size < 1000,
        visit: async (path, _size, body) => {
          const chunks: Buffer[] = [];
          for await (const c of body) chunks.push(c as Buffer);
          seen.push(`${layer}:${path}=${Buffer.concat(chunks).toString()}`);
        },
      }),
    });
    expect(seen).toEqual(['0:/etc/os-release=ID=debian', '1:/etc/os-release=ID=debian\nVERSION_ID=12']);
    expect(opens).toEqual([1, 1]);
  });

  it('does not stream layers whose index is handed in, and reads contents from them later', async () => {
    const first = countingImage(await imageFromEntries(LAYERS));
    const tempDir = await mkdtemp(join(tmpdir(), 'pc-fs-single-'));
    const cache: ParsedLayer[] = [];
    await LayeredFilesystem.fromImage(first.image, {
      limits: DEFAULT_LIMITS,
      tempDir,
      onIndexed: (i, parsed) => void (cache[i] = JSON.parse(JSON.stringify(parsed)) as ParsedLayer),
    });
    const second = countingImage(await imageFromEntries(LAYERS));
    const fs = await LayeredFilesystem.fromImage(second.image, {
      limits: DEFAULT_LIMITS,
      tempDir,
      indexed: cache,
    });
    expect(second.opens).toEqual([0, 0]);
    expect(fs.entries().map((e) => `${e.path}@${e.layer}`)).toEqual([
      '/etc@0',
      '/etc/big@0',
      '/etc/os-release@1',
    ]);
    expect((await fs.readFile('/etc/big')).length).toBe(5000);
    expect(second.opens).toEqual([1, 0]);
  });
});
