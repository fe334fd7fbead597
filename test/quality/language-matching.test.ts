/**
 * Language-package matching ground truth (issue 4). A directory tree with deliberately old
 * packages — real npm installs, crafted METADATA, gemspecs and a jar with pom.properties — is
 * cataloged and matched against the real OSV data in PGlite. The expected findings come from
 * the raw OSV zips and each ecosystem's reference comparator (see osv-reference.ts); the test
 * asserts equality both ways (precision and recall 100%).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveImageOptions } from '../../src/config/index.js';
import { fromResolved, catalogRead } from '../../src/core/image/test-support/image-options.js';
import type { FeedDriver } from '../../src/core/advisories/feed.js';
import { feedDriver } from '../../src/core/advisories/feeds/registry.js';
import { catalogImage } from '../../src/core/catalog/catalog-image.js';
import { ALL_CATALOGERS } from '../../src/core/catalog/catalogers.js';
import { openImage } from '../../src/core/image/open.js';
import { matchSbom, type MatchResult } from '../../src/core/matching/match.js';
import { applySuppressions, parseIgnoreFile, parseVexText } from '../../src/core/suppression/index.js';
import type { SbomDocument } from '../../src/core/sbom/document.js';
import type { Package } from '../../src/core/sbom/model.js';
import { migrate } from '../../src/store/migrate.js';
import { openPglite, type Sql } from '../../src/store/sql.js';
import { updateFeeds } from '../../src/store/update-feeds.js';
import { VulnerabilityStore } from '../../src/store/vulnerability-store.js';
import {
  isAffected,
  npmSemver,
  osvRecordsFor,
  pairsFor,
  pythonPackaging,
  rubyGemVersion,
  type Comparator,
} from './osv-reference.js';
import { SHARED_DATA } from '../support/shared-data.js';

const DATA = SHARED_DATA;
const NPM_SPECS = ['minimist@1.2.0', 'node-fetch@2.6.0', 'jsonwebtoken@8.5.0'];
const PYPI = [
  ['requests', '2.19.0'],
  ['Django', '3.2.0'],
  ['PyYAML', '5.3'],
] as const;
const GEMS = [
  ['rack', '2.0.0'],
  ['nokogiri', '1.10.0'],
] as const;
const LOG4J = { groupId: 'org.apache.logging.log4j', artifactId: 'log4j-core', version: '2.14.1' };

/** `npm install` once per spec list; later runs copy the cached tree. */
function cachedNpmApp(): string {
  const key = createHash('sha256').update(NPM_SPECS.join(' ')).digest('hex').slice(0, 16);
  const dir = join(homedir(), '.cache', 'portcullis-test-npm', `language-matching-${key}`);
  if (!existsSync(join(dir, '.complete'))) {
    execFileSync('npm', ['install', '--prefix', dir, '--no-audit', '--no-fund', ...NPM_SPECS], {
      stdio: 'ignore',
    });
    execFileSync('sh', ['-c', `printf '%s\\n' "$1" > "$2/.complete"`, 'sh', NPM_SPECS.join(' '), dir]);
  }
  return dir;
}

async function write(root: string, path: string, text: string): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), text);
}

async function buildTree(root: string): Promise<void> {
  await cp(cachedNpmApp(), join(root, 'app'), {
    recursive: true,
    filter: (src) => !src.endsWith('.complete'),
  });
  for (const [name, version] of PYPI) {
    await write(
      root,
      `/usr/local/lib/python3.11/site-packages/${name}-${version}.dist-info/METADATA`,
      `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\nSummary: crafted for a test\n\n`,
    );
  }
  for (const [name, version] of GEMS) {
    await write(
      root,
      `/usr/local/bundle/specifications/${name}-${version}.gemspec`,
      `# -*- encoding: utf-8 -*-\nGem::Specification.new do |s|\n  s.name = "${name}".freeze\n  s.version = "${version}"\n  s.summary = "crafted for a test".freeze\nend\n`,
    );
  }
  const jarDir = join(root, '..', 'jar');
  await write(jarDir, 'META-INF/MANIFEST.MF', 'Manifest-Version: 1.0\r\nCreated-By: test\r\n\r\n');
  await write(
    jarDir,
    `META-INF/maven/${LOG4J.groupId}/${LOG4J.artifactId}/pom.properties`,
    `groupId=${LOG4J.groupId}\nartifactId=${LOG4J.artifactId}\nversion=${LOG4J.version}\n`,
  );
  await mkdir(join(root, 'opt/app/lib'), { recursive: true });
  execFileSync(
    'zip',
    ['-q', '-r', join(root, `opt/app/lib/${LOG4J.artifactId}-${LOG4J.version}.jar`), 'META-INF'],
    {
      cwd: jarDir,
    },
  );
}

