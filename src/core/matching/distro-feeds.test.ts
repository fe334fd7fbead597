/**
 * End to end through the store (PGlite): the distro feeds' fixtures imported by their drivers,
 * then packages as the rpm and apk catalogers report them (binary name, source rpm / apk origin,
 * epoch) matched in their distro's namespace. Covers Red Hat's states: fixed, will-not-fix
 * (a finding with fix state wont-fix), not affected (no finding), and module streams.
 */
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amazonAlasDriver } from '../advisories/feeds/amazon-alas/index.js';
import { osvDriver } from '../advisories/feeds/osv/index.js';
import { redhatCsafDriver } from '../advisories/feeds/redhat-csaf/index.js';
import { migrate } from '../../store/migrate.js';
import { openPglite, type Sql } from '../../store/sql.js';
import { updateFeeds } from '../../store/update-feeds.js';
import { VulnerabilityStore } from '../../store/vulnerability-store.js';
import type { SbomDistro, SbomDocument } from '../sbom/document.js';
import type { Package } from '../sbom/model.js';
import { matchSbom } from './match.js';

const FEEDS = join(dirname(fileURLToPath(import.meta.url)), '..', 'advisories', 'feeds');

interface Installed {
  name: string;
  version: string;
  source: string;
  sourceVersion: string;
  modularityLabel?: string;
}

function image(distro: SbomDistro, type: 'rpm' | 'apk', installed: Installed[]): SbomDocument {
  const packages: Package[] = installed.map((p) => ({
    id: `${type}-${p.name}-${p.version}`,
    name: p.name,
    version: p.version,
    type,
    purl: `pkg:${type}/${distro.id}/${p.name}@${encodeURIComponent(p.version)}`,
    licenses: [],
    locations: [{ path: type === 'rpm' ? '/var/lib/rpm/rpmdb.sqlite' : '/lib/apk/db/installed' }],
    foundBy: 'test@1',
    source: { name: p.source, version: p.sourceVersion },
    metadata: p.modularityLabel ? { modularityLabel: p.modularityLabel } : {},
  }));
  return {
    schemaVersion: '1.0.0',
    descriptor: { name: 'portcullis', version: '0.1.0' },
    createdAt: new Date(0).toISOString(),
    source: { type: 'image', input: distro.id, layers: [] },
    distro,
    packages,
    relationships: [],
    files: [],
    secrets: [],
    unknowns: [],
  };
}

