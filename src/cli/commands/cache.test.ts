/**
 * `portcullis cache status|prune` on caches filled by real runs: the app fixture read from an
 * OCI layout (layer and result entries) and the base fixture pulled from a real registry
 * (blobs), next to a real embedded vulnerability database. Status is checked against GNU find;
 * pruning against mtimes set by the test; the database, live temp files and the targets of
 * planted symbolic links must survive `--all`, and a re-scan must refill the caches.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { lstat, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFixtureImage } from '../../../test/harness/fixtures/index.js';
import { pushImage } from '../../../test/harness/registry/push.js';
import { startRegistry, type TestRegistry } from '../../../test/harness/registry/start-registry.js';
import { runCli, type CliRun } from '../../../test/support/cli.js';
import type { CacheSummary, PruneReport } from '../../core/cache/index.js';
import { findFiles, setLastUse, totalSize } from '../../core/cache/test-support/disk.js';

const KINDS = ['blobs', 'layers', 'results'] as const;
const LONG_AGO = Date.UTC(2001, 0, 1);
const TWO_HOURS = 2 * 60 * 60 * 1000;

let root: string;
let cacheDir: string;
let registry: TestRegistry;
let appSource: string;
let baseSource: string;
let appPurls: string;
let basePurls: string;

const run = (args: string[]): Promise<CliRun> => runCli(['--cache-dir', cacheDir, ...args]);
const cacheFiles = () => KINDS.flatMap((kind) => findFiles(join(cacheDir, kind)));

async function status(): Promise<CacheSummary> {
  const result = await run(['cache', 'status', '-o', 'json']);
  expect(result.code).toBe(0);
  return JSON.parse(result.out) as CacheSummary;
}

async function prune(args: string[]): Promise<PruneReport> {
  const result = await run(['cache', 'prune', ...args, '-o', 'json']);
  expect(result.err).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.out) as PruneReport;
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid as number;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pc-cache-cli-'));
  cacheDir = join(root, 'cache');
  const [app, base] = await Promise.all([getFixtureImage('app'), getFixtureImage('base')]);
  registry = await startRegistry('plain');
  await pushImage(registry, `oci:${base.ociLayoutDir}:${base.tag}`, 'cache/base:1');
  appSource = `oci-dir:${app.ociLayoutDir}:${app.tag}`;
  baseSource = `${registry.host}/cache/base:1`;
  const appRun = await run(['sbom', appSource, '-o', 'purls']);
  expect(appRun.code).toBe(0);
  appPurls = appRun.out;
  const baseRun = await run(['sbom', baseSource, '--insecure', '-o', 'purls']);
  expect(baseRun.code).toBe(0);
  basePurls = baseRun.out;
  expect((await run(['db', 'status'])).code).toBe(0); // creates the embedded database
});

afterAll(async () => {
  await registry?.stop();
  await rm(root, { recursive: true, force: true });
});

describe('portcullis cache status', () => {
  it('counts and sizes each cache exactly as find sees its files, and leaves the database out', async () => {
    const summary = await status();
    for (const kind of KINDS) {
      const files = findFiles(join(cacheDir, kind));
      expect(files.length).toBeGreaterThan(0);
      const k = summary.kinds[kind];
      expect(k.entries + k.temps + k.others).toBe(files.length);
      expect(k.bytes).toBe(totalSize(files));
      expect(k.entries).toBe(files.length); // real runs leave only complete entries
    }
    expect(summary.totalBytes).toBe(totalSize(cacheFiles()));
    expect(findFiles(join(cacheDir, 'db')).length).toBeGreaterThan(0);
    const table = await run(['cache', 'status']);
    expect(table.out).toMatch(/^CACHE +ENTRIES/);
    expect(table.out).toContain(`total  `);
  });
});

describe('portcullis cache prune', () => {
  it('--dry-run reports the evictions and changes nothing on disk', async () => {
    const before = findFiles(cacheDir);
    const report = await prune(['--max-size', '0', '--dry-run']);
    expect(report.dryRun).toBe(true);
    expect(report.removed).toHaveLength(cacheFiles().length);
    expect(report.afterBytes).toBe(0);
    expect(findFiles(cacheDir)).toEqual(before);
  });

  it('evicts the least recently used entries first, only as many as the limit needs', async () => {
    // A fixed shuffle (by path hash order) of last-use times, one minute apart.
    const name = (path: string) => path.slice(path.lastIndexOf('/') + 1);
    const files = cacheFiles().sort((a, b) => name(a.path).localeCompare(name(b.path)));
    for (const [i, f] of files.entries()) await setLastUse(f.path, LONG_AGO + i * 60_000);
    const [oldest, second] = files;
    const total = totalSize(files);
    // After removing the oldest, one byte too many is left, so exactly the second goes too.
    const limit = total - oldest!.size - 1;
    const report = await prune(['--max-size', String(limit)]);
    expect(report.removed.map((r) => r.path)).toEqual([oldest!.path, second!.path]);
    expect(report.afterBytes).toBe(total - oldest!.size - second!.size);
    const byPath = (a: string, b: string) => a.localeCompare(b);
    expect(
      cacheFiles()
        .map((f) => f.path)
        .sort(byPath),
    ).toEqual(
      files
        .slice(2)
        .map((f) => f.path)
        .sort(byPath),
    );
    expect(totalSize(cacheFiles())).toBe(total - oldest!.size - second!.size);
  });

  it('--all keeps the database, live temp files and symlink targets, and a re-scan refills', async () => {
    const outside = join(root, 'outside');
    await mkdir(outside, { recursive: true });
    const target = join(outside, `${'e'.repeat(64)}.bin`);
    await writeFile(target, 'not the cache’s to delete');
    await mkdir(join(cacheDir, 'layers', 'ee'), { recursive: true });
    await symlink(target, join(cacheDir, 'layers', 'ee', `${'e'.repeat(64)}.bin`));
    await symlink(outside, join(cacheDir, 'results', 'ee'));
    await setLastUse(target, LONG_AGO);

    const blobDir = join(cacheDir, 'blobs', 'sha256');
    const liveTemp = join(blobDir, `${'a'.repeat(64)}.tmp-${process.pid}-${randomUUID()}`);
    const deadTemp = join(blobDir, `${'b'.repeat(64)}.tmp-${await deadPid()}-${randomUUID()}`);
    const freshLayerTemp = join(cacheDir, 'layers', 'ee', '.tmp-0123456789ab');
    const staleLayerTemp = join(cacheDir, 'layers', 'ef', '.tmp-ba9876543210');
    await mkdir(join(cacheDir, 'layers', 'ef'), { recursive: true });
    for (const path of [liveTemp, deadTemp, freshLayerTemp, staleLayerTemp]) await writeFile(path, 'partial');
    for (const path of [liveTemp, deadTemp, staleLayerTemp]) await setLastUse(path, Date.now() - TWO_HOURS);

    const summary = await status();
    expect(summary.totalBytes).toBe(totalSize(cacheFiles())); // the links are not followed
    expect(summary.kinds.blobs.temps + summary.kinds.layers.temps + summary.kinds.results.temps).toBe(4);

    const db = findFiles(join(cacheDir, 'db'));
    const report = await prune(['--all']);
    expect(report.failed).toEqual([]);
    expect(report.removed.map((r) => r.path)).toEqual(expect.arrayContaining([deadTemp, staleLayerTemp]));
    expect(cacheFiles().map((f) => f.path)).toEqual(
      [liveTemp, freshLayerTemp].sort((a, b) => a.localeCompare(b)),
    );
    expect(await readFile(target, 'utf8')).toBe('not the cache’s to delete');
    expect((await lstat(join(cacheDir, 'results', 'ee'))).isSymbolicLink()).toBe(true);
    expect(findFiles(join(cacheDir, 'db'))).toEqual(db);
    expect((await run(['db', 'status'])).code).toBe(0);

    const rescan = await run(['sbom', appSource, '-o', 'purls']);
    expect(rescan.code).toBe(0);
    expect(rescan.out).toBe(appPurls);
    const pull = await run(['sbom', baseSource, '--insecure', '-o', 'purls']);
    expect(pull.code).toBe(0);
    expect(pull.out).toBe(basePurls);
    const refilled = await status();
    expect(refilled.kinds.blobs.entries).toBeGreaterThan(0);
    expect(refilled.kinds.layers.entries).toBeGreaterThan(0);
    expect(refilled.kinds.results.entries).toBe(2);
  });

  it('without --max-size prunes to the configured --cache-max-size, and refuses an unlimited one', async () => {
    const report = await prune(['--dry-run']);
    expect(report.maxBytes).toBe(10 * 2 ** 30);
    const configured = JSON.parse(
      (await run(['--cache-max-size', '1.5GiB', 'cache', 'prune', '--dry-run', '-o', 'json'])).out,
    ) as PruneReport;
    expect(configured.maxBytes).toBe(1.5 * 2 ** 30);
    const unlimited = await run(['--cache-max-size', 'unlimited', 'cache', 'prune']);
    expect(unlimited.code).toBe(1);
    expect(unlimited.err).toContain('[CONFIG_INVALID]');
    expect(unlimited.err).toContain('give --max-size or --all');
  });

  it('refuses sizes it cannot read with CONFIG_INVALID and exit 1, before touching anything', async () => {
    const before = findFiles(cacheDir);
    for (const size of ['12XB', 'lots', '-1']) {
      const result = await run(['cache', 'prune', '--max-size', size]);
      expect(result.code).toBe(1);
      expect(result.err).toContain('[CONFIG_INVALID]');
      expect(result.err).toContain(
        `--max-size must be a size such as 500MB, 2GiB or a number of bytes, got "${size}"`,
      );
    }
    const scan = await run(['--cache-max-size', '2 gigs', 'sbom', appSource]);
    expect(scan.code).toBe(1);
    expect(scan.out).toBe('');
    expect(scan.err).toContain('--cache-max-size must be a size');
    expect(findFiles(cacheDir)).toEqual(before);
  });
});