interface Ecosystem {
  type: Package['type'];
  zip: string;
  mode: 'pep503' | 'exact';
  cmp: Comparator;
}

const ECOSYSTEMS: Ecosystem[] = [
  { type: 'npm', zip: `${DATA}/osv/npm/all.zip`, mode: 'exact', cmp: npmSemver },
  { type: 'python', zip: `${DATA}/osv/PyPI/all.zip`, mode: 'pep503', cmp: pythonPackaging },
  { type: 'gem', zip: `${DATA}/osv/RubyGems/all.zip`, mode: 'exact', cmp: rubyGemVersion },
];

const pep503 = (n: string) => n.replace(/[-_.]+/g, '-').toLowerCase();

/** `name@version advisoryId` for every advisory the reference says affects a package. */
function expectedFindings(packages: readonly Package[]): { expected: Set<string>; undecidable: string[] } {
  const expected = new Set<string>();
  const undecidable: string[] = [];
  for (const eco of ECOSYSTEMS) {
    const pkgs = packages.filter((p) => p.type === eco.type && !p.ownedBy);
    if (!pkgs.length) continue;
    const records = osvRecordsFor(eco.zip, [...new Set(pkgs.map((p) => p.name))], eco.mode);
    const same = (a: string, b: string) => (eco.mode === 'pep503' ? pep503(a) === pep503(b) : a === b);
    const work = pkgs.flatMap((p) =>
      records
        .filter((r) => !r.withdrawn)
        .map((r) => ({ p, r, entries: r.affected.filter((a) => same(a.package.name, p.name)) }))
        .filter((w) => w.entries.length),
    );
    const pairs = work.flatMap((w) => pairsFor(w.p.version, w.entries));
    const results = eco.cmp(pairs);
    const table = new Map(pairs.map(([a, b], i) => [`${a}\u0000${b}`, results[i] ?? null]));
    const cmp = (a: string, b: string) => table.get(`${a}\u0000${b}`) ?? null;
    for (const { p, r, entries } of work) {
      const decisions = entries.map((e) => isAffected(p.version, e, cmp));
      if (decisions.includes(true)) expected.add(`${p.name}@${p.version} ${r.id}`);
      else if (decisions.includes(null)) undecidable.push(`${p.name}@${p.version} ${r.id}`);
    }
  }
  return { expected, undecidable };
}

