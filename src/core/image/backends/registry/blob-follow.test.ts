/**
 * A reader following a download's temp file: it passes on bytes as they are written, waits
 * through a download starting over, ends only once the download is verified, and carries on
 * from the network when the cache gives out mid-way. The "download" here is driven by hand
 * on a real file, so every step is deterministic.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drain } from '../../../../../test/harness/registry/read-all.js';
import { DownloadProgress, FollowingReader } from './blob-follow.js';

const BLOB = randomBytes(700_000);
let work: string;
let n = 0;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'portcullis-follow-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** A temp file being "downloaded" by the test, and a reader following it. */
async function setup(network: () => Promise<Readable> = () => Promise.reject(new Error('no network'))) {
  const temp = join(work, `blob-${n++}.tmp`);
  const writer: FileHandle = await open(temp, 'w');
  const progress = new DownloadProgress();
  progress.update({ temp });
  const reader = new FollowingReader(await open(temp, 'r'), progress, network);
  const write = async (from: number, to: number) => {
    await writer.write(BLOB, from, to - from, from);
    progress.update({ written: to });
  };
  return { progress, reader, write, writer };
}

const tick = () => new Promise((r) => setTimeout(r, 10));

describe('FollowingReader', () => {
  it('passes bytes on as they are written and ends only once the download is verified', async () => {
    const { progress, reader, write, writer } = await setup();
    let ended = false;
    const all = drain(reader).finally(() => (ended = true));
    for (let at = 0; at < BLOB.length; at += 100_000) {
      await write(at, Math.min(BLOB.length, at + 100_000));
      await tick();
    }
    await tick();
    expect(ended).toBe(false); // every byte is there, but not yet verified
    progress.update({ state: 'done' });
    expect((await all).equals(BLOB)).toBe(true);
    await writer.close();
  });

  it('waits through a download that starts over, and passes each byte once', async () => {
    const { progress, reader, write, writer } = await setup();
    const all = drain(reader);
    await write(0, 300_000);
    await tick();
    // A server ignoring Range: the file is truncated and written again from the start.
    progress.update({ written: 0 });
    await writer.truncate(0);
    await tick();
    await write(0, 200_000);
    await tick();
    await write(200_000, BLOB.length);
    progress.update({ state: 'done' });
    expect((await all).equals(BLOB)).toBe(true);
    await writer.close();
  });

  it('carries on from the network, skipping what it passed on, when the cache gives out', async () => {
    let asked = 0;
    const network = async () => {
      asked++;
      // Odd-sized chunks, so the skip ends in the middle of one.
      const chunks: Buffer[] = [];
      for (let at = 0; at < BLOB.length; at += 65_537) chunks.push(BLOB.subarray(at, at + 65_537));
      return Readable.from(chunks);
    };
    const { progress, reader, write, writer } = await setup(network);
    const all = drain(reader);
    await write(0, 250_000);
    await tick();
    progress.update({ state: 'uncached' });
    expect((await all).equals(BLOB)).toBe(true);
    expect(asked).toBe(1);
    await writer.close();
  });

  it('stays open on a failed download until it is destroyed with the pull error', async () => {
    const { progress, reader, write, writer } = await setup();
    const all = drain(reader);
    await write(0, 100_000);
    progress.update({ state: 'failed' });
    await tick();
    reader.destroy(Object.assign(new Error('blob x: digest mismatch'), { code: 'DIGEST_MISMATCH' }));
    await expect(all).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    await writer.close();
  });
});
