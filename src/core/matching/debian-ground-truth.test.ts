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
import type { SbomDocument } from '../sbom/document.js';
import type { Package } from '../sbom/model.js';
import { matchSbom } from './match.js';
import { SHARED_DATA } from '../../../test/support/shared-data.js';

const DATA = SHARED_DATA;

interface Installed {
  binary: string;
  version: string;
  source: string;
  sourceVersion: string;
}

function installedMinbase(): Installed[] {
  return readFileSync(`${DATA}/debian/minbase-dpkg-status.tsv`, 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const [binary, version, source, sourceVersion] = line.split('\t') as [string, string, string, string];
      // dpkg-query's ${binary:Package} qualifies Multi-Arch: same packages (libc6:amd64); the package name has no suffix.
      return { binary: binary.replace(/:[a-z0-9]+$/, ''), version, source, sourceVersion };
    });
}

/** dpkg itself decides `a lt b` for every pair, in one shell process. */
function dpkgLessThan(pairs: readonly [string, string][]): boolean[] {
  const script =
    'while read -r a b; do if dpkg --compare-versions "$a" lt "$b"; then echo 1; else echo 0; fi; done';
  const out = execFileSync('sh', ['-c', script], {
    input: pairs.map(([a, b]) => `${a} ${b}`).join('\n') + '\n',
  }).toString();
  return out
    .trim()
    .split('\n')
    .map((l) => l === '1');
}

function sbomOf(installed: readonly Installed[]): SbomDocument {
  const packages: Package[] = installed.map((p) => ({
    id: `deb-${p.binary}`,
    name: p.binary,
    version: p.version,
    type: 'deb',
    purl: `pkg:deb/debian/${p.binary}@${encodeURIComponent(p.version)}?distro=debian-12`,
    licenses: [],
    locations: [{ path: '/var/lib/dpkg/status' }],
    foundBy: 'test@1',
    source: { name: p.source, version: p.sourceVersion },
    metadata: {},
  }));
  return {
    schemaVersion: '1.0.0',
    descriptor: { name: 'portcullis', version: '0.1.0' },
    createdAt: new Date(0).toISOString(),
    source: { type: 'image', input: 'minbase', layers: [] },
    distro: { id: 'debian', versionId: '12', versionCodename: 'bookworm' },
    packages,
    relationships: [],
    files: [],
    secrets: [],
    unknowns: [],
  };
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