describe('language matching against raw OSV data and reference comparators', () => {
  let temp: string;
  let db: Sql;
  let doc: SbomDocument;
  let result: MatchResult;

  beforeAll(async () => {
    temp = await mkdtemp(join(tmpdir(), 'portcullis-quality-'));
    const root = join(temp, 'rootfs');
    await buildTree(root);
    const open = fromResolved(resolveImageOptions({ cacheDir: join(temp, 'cache') }, {}, temp));
    const image = await openImage(`dir:${root}`, open.env, open.request);
    doc = await catalogImage(image, catalogRead(open), {
      catalogers: ALL_CATALOGERS,
      scope: 'squashed',
      digestMaxBytes: 0,
      captureMaxBytes: 64 * 1024 * 1024,
    });
    db = await openPglite();
    await migrate(db);
    const store = new VulnerabilityStore(db);
    const [outcome] = await updateFeeds(store, [feedDriver('osv') as FeedDriver], {
      mode: { mirrorDir: DATA },
    });
    expect(outcome?.status).toBe('updated');
    result = await matchSbom(doc, store);
  });
  afterAll(async () => {
    await db?.close();
    if (temp) await rm(temp, { recursive: true, force: true });
  });

  it('catalogs every planted package', () => {
    const found = new Set(doc.packages.map((p) => `${p.type} ${p.name}@${p.version}`));
    for (const spec of NPM_SPECS) expect(found, spec).toContain(`npm ${spec}`);
    for (const [name, version] of PYPI) expect(found, name).toContain(`python ${name}@${version}`);
    for (const [name, version] of GEMS) expect(found, name).toContain(`gem ${name}@${version}`);
    expect(
      doc.packages.some(
        (p) => p.type === 'java' && p.name.endsWith(LOG4J.artifactId) && p.version === LOG4J.version,
      ),
    ).toBe(true);
  });

  it('finds exactly the advisories the reference tools say affect each package', () => {
    const { expected, undecidable } = expectedFindings(doc.packages);
    const actual = new Set(
      result.findings
        .filter((f) => f.package.type !== 'java')
        .flatMap((f) => f.evidence.map((e) => `${f.package.name}@${f.package.version} ${e.advisoryId}`)),
    );
    expect(expected.size).toBeGreaterThan(50);
    expect(undecidable).toEqual([]);
    expect(result.problems).toEqual([]);
    expect([...actual].filter((x) => !expected.has(x)).sort()).toEqual([]); // precision
    expect([...expected].filter((x) => !actual.has(x)).sort()).toEqual([]); // recall
    // The deliberately old versions are known-vulnerable: the reference must agree.
    for (const pkg of [
      'minimist@1.2.0',
      'node-fetch@2.6.0',
      'jsonwebtoken@8.5.0',
      'requests@2.19.0',
      'rack@2.0.0',
    ])
      expect(
        [...expected].some((x) => x.startsWith(`${pkg} `)),
        pkg,
      ).toBe(true);
  });

  it('reports nothing for Maven: the snapshot holds no Maven advisories', () => {
    expect(result.findings.filter((f) => f.package.type === 'java')).toEqual([]);
  });

  // CVE-2020-7598 rather than CVE-2021-44906: the snapshot's GHSA-xvch-5gv4-984h keeps only its
  // `< 0.2.4` range (the derivation is lossy, see the data README), so 1.2.0 is not affected by it there.
  it('VEX and ignore rules suppress real findings in place, by alias, and expired rules do not', async () => {
    const vex = parseVexText(
      'app.vex.json',
      JSON.stringify({
        '@context': 'https://openvex.dev/ns/v0.2.0',
        timestamp: '2026-01-01T00:00:00Z',
        statements: [
          {
            vulnerability: { name: 'CVE-2020-7598' },
            products: [{ '@id': 'pkg:oci/app', subcomponents: [{ '@id': 'pkg:npm/minimist' }] }],
            status: 'not_affected',
            justification: 'vulnerable_code_not_in_execute_path',
          },
        ],
      }),
    );
    const ignore = parseIgnoreFile(
      'ignore.yaml',
      'ignore:\n  - package: { name: nokogiri, type: gem }\n    reason: old\n    expires: 2020-01-01\n  - package: { name: rack, version: "~> 2.0" }\n    reason: rack is behind a proxy\n',
    );
    const { findings, report } = await applySuppressions(result.findings, {
      vex: [vex],
      ignore,
      now: new Date('2026-06-01T00:00:00Z'),
    });
    expect(findings).toHaveLength(result.findings.length);
    const byVex = findings.filter((f) => f.suppressed?.by === 'vex').map((f) => `${f.package.name} ${f.id}`);
    const minimistFindings = result.findings
      .filter((f) => f.package.name === 'minimist' && [f.id, ...f.aliases].includes('CVE-2020-7598'))
      .map((f) => `${f.package.name} ${f.id}`);
    expect(minimistFindings.length).toBeGreaterThan(0);
    expect(byVex).toEqual(minimistFindings);
    const byRule = findings.filter((f) => f.suppressed?.by === 'ignore-rule');
    expect(byRule.length).toBe(result.findings.filter((f) => f.package.name === 'rack').length);
    expect(byRule.every((f) => f.package.name === 'rack')).toBe(true);
    expect(report.rules.map((r) => r.status)).toEqual(['expired', 'applied']);
  });
});
