/**
 * A jar without pom.properties has no known Maven group. It must not get a wrong one
 * (`org.apache` for commons-logging, from the manifest's vendor id), and it must still match:
 * by artifact, under the groups its manifest hints at, with lower confidence. Debian's
 * commons-lang3 jar with its META-INF/maven removed (by zip) against GHSA-j288-q9x7-2f5v
 * (CVE-2025-48924: commons-lang3 before 3.18.0), imported through the OSV feed driver.
 */
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedDriver } from '../advisories/feed.js';
import { feedDriver } from '../advisories/feeds/registry.js';
import { migrate } from '../../store/migrate.js';
import { openPglite, type Sql } from '../../store/sql.js';
import { updateFeeds } from '../../store/update-feeds.js';
import { VulnerabilityStore } from '../../store/vulnerability-store.js';
import { parseJavaArchive } from '../ecosystems/java/parse-java-archive.js';
import { hostContext } from '../ecosystems/npm/test-support/host-fs.js';
import type { Package } from '../sbom/model.js';
import { sbomDocument } from '../sbom/test-support/sbom-document.js';
import { matchSbom } from './match.js';
import { MAVEN_ARTIFACT_CONFIDENCE } from './namespaces.js';

/** The advisory's facts as OSV publishes them (reduced to what matching reads). */
const GHSA = {
  schema_version: '1.4.0',
  id: 'GHSA-j288-q9x7-2f5v',
  modified: '2025-07-15T00:00:00Z',
  published: '2025-07-11T00:00:00Z',
  aliases: ['CVE-2025-48924'],
  summary: 'Apache Commons Lang is vulnerable to Uncontrolled Recursion when processing long inputs',
  affected: [
    {
      package: { ecosystem: 'Maven', name: 'org.apache.commons:commons-lang3' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '3.0' }, { fixed: '3.18.0' }] }],
    },
  ],
};

describe('a Maven artifact of unknown group', () => {
  let work: string;
  let db: Sql;
  let store: VulnerabilityStore;
  let withPom: Package;
  let withoutPom: Package;

  async function packageOf(jar: string, id: string): Promise<Package> {
    const result = await parseJavaArchive({ path: jar, contents: await readFile(jar) }, hostContext());
    const [parsed] = result.packages;
    if (!parsed) throw new Error(`${jar}: no package (${result.problems.join('; ')})`);
    return { ...parsed, id, foundBy: 'java-archive@2', locations: [{ path: jar }] };
  }

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'pc-maven-artifact-'));
    const debianJar = await realpath('/usr/share/java/commons-lang3.jar');
    const stripped = join(work, 'commons-lang3.jar');
    await copyFile(debianJar, stripped);
    execFileSync('zip', ['-q', '-d', stripped, 'META-INF/maven/*']);
    withPom = await packageOf(debianJar, 'java-with-pom');
    withoutPom = await packageOf(stripped, 'java-without-pom');

    await mkdir(join(work, 'mirror/osv/Maven'), { recursive: true });
    await writeFile(join(work, 'mirror/osv/Maven', `${GHSA.id}.json`), JSON.stringify(GHSA));
    db = await openPglite();
    await migrate(db);
    store = new VulnerabilityStore(db);
    const [outcome] = await updateFeeds(store, [feedDriver('osv') as FeedDriver], {
      mode: { mirrorDir: join(work, 'mirror') },
    });
    expect(outcome?.status).toBe('updated');
  });
  afterAll(async () => {
    await db?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('is cataloged without a guessed group', () => {
    expect(execFileSync('unzip', ['-l', join(work, 'commons-lang3.jar')]).toString()).not.toContain(
      'pom.properties',
    );
    expect(withoutPom).toMatchObject({ name: 'commons-lang3', version: '3.12.0', type: 'java' });
    expect(withoutPom.purl).toBe('pkg:generic/commons-lang3@3.12.0');
    expect(withoutPom.metadata.groupId).toBeUndefined();
    expect(withoutPom.metadata.groupIdCandidates).toContain('org.apache.commons');
  });

  it('matches by artifact with lower confidence; the jar with its pom matches with full confidence', async () => {
    const result = await matchSbom(sbomDocument({ packages: [withPom, withoutPom] }), store);
    const summary = result.findings.map((f) => [
      f.package.id,
      f.id,
      f.confidence,
      f.evidence.map((e) => `${e.strategy} ${e.lookupName}`),
    ]);
    expect(summary.sort()).toEqual([
      ['java-with-pom', GHSA.id, 1, ['language-package org.apache.commons:commons-lang3']],
      [
        'java-without-pom',
        GHSA.id,
        MAVEN_ARTIFACT_CONFIDENCE,
        ['maven-artifact org.apache.commons:commons-lang3'],
      ],
    ]);
  });
});
