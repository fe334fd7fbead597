/**
 * .NET end to end (issue 10 point 3): packages cataloged from deps.json files are matched
 * against OSV NuGet advisories imported through the OSV driver into the store (PGlite).
 *
 * The shared data has no NuGet zip, so the test writes one: a few records in OSV's NuGet format
 * (ecosystem "NuGet", ECOSYSTEM ranges, GHSA ids). The first two state the public facts of real
 * advisories in our own words; the third is a made-up package whose range sits on NuGet-only
 * version rules (a fourth part, a case-insensitive pre-release label). The expected findings
 * follow from NuGet's documented version rules; no NuGet tool runs here (.NET is not in Debian).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveImageOptions } from '../../src/config/index.js';
import { catalogRead, fromResolved } from '../../src/core/image/test-support/image-options.js';
import { DEFAULT_UPSTREAM_OPTIONS } from '../../src/core/advisories/feed.js';
import { osvDriver } from '../../src/core/advisories/feeds/osv/index.js';
import { catalogImage } from '../../src/core/catalog/catalog-image.js';
import { ALL_CATALOGERS } from '../../src/core/catalog/catalogers.js';
import { openImage } from '../../src/core/image/open.js';
import { matchSbom, type MatchResult } from '../../src/core/matching/match.js';
import type { SbomDocument } from '../../src/core/sbom/document.js';
import { migrate } from '../../src/store/migrate.js';
import { openPglite, type Sql } from '../../src/store/sql.js';
import { updateFeeds } from '../../src/store/update-feeds.js';
import { VulnerabilityStore } from '../../src/store/vulnerability-store.js';

const osvRecord = (
  id: string,
  aliases: string[],
  name: string,
  events: Record<string, string>[],
): Record<string, unknown> => ({
  schema_version: '1.6.0',
  id,
  modified: '2024-05-01T00:00:00Z',
  published: '2024-01-01T00:00:00Z',
  aliases,
  summary: `test record for ${name}`,
  affected: [
    {
      package: { ecosystem: 'NuGet', name, purl: `pkg:nuget/${name}` },
      ranges: [{ type: 'ECOSYSTEM', events }],
      database_specific: { source: 'test' },
    },
  ],
  severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H' }],
  references: [{ type: 'ADVISORY', url: `https://github.com/advisories/${id}` }],
});

const RECORDS = [
  // Newtonsoft.Json before 13.0.1: deep nesting exhausts the stack (CVE-2024-21907).
  osvRecord('GHSA-5crp-9r3c-p9vr', ['CVE-2024-21907'], 'Newtonsoft.Json', [
    { introduced: '0' },
    { fixed: '13.0.1' },
  ]),
  // System.Text.Encodings.Web 4.0.0–4.5.0 and 5.0.0: remote code execution (CVE-2021-26701).
  osvRecord('GHSA-ghhp-997w-qr28', ['CVE-2021-26701'], 'System.Text.Encodings.Web', [
    { introduced: '4.0.0' },
    { fixed: '4.5.1' },
    { introduced: '5.0.0' },
    { fixed: '5.0.1' },
  ]),
  // Made up: affected from 1.0 up to the fourth-part pre-release 1.2.0.5-RC.2.
  osvRecord('GHSA-test-nuge-0001', [], 'Contoso.Widgets', [{ introduced: '1.0' }, { fixed: '1.2.0.5-RC.2' }]),
];

/** A minimal deps.json (the shape `dotnet publish` writes) listing NuGet packages. */
function depsJson(app: string, packages: [string, string][]): string {
  const target = '.NETCoreApp,Version=v8.0';
  const ids = packages.map(([name, version]) => `${name}/${version}`);
  return JSON.stringify({
    runtimeTarget: { name: target, signature: '' },
    targets: {
      [target]: {
        [`${app}/1.0.0`]: { dependencies: Object.fromEntries(packages), runtime: { [`${app}.dll`]: {} } },
        ...Object.fromEntries(ids.map((id) => [id, { runtime: { 'lib/net8.0/x.dll': {} } }])),
      },
    },
    libraries: {
      [`${app}/1.0.0`]: { type: 'project', serviceable: false, sha512: '' },
      ...Object.fromEntries(
        ids.map((id) => [
          id,
          { type: 'package', serviceable: true, sha512: 'sha512-x', path: id.toLowerCase() },
        ]),
      ),
    },
  });
}

