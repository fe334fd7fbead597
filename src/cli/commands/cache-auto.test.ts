/**
 * Automatic pruning after an analysis, on real runs of the base and app fixtures: the limit
 * comes from --cache-max-size > PORTCULLIS_CACHE_MAX_SIZE > 10 GiB; over it, what the run did
 * not use goes first; under it nothing is removed; commands that do not analyze never prune.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getFixtureImage } from '../../../test/harness/fixtures/index.js';
import { runCli } from '../../../test/support/cli.js';
import { findFiles, setLastUse, totalSize, type DiskFile } from '../../core/cache/test-support/disk.js';

const LONG_AGO = Date.UTC(2001, 0, 1);
const KINDS = ['blobs', 'layers', 'results'];

let root: string;
let appSource: string;
let baseSource: string;
/** What the app run alone leaves in an empty cache: names relative to the cache dir. */
let appOnly: string[];
let appBytes: number;
const savedEnv = process.env.PORTCULLIS_CACHE_MAX_SIZE;

const cacheFiles = (cacheDir: string): DiskFile[] => KINDS.flatMap((k) => findFiles(join(cacheDir, k)));
const names = (cacheDir: string): string[] => cacheFiles(cacheDir).map((f) => relative(cacheDir, f.path));

async function sbom(cacheDir: string, source: string, extra: string[] = []): Promise<void> {
  const result = await runCli(['--cache-dir', cacheDir, ...extra, 'sbom', source, '-o', 'purls']);
  expect(result.err).toBe('');
  expect(result.code).toBe(0);
}

/** A cache holding the base fixture's entries, all last used long ago. */
async function cacheWithOldBase(name: string): Promise<string> {
  const cacheDir = join(root, name);
  await sbom(cacheDir, baseSource, ['--cache-max-size', 'unlimited']);
  for (const f of cacheFiles(cacheDir)) await setLastUse(f.path, LONG_AGO);
  return cacheDir;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pc-cache-auto-'));
  const [app, base] = await Promise.all([getFixtureImage('app'), getFixtureImage('base')]);
  appSource = `oci-dir:${app.ociLayoutDir}:${app.tag}`;
  baseSource = `oci-dir:${base.ociLayoutDir}:${base.tag}`;
  const fresh = join(root, 'app-alone');
  await sbom(fresh, appSource, ['--cache-max-size', 'unlimited']);
  appOnly = names(fresh);
  appBytes = totalSize(cacheFiles(fresh));
});

afterEach(() => {
  if (savedEnv === undefined) delete process.env.PORTCULLIS_CACHE_MAX_SIZE;
  else process.env.PORTCULLIS_CACHE_MAX_SIZE = savedEnv;
});

afterAll(async () => rm(root, { recursive: true, force: true }));

describe('automatic pruning after an analysis', () => {
  it('over the limit (env), evicts what the run did not use and keeps everything it did', async () => {
    const cacheDir = await cacheWithOldBase('env-limit');
    const baseNames = names(cacheDir);
    expect(baseNames.some((n) => !appOnly.includes(n))).toBe(true); // base has entries app does not use
    process.env.PORTCULLIS_CACHE_MAX_SIZE = String(appBytes);
    await sbom(cacheDir, appSource);
    expect(names(cacheDir)).toEqual(appOnly);
    expect(totalSize(cacheFiles(cacheDir))).toBeLessThanOrEqual(appBytes);
  });

  it('under the limit (the 10 GiB default), removes nothing', async () => {
    delete process.env.PORTCULLIS_CACHE_MAX_SIZE;
    const cacheDir = await cacheWithOldBase('default-limit');
    const baseNames = names(cacheDir);
    await sbom(cacheDir, appSource);
    expect(names(cacheDir)).toEqual(
      [...new Set([...baseNames, ...appOnly])].sort((a, b) => a.localeCompare(b)),
    );
  });

  it('the flag wins over the environment', async () => {
    const cacheDir = await cacheWithOldBase('flag-wins');
    process.env.PORTCULLIS_CACHE_MAX_SIZE = '1';
    await sbom(cacheDir, appSource, ['--cache-max-size', '1GiB']);
    expect(names(cacheDir)).toEqual(expect.arrayContaining(appOnly));
    expect(names(cacheDir).length).toBeGreaterThan(appOnly.length);
  });

  it('commands that do not analyze an image never prune', async () => {
    const cacheDir = await cacheWithOldBase('no-analysis');
    const before = cacheFiles(cacheDir);
    process.env.PORTCULLIS_CACHE_MAX_SIZE = '0';
    expect((await runCli(['--cache-dir', cacheDir, 'cache', 'status'])).code).toBe(0);
    expect((await runCli(['--cache-dir', cacheDir, 'policy', 'list'])).code).toBe(0);
    expect(cacheFiles(cacheDir)).toEqual(before);
  });

  it('an invalid PORTCULLIS_CACHE_MAX_SIZE fails the analysis up front with CONFIG_INVALID', async () => {
    const cacheDir = join(root, 'invalid-env');
    process.env.PORTCULLIS_CACHE_MAX_SIZE = '10 gigabytes';
    const result = await runCli(['--cache-dir', cacheDir, 'sbom', appSource]);
    expect(result.code).toBe(1);
    expect(result.err).toContain('[CONFIG_INVALID]');
    expect(result.err).toContain('"10 gigabytes"');
    expect(cacheFiles(cacheDir)).toEqual([]);
  });
});
