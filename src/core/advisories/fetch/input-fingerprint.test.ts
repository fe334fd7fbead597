/** `db update`'s "unchanged input" check: stat first, hash only when sizes or times moved. */
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compareInput, fingerprintInput } from './input-fingerprint.js';

const driver = { id: 'kev', version: 1 };
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pc-fingerprint-'));
  await mkdir(join(dir, 'sub'));
  await writeFile(join(dir, 'a.json'), '{"a":1}');
  await writeFile(join(dir, 'sub', 'b.json'), '{"b":2}');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('compareInput', () => {
  it('is the same input when nothing moved, without a refreshed fingerprint', async () => {
    const stored = await fingerprintInput(driver, dir);
    expect(stored.files.map((f) => f.path)).toEqual(['a.json', join('sub', 'b.json')]);
    expect(await compareInput(stored, driver, dir)).toEqual({ same: true });
  });

  it('recognizes the same bytes under new modification times and refreshes the times', async () => {
    const stored = await fingerprintInput(driver, dir);
    const later = new Date(Date.now() + 60_000);
    await utimes(join(dir, 'a.json'), later, later);
    const result = await compareInput(stored, driver, dir);
    expect(result).toMatchObject({ same: true, refreshed: { sha256: stored.sha256 } });
    const refreshed = 'refreshed' in result ? result.refreshed : undefined;
    expect(refreshed?.files[0]?.mtimeMs).toBe((await fingerprintInput(driver, dir)).files[0]?.mtimeMs);
  });

  it('sees changed bytes of the same size, a new file, a new driver version and a missing record', async () => {
    const stored = await fingerprintInput(driver, dir);
    await writeFile(join(dir, 'a.json'), '{"a":9}');
    expect(await compareInput(stored, driver, dir)).toEqual({ same: false });
    const again = await fingerprintInput(driver, dir);
    await writeFile(join(dir, 'c.json'), '{}');
    expect(await compareInput(again, driver, dir)).toEqual({ same: false });
    await rm(join(dir, 'c.json'));
    expect(await compareInput(again, { ...driver, version: 2 }, dir)).toEqual({ same: false });
    expect(await compareInput(undefined, driver, dir)).toEqual({ same: false });
    expect(await compareInput(again, driver, dir)).toEqual({ same: true });
  });

  it('ignores downloads in flight and is never the same for an empty folder', async () => {
    const stored = await fingerprintInput(driver, dir);
    await writeFile(join(dir, 'a.json.1a2b.partial'), 'half');
    expect(await compareInput(stored, driver, dir)).toEqual({ same: true });
    const empty = await mkdtemp(join(tmpdir(), 'pc-fingerprint-empty-'));
    expect(await compareInput(await fingerprintInput(driver, empty), driver, empty)).toEqual({ same: false });
    await rm(empty, { recursive: true });
  });

  it('keeps a source the mirror does not carry (no folder) unchanged while it stays absent', async () => {
    const absent = join(dir, 'not-in-this-mirror');
    const stored = await fingerprintInput(driver, absent);
    expect(stored.files).toEqual([]);
    expect(await compareInput(stored, driver, absent)).toEqual({ same: true });
    await mkdir(absent);
    await writeFile(join(absent, 'c.json'), '{}');
    expect(await compareInput(stored, driver, absent)).toEqual({ same: false });
  });
});
