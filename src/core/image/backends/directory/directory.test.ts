import { execFileSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { chmod, link, mkdir, mkdtemp, readdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFailure, testOpenOptions } from '../../archive/test-support/helpers.js';
import { openImage } from '../../open.js';
import { type TestImageOptions } from '../../test-support/image-options.js';

let work: string;
let root: string;
let options: TestImageOptions;
const longName = `${'x'.repeat(120)}.txt`;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pc-dir-backend-'));
  options = testOpenOptions(work);
  root = join(work, 'rootfs');
  await mkdir(join(root, 'etc/empty'), { recursive: true });
  await mkdir(join(root, 'usr/bin'), { recursive: true });
  await writeFile(join(root, 'etc/hostname'), 'fixture\n');
  await writeFile(join(root, 'etc/B-upper'), 'sorted before lower case in byte order\n');
  await writeFile(join(root, 'etc/ünïcode'), 'utf-8 name\n');
  await writeFile(join(root, 'usr/bin/tool'), '#!/bin/sh\n', { mode: 0o755 });
  await link(join(root, 'usr/bin/tool'), join(root, 'usr/bin/tool-hardlink'));
  await writeFile(join(root, 'usr/bin/suid'), 'suid\n');
  await chmod(join(root, 'usr/bin/suid'), 0o4755);
  await symlink('/etc/passwd', join(root, 'etc/outside-link'));
  await symlink('../usr', join(root, 'etc/dir-link'));
  await writeFile(join(root, longName), 'long\n');
  execFileSync('mkfifo', [join(root, 'etc/fifo')]);
  // Whole-second mtimes everywhere so GNU tar's listing and ours print the same times.
  for (const rel of execFileSync('find', ['.', '-mindepth', '1'], { cwd: root, encoding: 'utf8' })
    .trim()
    .split('\n')) {
    execFileSync('touch', ['-h', '-d', '@1700000000', join(root, rel)]);
  }
  await utimes(root, 1700000000, 1700000000);
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function listing(tarFile: string): string[] {
  return execFileSync('tar', ['--numeric-owner', '--full-time', '--quoting-style=literal', '-tvf', tarFile], {
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC', LC_ALL: 'C' },
  })
    .trim()
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' '));
}

describe('dir back-end', () => {
  it('produces the tar GNU tar produces from the same tree (names, types, modes, owners, sizes, links)', async () => {
    const image = await openImage(`dir:${root}`, options.env, options.request);
    const [layer] = await image.layers();
    const ours = join(work, 'ours.tar');
    await pipeline(await layer!.uncompressed(), createWriteStream(ours));
    const reference = join(work, 'gnu.tar');
    const top = (await readdir(root)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    execFileSync(
      'tar',
      ['--sort=name', '--numeric-owner', '--format=posix', '-C', root, '-cf', reference, ...top],
      {
        env: { ...process.env, LC_ALL: 'C' },
      },
    );
    // 8 under etc (with etc/ and etc/empty/), 5 under usr, and the long name.
    expect(listing(ours).length).toBe(14);
    expect(listing(ours)).toEqual(listing(reference));
    expect(listing(ours).some((l) => l.endsWith('etc/outside-link -> /etc/passwd'))).toBe(true);
    expect(listing(ours).some((l) => l.includes('usr/bin/tool-hardlink link to usr/bin/tool'))).toBe(true);
  });

  it('synthesizes a deterministic image whose diff_id is the digest of the generated tar', async () => {
    const a = await openImage(`dir:${root}`, options.env, options.request);
    const b = await openImage(`dir:${root}`, options.env, options.request);
    expect(a.digest).toBe(b.digest);
    const cfg = await a.config();
    const [layer] = await a.layers();
    expect(cfg.rootfs.diff_ids).toEqual([layer?.diffId]);
    expect(layer?.digest).toBe(layer?.diffId);
    const sha = execFileSync('sha256sum', {
      input: await (async () => {
        const chunks: Buffer[] = [];
        for await (const c of await layer!.uncompressed()) chunks.push(c as Buffer);
        return Buffer.concat(chunks);
      })(),
    })
      .toString()
      .split(' ')[0];
    expect(`sha256:${sha}`).toBe(layer?.diffId);
    expect(a.platform).toEqual({ os: 'linux', architecture: 'amd64' });
  });

  it('fails with DIGEST_MISMATCH when a file changes between opening and reading', async () => {
    const tree = join(work, 'changing');
    await mkdir(tree);
    await writeFile(join(tree, 'data'), 'before\n');
    const image = await openImage(`dir:${tree}`, options.env, options.request);
    await writeFile(join(tree, 'data'), 'after!\n');
    const [layer] = await image.layers();
    const err = await (async () => {
      for await (const _ of await layer!.uncompressed());
    })().catch((e: unknown) => e as Error & { code?: string });
    expect(err?.code).toBe('DIGEST_MISMATCH');
    expect(err?.message).toContain(`dir:${tree} layer 0`);
  });

  it('reports a missing directory, a file given as a directory, and too many entries', async () => {
    const missing = await openFailure(`dir:${join(work, 'nope')}`, options);
    expect(missing.code).toBe('NOT_FOUND');
    expect(missing.message).toContain('nope');
    const file = join(work, 'plain-file');
    await writeFile(file, 'x');
    expect((await openFailure(`dir:${file}`, options)).code).toBe('INVALID_ARGUMENT');
    const limited = {
      ...options,
      env: { ...options.env, limits: { ...options.env.limits, maxEntriesPerLayer: 3 } },
    };
    expect((await openFailure(`dir:${root}`, limited)).code).toBe('SIZE_LIMIT');
  });
});
