/**
 * The setup `scan` and `explain` CLI tests share: the app fixture, and the shared mirror's
 * feeds loaded into the embedded database of a scratch cache dir, plus one JSON scan of the
 * fixture to compare against. Registers its own vitest hooks; read the fields inside tests.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { getFixtureImage, type FixtureImage } from '../../../../test/harness/fixtures/index.js';
import { runCli, type CliRun } from '../../../../test/support/cli.js';
import { SHARED_DATA } from '../../../../test/support/shared-data.js';
import { FEED_DRIVERS } from '../../../core/advisories/feeds/registry.js';
import type { ScanReport } from '../../../core/report/index.js';
import { updateFeeds } from '../../../store/update-feeds.js';
import { openVulnerabilityDatabase } from '../../analyze.js';

export interface ScanEnv {
  readonly root: string;
  readonly cacheDir: string;
  readonly fixture: FixtureImage;
  /** The fixture as an `oci-dir:` source. */
  readonly source: string;
  /** `scan <source> -o json` of the fixture, run once in setup. */
  readonly report: ScanReport;
  /** The CLI with `--cache-dir` (the loaded one unless `cache` says otherwise). */
  run(args: string[], cache?: string): Promise<CliRun>;
  /** `scan <source> --file <tmp> ...args`: exit code, the file's text (empty on error), stderr. */
  scanTo(args: string[]): Promise<{ code: number; text: string; err: string }>;
}

interface State {
  root: string;
  cacheDir: string;
  fixture: FixtureImage;
  source: string;
}

export function useLoadedScanEnv(): ScanEnv {
  let state: State | undefined;
  let report: ScanReport | undefined;
  let savedDbUrl: string | undefined;
  const get = (): State => {
    if (!state) throw new Error('useLoadedScanEnv: read inside a test, after beforeAll');
    return state;
  };
  const run = (args: string[], cache?: string) => runCli(['--cache-dir', cache ?? get().cacheDir, ...args]);
  const scanTo = async (args: string[]) => {
    const file = join(get().root, `out-${Math.random().toString(36).slice(2)}`);
    const { code, err } = await run(['scan', get().source, '--file', file, ...args]);
    const text = code === 1 ? '' : await readFile(file, 'utf8');
    return { code, text, err };
  };

  beforeAll(async () => {
    // The embedded database under the scratch cache dir, whatever the machine is set up with.
    savedDbUrl = process.env.PORTCULLIS_DB_URL;
    delete process.env.PORTCULLIS_DB_URL;
    const root = await mkdtemp(join(tmpdir(), 'pc-scan-cli-'));
    const cacheDir = join(root, 'cache');
    const fixture = await getFixtureImage('app');
    const source = `oci-dir:${fixture.ociLayoutDir}:${fixture.tag}`;
    const database = await openVulnerabilityDatabase({}, cacheDir, {});
    try {
      const outcomes = await updateFeeds(database.store, FEED_DRIVERS, { mode: { mirrorDir: SHARED_DATA } });
      for (const o of outcomes) expect(o, JSON.stringify(o)).toMatchObject({ status: 'updated' });
    } finally {
      await database.close();
    }
    state = { root, cacheDir, fixture, source };
    const { code, text, err } = await scanTo(['-o', 'json']);
    expect(err).toBe('');
    expect(code).toBe(0);
    report = JSON.parse(text) as ScanReport;
  }, 300_000);

  afterAll(async () => {
    if (savedDbUrl !== undefined) process.env.PORTCULLIS_DB_URL = savedDbUrl;
    if (state) await rm(state.root, { recursive: true, force: true });
  });

  return {
    get root() {
      return get().root;
    },
    get cacheDir() {
      return get().cacheDir;
    },
    get fixture() {
      return get().fixture;
    },
    get source() {
      return get().source;
    },
    get report() {
      if (!report) throw new Error('useLoadedScanEnv: the setup scan has not run');
      return report;
    },
    run,
    scanTo,
  };
}