describe('distro feeds matched through the store', () => {
  let db: Sql;
  let store: VulnerabilityStore;
  const osvMirror = mkdtempSync(join(tmpdir(), 'portcullis-distro-osv-'));
  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    store = new VulnerabilityStore(db);
    // The OSV driver reads `<mirror>/osv`; the distro records sit in their own fixture folder.
    symlinkSync(join(FEEDS, 'osv', '__fixtures__', 'distros'), join(osvMirror, 'osv'));
    const runs: [typeof osvDriver, string][] = [
      [redhatCsafDriver, join(FEEDS, 'redhat-csaf', '__fixtures__')],
      [amazonAlasDriver, join(FEEDS, 'amazon-alas', '__fixtures__')],
      [osvDriver, osvMirror],
    ];
    for (const [driver, mirrorDir] of runs) {
      const [outcome] = await updateFeeds(store, [driver], { mode: { mirrorDir } });
      expect(outcome, JSON.stringify(outcome)).toMatchObject({ status: 'updated' });
    }
  });
  afterAll(async () => {
    await db?.close();
    rmSync(osvMirror, { recursive: true, force: true });
  });

  const findings = async (doc: SbomDocument) =>
    (await matchSbom(doc, store)).findings.map((f) => ({
      package: `${f.package.name} ${f.package.version}`,
      id: f.id,
      fixState: f.fixState,
      fixedVersions: f.fixedVersions,
    }));

  it('RHEL 9: a subpackage matches by its SOURCERPM with the epoch restored; will-not-fix is a wont-fix finding', async () => {
    const doc = image({ id: 'rhel', versionId: '9.2' }, 'rpm', [
      {
        name: 'openssl-libs',
        version: '1:3.0.1-46.el9_0',
        source: 'openssl',
        sourceVersion: '3.0.1-46.el9_0',
      },
      // Exactly the fixed build: comparing the epoch-less source version would flag it.
      { name: 'openssl', version: '1:3.0.1-47.el9_1', source: 'openssl', sourceVersion: '3.0.1-47.el9_1' },
      { name: 'cpp', version: '11.3.1-4.3.el9', source: 'gcc', sourceVersion: '11.3.1-4.3.el9' },
      { name: 'glibc', version: '2.34-60.el9_2.7', source: 'glibc', sourceVersion: '2.34-60.el9_2.7' },
    ]);
    expect(await findings(doc)).toEqual([
      {
        package: 'openssl-libs 1:3.0.1-46.el9_0',
        id: 'CVE-2023-0286',
        fixState: 'fixed',
        fixedVersions: ['1:3.0.1-47.el9_1'],
      },
      { package: 'cpp 11.3.1-4.3.el9', id: 'CVE-2022-27943', fixState: 'wont-fix', fixedVersions: [] },
    ]);
  });

  it('RHEL 7: known_not_affected gives no finding', async () => {
    const doc = image({ id: 'rhel', versionId: '7.9' }, 'rpm', [
      { name: 'glibc', version: '2.17-326.el7_9', source: 'glibc', sourceVersion: '2.17-326.el7_9' },
    ]);
    expect(await store.advisoriesFor([{ namespace: 'redhat:7', packageName: 'glibc' }])).toMatchObject([
      { id: 'CVE-2023-4911', notAffected: true },
    ]);
    expect(await findings(doc)).toEqual([]);
  });

  it('RHEL 8: module builds are judged by their own stream', async () => {
    const doc = image({ id: 'rhel', versionId: '8.8' }, 'rpm', [
      {
        name: 'nodejs',
        version: '1:18.18.2-2.module+el8.8.0+20535+5a9ae4d8',
        source: 'nodejs',
        sourceVersion: '18.18.2-2.module+el8.8.0+20535+5a9ae4d8',
        modularityLabel: 'nodejs:18:8080020231024104541:63b34585',
      },
      {
        name: 'npm',
        version: '1:8.19.4-1.16.20.2.3.module+el8.8.0+19857+6c47e5bb',
        source: 'nodejs',
        sourceVersion: '16.20.2-3.module+el8.8.0+19857+6c47e5bb',
        modularityLabel: 'nodejs:16:8080020230717095447:63b34585',
      },
    ]);
    expect(await findings(doc)).toEqual([
      {
        package: 'npm 1:8.19.4-1.16.20.2.3.module+el8.8.0+19857+6c47e5bb',
        id: 'CVE-2023-44487',
        fixState: 'wont-fix',
        fixedVersions: [],
      },
    ]);
  });

  it('Amazon Linux 2 and 2023: ALAS by binary or source name, with the CVEs as aliases', async () => {
    const al2023 = image({ id: 'amzn', versionId: '2023' }, 'rpm', [
      {
        name: 'curl-minimal',
        version: '8.2.1-1.amzn2023.0.3',
        source: 'curl',
        sourceVersion: '8.2.1-1.amzn2023.0.3',
      },
      {
        name: 'glibc',
        version: '2.34-52.amzn2023.0.7',
        source: 'glibc',
        sourceVersion: '2.34-52.amzn2023.0.7',
      },
    ]);
    const result = await matchSbom(al2023, store);
    expect(result.findings.map((f) => [f.package.name, f.id, f.aliases, f.fixedVersions])).toEqual([
      ['curl-minimal', 'ALAS2023-2023-390', ['CVE-2023-38545', 'CVE-2023-38546'], ['8.3.0-1.amzn2023.0.2']],
    ]);
    const al2 = image({ id: 'amzn', versionId: '2' }, 'rpm', [
      {
        name: 'openssl-libs',
        version: '1:1.0.2k-24.amzn2.0.4',
        source: 'openssl',
        sourceVersion: '1.0.2k-24.amzn2.0.4',
      },
    ]);
    expect((await findings(al2)).map((f) => f.id)).toEqual(['ALAS2-2023-1952']);
  });

  it('SLES 15 SP5 and Leap 15.5: SUSE updates by binary rpm name', async () => {
    for (const distro of [
      { id: 'sles', versionId: '15.5' },
      { id: 'opensuse-leap', versionId: '15.5' },
    ]) {
      const doc = image(distro, 'rpm', [
        {
          name: 'libopenssl3',
          version: '3.0.8-150500.5.8.1',
          source: 'openssl-3',
          sourceVersion: '3.0.8-150500.5.8.1',
        },
      ]);
      expect(await findings(doc), distro.id).toEqual([
        {
          package: 'libopenssl3 3.0.8-150500.5.8.1',
          id: 'SUSE-SU-2024:0151-1',
          fixState: 'fixed',
          fixedVersions: ['3.0.8-150500.5.20.1'],
        },
      ]);
    }
  });

  it('Wolfi: an apk is looked up by its origin in wolfi:rolling, whatever the snapshot VERSION_ID', async () => {
    const doc = image({ id: 'wolfi', versionId: '20230201' }, 'apk', [
      { name: 'libcrypto3', version: '3.1.3-r0', source: 'openssl', sourceVersion: '3.1.3-r0' },
      { name: 'glibc', version: '2.38-r2', source: 'glibc', sourceVersion: '2.38-r2' },
    ]);
    expect(await findings(doc)).toEqual([
      { package: 'libcrypto3 3.1.3-r0', id: 'CVE-2023-5363', fixState: 'fixed', fixedVersions: ['3.1.4-r0'] },
    ]);
  });
});
