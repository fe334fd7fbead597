/**
 * Ground truth for distro matching: the packages of a real bookworm minbase (binary, version,
 * source, source version) against the real Debian tracker data. The expected findings are
 * computed here from the raw tracker JSON with `dpkg --compare-versions`, independently of the
 * matcher and the version scheme under test.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedDriver } from '../advisories/feeds/registry.js';
import type { FeedDriver } from '../advisories/feed.js';
import { migrate } from '../../store/migrate.js';
import { openPglite, type Sql } from '../../store/sql.js';
import { updateFeeds } from '../../store/update-feeds.js';
import { VulnerabilityStore } from '../../store/vulnerability-store.js';
import { matchSbom } from './match.js';
import { SHARED_DATA } from '../../../test/support/shared-data.js';
import { installedMinbase, sbomOf } from './test-support/minbase.js';

const DATA = SHARED_DATA;

/** dpkg itself decides `a lt b` for every pair, in one shell process. */
function dpkgLessThan(pairs: readonly [string, string][]): boolean[] {
  const script =
    'while read -r a b; do if dpkg --compare-versions "$a" lt "$b"; then echo 1; else echo 0; fi; done';
  const out = execFileSync('sh', ['-c', script], {
    stdio: 'pipe',
    input: pairs.map(([a, b]) => `${a} ${b}`).join('\n') + '\n',
  }).toString();
  return out
    .trim()
    .split('\n')
    .map((l) => l === '1');
}

describe('Debian matching against the tracker (ground truth: dpkg --compare-versions)', () => {
  let db: Sql;
  let store: VulnerabilityStore;
  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    store = new VulnerabilityStore(db);
    const [outcome] = await updateFeeds(store, [feedDriver('debian-tracker') as FeedDriver], {
      mode: { mirrorDir: DATA },
    });
    expect(outcome?.status).toBe('updated');
  });
  afterAll(async () => db?.close());

  it('finds every CVE fixed after the installed source version and nothing at or below it', async () => {
    const installed = installedMinbase();
    const tracker = JSON.parse(readFileSync(`${DATA}/debian/tracker.json`, 'utf8')) as Record<
      string,
      Record<string, { releases?: Record<string, { status?: string; fixed_version?: string }> | unknown[] }>
    >;
    const candidates: { binary: string; cve: string; installed: string; fixed: string | undefined }[] = [];
    for (const p of installed) {
      for (const [cve, entry] of Object.entries(tracker[p.source] ?? {})) {
        const releases = entry.releases;
        if (!releases || Array.isArray(releases)) continue;
        const bookworm = releases.bookworm;
        if (!bookworm || bookworm.fixed_version === '0') continue;
        candidates.push({
          binary: p.binary,
          cve,
          installed: p.sourceVersion,
          fixed: bookworm.status === 'resolved' ? bookworm.fixed_version : undefined,
        });
      }
    }
    const withFix = candidates.filter((c) => c.fixed !== undefined);
    const lessThan = dpkgLessThan(withFix.map((c) => [c.installed, c.fixed as string]));
    const expected = new Set([
      ...withFix.filter((_, i) => lessThan[i]).map((c) => `${c.binary} ${c.cve}`),
      ...candidates.filter((c) => c.fixed === undefined).map((c) => `${c.binary} ${c.cve}`),
    ]);
    expect(expected.size).toBeGreaterThan(0);

    const { findings, problems } = await matchSbom(sbomOf(installed), store);
    const actual = new Set(findings.map((f) => `${f.package.name} ${f.id}`));
    expect(problems).toEqual([]);
    expect([...actual].filter((x) => !expected.has(x))).toEqual([]); // precision
    expect([...expected].filter((x) => !actual.has(x))).toEqual([]); // recall
    for (const f of findings) {
      expect(f.evidence[0]).toMatchObject({
        namespace: 'debian:12',
        strategy: 'distro-source-package',
        scheme: 'deb',
      });
    }
  });

  it('agrees with the published list of true positives for minbase', async () => {
    const truth = JSON.parse(readFileSync(`${DATA}/debian/expected-positives-minbase.json`, 'utf8')) as {
      packages: { binary: string; source: string; cves_fixed_after_installed: string[] }[];
    };
    const { findings } = await matchSbom(sbomOf(installedMinbase()), store);
    const found = new Set(findings.map((f) => `${f.package.name} ${f.id}`));
    expect(truth.packages.length).toBeGreaterThan(0);
    for (const p of truth.packages) {
      for (const cve of p.cves_fixed_after_installed)
        expect(found.has(`${p.binary} ${cve}`), `${p.binary} ${cve}`).toBe(true);
    }
  });
});
