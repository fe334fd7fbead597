import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadSecretKey } from './bootstrap.js';

describe('loadSecretKey', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portcullis-key-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates one 0600 key file and returns the same key on every later start', async () => {
    const first = await loadSecretKey(dir, undefined);
    expect(first).toHaveLength(32);
    expect((await stat(join(dir, 'secret.key'))).mode & 0o777).toBe(0o600);
    expect((await loadSecretKey(dir, undefined)).equals(first)).toBe(true);
    expect(await readdir(dir)).toEqual(['secret.key']);
  });

  it('gives every starter racing on one fresh data dir the same key (regression: readers saw an empty file)', async () => {
    const keys = await Promise.all(Array.from({ length: 40 }, () => loadSecretKey(dir, undefined)));
    const distinct = new Set(keys.map((key) => key.toString('hex')));
    expect(distinct.size).toBe(1);
    expect(await readdir(dir)).toEqual(['secret.key']);
  });

  it('gives processes started together on one data dir the same key', async () => {
    const module = fileURLToPath(new URL('./bootstrap.ts', import.meta.url));
    const startAt = Date.now() + 3_000;
    // Each child waits for a common instant, so the creates really overlap.
    const script = `const { loadSecretKey } = await import(${JSON.stringify(module)});
      while (Date.now() < ${startAt}) {}
      const key = await loadSecretKey(${JSON.stringify(dir)}, undefined);
      process.stdout.write(key.toString('hex'));`;
    const run = (): Promise<string> =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        let err = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
        child.on('error', reject);
        child.on('exit', (code) =>
          code === 0 ? resolve(out) : reject(new Error(`child exited ${code}: ${err}`)),
        );
      });
    const keys = await Promise.all(Array.from({ length: 6 }, run));
    expect(keys[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(keys).size).toBe(1);
    expect(await readdir(dir)).toEqual(['secret.key']);
  }, 60_000);

  it('prefers the configured key and leaves the data dir alone', async () => {
    const configured = Buffer.alloc(32, 7);
    expect(await loadSecretKey(dir, configured)).toBe(configured);
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses a key file that does not hold a 32-byte hex key', async () => {
    await writeFile(join(dir, 'secret.key'), 'not a key', { mode: 0o600 });
    await expect(loadSecretKey(dir, undefined)).rejects.toThrow(/does not hold a 32-byte hex key/);
    expect(await readdir(dir)).toEqual(['secret.key']);
  });
});