const APPS: Record<string, [string, string][]> = {
  Shop: [
    ['Newtonsoft.Json', '12.0.3'],
    ['System.Text.Encodings.Web', '5.0.0'],
    ['Contoso.Widgets', '1.2.0.5-rc.1'],
  ],
  Billing: [
    ['Newtonsoft.Json', '13.0.3'],
    ['System.Text.Encodings.Web', '4.5.1'],
    ['Contoso.Widgets', '1.2.0.5'],
  ],
};

async function write(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

describe('NuGet advisories match .NET packages through the store', () => {
  let temp: string;
  let db: Sql;
  let doc: SbomDocument;
  let result: MatchResult;

  beforeAll(async () => {
    temp = await mkdtemp(join(tmpdir(), 'portcullis-nuget-'));
    const records = join(temp, 'records');
    for (const record of RECORDS)
      await write(join(records, `${String(record.id)}.json`), JSON.stringify(record));
    await mkdir(join(temp, 'mirror/osv/NuGet'), { recursive: true });
    execFileSync(
      'zip',
      ['-q', '-j', join(temp, 'mirror/osv/NuGet/all.zip'), ...RECORDS.map((r) => `${String(r.id)}.json`)],
      {
        cwd: records,
      },
    );
    const root = join(temp, 'rootfs');
    for (const [app, packages] of Object.entries(APPS))
      await write(join(root, `srv/${app}/${app}.deps.json`), depsJson(app, packages));

    const open = fromResolved(resolveImageOptions({ cacheDir: join(temp, 'cache') }, {}, temp));
    doc = await catalogImage(await openImage(`dir:${root}`, open.env, open.request), catalogRead(open), {
      catalogers: ALL_CATALOGERS,
      scope: 'squashed',
      digestMaxBytes: 0,
      captureMaxBytes: 64 * 1024 * 1024,
    });
    db = await openPglite();
    await migrate(db);
    const store = new VulnerabilityStore(db);
    const [outcome] = await updateFeeds(store, [osvDriver], { mode: { mirrorDir: join(temp, 'mirror') } });
    expect(outcome?.status).toBe('updated');
    result = await matchSbom(doc, store);
  });
  afterAll(async () => {
    await db?.close();
    if (temp) await rm(temp, { recursive: true, force: true });
  });

  it('downloads the NuGet ecosystem with the others', () => {
    expect(DEFAULT_UPSTREAM_OPTIONS.osvEcosystems).toContain('NuGet');
    expect(osvDriver.upstream(DEFAULT_UPSTREAM_OPTIONS).map((f) => f.path)).toContain('NuGet/all.zip');
  });

  it('catalogs the .NET packages with NuGet PURLs', () => {
    const dotnet = doc.packages.filter((p) => p.type === 'dotnet');
    expect(dotnet.map((p) => `${p.name}@${p.version}`).sort()).toEqual(
      Object.values(APPS)
        .flat()
        .map(([n, v]) => `${n}@${v}`)
        .sort(),
    );
    expect(dotnet.every((p) => p.purl.startsWith('pkg:nuget/'))).toBe(true);
  });

  it('finds exactly the advisories NuGet version rules put the installed versions in', () => {
    const found = result.findings
      .filter((f) => f.package.type === 'dotnet')
      .flatMap((f) => f.evidence.map((e) => `${f.package.name}@${f.package.version} ${e.advisoryId}`))
      .sort();
    expect(result.problems).toEqual([]);
    expect(found).toEqual([
      // 1.2.0.5-rc.1 < 1.2.0.5-RC.2: labels compare without case, numbers numerically.
      'Contoso.Widgets@1.2.0.5-rc.1 GHSA-test-nuge-0001',
      'Newtonsoft.Json@12.0.3 GHSA-5crp-9r3c-p9vr',
      'System.Text.Encodings.Web@5.0.0 GHSA-ghhp-997w-qr28',
    ]);
  });
});
