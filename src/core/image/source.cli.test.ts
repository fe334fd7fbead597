/**
 * `sbom:<file>` through the real CLI, absolute and relative, for every command that takes a
 * source. Regression: `evaluate sbom:/abs.json` failed with INVALID_REFERENCE and a relative
 * `sbom:file.json` was evaluated as the registry tag `docker.io/library/sbom:file.json`.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/support/cli.js';
import { SHARED_DATA } from '../../../test/support/shared-data.js';
import { openVulnerabilityDatabase } from '../../cli/analyze.js';
import { debianTrackerDriver } from '../advisories/feeds/debian-tracker/index.js';
import { updateFeeds } from '../../store/update-feeds.js';

const SBOM = join(import.meta.dirname, '../report/__fixtures__/golden-input.cdx.json');
let root: string;
let cacheDir: string;
let savedDbUrl: string | undefined;

/** Runs the CLI from `root`, so a relative sbom: path resolves against it as in a shell. */
async function runIn(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const previous = process.cwd();
  process.chdir(root);
  try {
    return await runCli(['--cache-dir', cacheDir, ...args]);
  } finally {
    process.chdir(previous);
  }
}

describe('sbom:<file> sources', () => {
  beforeAll(async () => {
    savedDbUrl = process.env.PORTCULLIS_DB_URL;
    delete process.env.PORTCULLIS_DB_URL;
    root = await mkdtemp(join(tmpdir(), 'pc-sbom-source-'));
    cacheDir = join(root, 'cache');
    await copyFile(SBOM, join(root, 'app.cdx.json'));
    // Real Debian data, so evaluate judges the SBOM's debian:12 packages with data present.
    const database = await openVulnerabilityDatabase({}, cacheDir, {});
    try {
      await updateFeeds(database.store, [debianTrackerDriver], { mode: { mirrorDir: SHARED_DATA } });
    } finally {
      await database.close();
    }
  }, 300_000);
  afterAll(async () => {
    if (savedDbUrl !== undefined) process.env.PORTCULLIS_DB_URL = savedDbUrl;
    await rm(root, { recursive: true, force: true });
  });

  it.each([
    ['absolute', () => `sbom:${join(root, 'app.cdx.json')}`],
    ['relative', () => 'sbom:app.cdx.json'],
    ['dot-relative', () => 'sbom:./app.cdx.json'],
  ])('evaluate reads a %s path as an SBOM, with no tag of its own', async (_kind, source) => {
    const { code, out, err } = await runIn([
      'evaluate',
      source(),
      '--policy',
      'builtin:allow-all',
      '-o',
      'json',
    ]);
    expect(err).not.toMatch(/INVALID_REFERENCE|docker\.io\/library\/sbom/);
    expect(code, err).toBe(0);
    const decision = JSON.parse(out) as {
      image: { tag: string | null };
      status: string;
      triggers: { message: string }[];
    };
    expect(decision.image.tag).toBeNull();
    expect(decision.status).toBe('pass');
    // The SBOM's packages were read and matched: allow-all reports their vulnerabilities.
    expect(decision.triggers.some((t) => / - libssl3-3\.0\.20-1~deb12u2 /.test(t.message))).toBe(true);
  });

  it('evaluate maps an SBOM by --tag, and sbom/scan read relative paths too', async () => {
    const tagged = await runIn([
      'evaluate',
      'sbom:app.cdx.json',
      '--policy',
      'builtin:allow-all',
      '--tag',
      'registry.example/app:1',
      '-o',
      'json',
    ]);
    expect((JSON.parse(tagged.out) as { image: { tag: string } }).image.tag).toBe('registry.example/app:1');
    const sbom = await runIn(['sbom', 'sbom:app.cdx.json', '-o', 'purls']);
    expect([sbom.code, sbom.err]).toEqual([0, '']);
    expect(sbom.out).toMatch(/^pkg:deb\/debian\/apt@2\.6\.1/m);
    const scan = await runIn(['scan', 'sbom:./app.cdx.json', '-o', 'json']);
    expect(scan.code, scan.err).toBe(0);
  });

  it('a command that needs an image says an sbom: source is not one', async () => {
    const { code, err } = await runIn(['image', 'inspect', 'sbom:app.cdx.json']);
    expect(code).toBe(1);
    expect(err).toMatch(/is an SBOM, not an image/);
  });
});
