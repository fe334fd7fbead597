/**
 * The CPE matcher against the real NVD 1.1 feeds, loaded through the NVD driver into PGlite.
 * Expectations come from the raw feed JSON, read here independently of the driver, with
 * version bounds decided by `dpkg --compare-versions` (binary packages) and `semver` (npm).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import semver from 'semver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedDriver } from '../core/advisories/feeds/registry.js';
import { matchByCpe } from '../core/matching/cpe/match-cpe.js';
import { matchSbom } from '../core/matching/match.js';
import { RENDERERS, SCAN_SCHEMA_VERSION } from '../core/report/index.js';
import type { Finding } from '../core/matching/types.js';
import type { SbomDocument } from '../core/sbom/document.js';
import type { Package, PackageType } from '../core/sbom/model.js';
import { migrate } from './migrate.js';
import { openPglite, type Sql } from './sql.js';
import { updateFeeds } from './update-feeds.js';
import { VulnerabilityStore } from './vulnerability-store.js';
import { sbomDocument } from '../core/sbom/test-support/sbom-document.js';
import { SHARED_DATA } from '../../test/support/shared-data.js';

const NVD = `${SHARED_DATA}/nvd`;

interface RawMatch {
  vulnerable: boolean;
  cpe23Uri: string;
  versionStartIncluding?: string;
  versionStartExcluding?: string;
  versionEndIncluding?: string;
  versionEndExcluding?: string;
}
interface RawNode {
  operator: string;
  negate?: boolean;
  children?: RawNode[];
  cpe_match?: RawMatch[];
}
interface RawItem {
  cve: { CVE_data_meta: { ID: string } };
  configurations?: { nodes?: RawNode[] };
}

const items: RawItem[] = ['nvdcve-1.1-recent.json.gz', 'nvdcve-1.1-modified.json.gz'].flatMap(
  (f) =>
    (JSON.parse(gunzipSync(readFileSync(`${NVD}/${f}`)).toString('utf8')) as { CVE_Items: RawItem[] })
      .CVE_Items,
);

const dpkgAnswers = new Map<string, boolean>();
/** `dpkg --compare-versions`, memoized: the probes repeat the same pairs across CVEs. */
const dpkg = (a: string, op: string, b: string): boolean => {
  const key = `${a} ${op} ${b}`;
  let answer = dpkgAnswers.get(key);
  if (answer === undefined) {
    try {
      execFileSync('dpkg', ['--compare-versions', a, op, b]);
      answer = true;
    } catch {
      answer = false;
    }
    dpkgAnswers.set(key, answer);
  }
  return answer;
};

/** `cpe:2.3:a:<vendor>:<product>:*:*:*:*:*:*:*:*` exactly: no escapes, no qualifiers. */
const SIMPLE = /^cpe:2\.3:a:([a-z0-9_]+):([a-z0-9_]+):\*(:\*){7}$/;
/** Versions both dpkg and our deb scheme read the same way: plain dotted numbers. */
const DOTTED = /^\d+(\.\d+)*$/;

function allMatches(node: RawNode): RawMatch[] {
  return [...(node.cpe_match ?? []), ...(node.children ?? []).flatMap(allMatches)];
}

/** Products each CVE names, and whether every node naming a product is one plain OR node. */
function productIndex(): Map<string, { vendor: string; cves: Map<string, RawMatch[]>; simple: boolean }> {
  const index = new Map<string, { vendor: string; cves: Map<string, RawMatch[]>; simple: boolean }>();
  for (const item of items) {
    for (const node of item.configurations?.nodes ?? []) {
      const plain = node.operator === 'OR' && !node.negate && !(node.children ?? []).length;
      for (const m of allMatches(node)) {
        const product = /^cpe:2\.3:[aoh]:[^:]*:([^:]*):/.exec(m.cpe23Uri)?.[1];
        if (!product) continue;
        const simple = SIMPLE.exec(m.cpe23Uri);
        const entry = index.get(product) ?? { vendor: simple?.[1] ?? '', cves: new Map(), simple: true };
        const bounds = [
          m.versionStartIncluding,
          m.versionStartExcluding,
          m.versionEndIncluding,
          m.versionEndExcluding,
        ];
        const ok =
          plain &&
          m.vulnerable &&
          simple !== null &&
          simple[1] === entry.vendor &&
          bounds.every((b) => b === undefined || DOTTED.test(b)) &&
          bounds.some((b) => b !== undefined);
        if (!ok) entry.simple = false;
        const list = entry.cves.get(item.cve.CVE_data_meta.ID) ?? [];
        list.push(m);
        entry.cves.set(item.cve.CVE_data_meta.ID, list);
        index.set(product, entry);
      }
    }
  }
  return index;
}

function inBoundsDpkg(m: RawMatch, v: string): boolean {
  return (
    (m.versionStartIncluding === undefined || dpkg(v, 'ge', m.versionStartIncluding)) &&
    (m.versionStartExcluding === undefined || dpkg(v, 'gt', m.versionStartExcluding)) &&
    (m.versionEndIncluding === undefined || dpkg(v, 'le', m.versionEndIncluding)) &&
    (m.versionEndExcluding === undefined || dpkg(v, 'lt', m.versionEndExcluding))
  );
}

/** Versions around the bounds: each bound, and one step below and above it. */
function probeVersions(matches: RawMatch[]): string[] {
  const out = new Set<string>();
  for (const m of matches) {
    for (const b of [
      m.versionStartIncluding,
      m.versionStartExcluding,
      m.versionEndIncluding,
      m.versionEndExcluding,
    ]) {
      if (!b) continue;
      const parts = b.split('.').map(Number);
      const last = parts[parts.length - 1] as number;
      out.add(b);
      out.add(`${b}.1`);
      if (last > 0) out.add([...parts.slice(0, -1), last - 1].join('.'));
    }
  }
  return [...out].sort();
}

let counter = 0;
function pkg(type: PackageType, name: string, version: string, extra: Partial<Package> = {}): Package {
  counter++;
  const purlType = type === 'binary' ? 'generic' : type;
  return {
    id: `${type}-${name}-${version}-${counter}`,
    name,
    version,
    type,
    purl: `pkg:${purlType}/${encodeURIComponent(name)}@${version}`,
    licenses: [],
    locations: [{ path: `/opt/${name}-${counter}` }],
    foundBy: 'test',
    metadata: {},
    ...extra,
  };
}

function sbom(
  packages: Package[],
  distro: SbomDocument['distro'] = { id: 'debian', versionId: '12' },
): SbomDocument {
  return sbomDocument({
    source: { type: 'directory', input: 'test', layers: [] },
    ...(distro ? { distro } : {}),
    packages,
  });
}

const cpeFindings = (findings: Finding[]): Finding[] =>
  findings.filter((f) => f.evidence.some((e) => e.strategy === 'cpe'));

describe('CPE matching on the real NVD feeds', () => {
  let db: Sql;
  let store: VulnerabilityStore;

  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    store = new VulnerabilityStore(db);
    const driver = feedDriver('nvd');
    if (!driver) throw new Error('no nvd driver');
    const [outcome] = await updateFeeds(store, [driver], { mode: { mirrorDir: SHARED_DATA } });
    expect(outcome?.status).toBe('updated');
  }, 120_000);
  afterAll(async () => db?.close());

  it('stores one configuration row per CVE item with nodes, as many as the raw feeds hold', async () => {
    const withNodes = items.filter((i) => (i.configurations?.nodes ?? []).length > 0).length;
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM cpe_config');
    expect(Number(rows[0]?.n)).toBe(withNodes);
  });

  it('matches binary packages exactly as dpkg decides the raw bounds, inside and outside', async () => {
    const index = productIndex();
    const chosen = [...index.entries()].filter(([, e]) => e.simple).slice(0, 25);
    expect(chosen.length).toBeGreaterThanOrEqual(10);
    const packages: Package[] = [];
    const expected = new Map<string, string[]>();
    for (const [product, entry] of chosen) {
      const matches = [...entry.cves.values()].flat();
      for (const version of probeVersions(matches)) {
        const p = pkg('binary', product, version, {
          purl: `pkg:generic/${entry.vendor}/${product}@${version}`,
        });
        packages.push(p);
        const cves = [...entry.cves]
          .filter(([, ms]) => ms.some((m) => inBoundsDpkg(m, version)))
          .map(([c]) => c);
        expected.set(p.id, cves.sort());
      }
    }
    const { findings, problems } = await matchByCpe(sbom(packages), store);
    expect(problems).toEqual([]);
    const actual = new Map<string, string[]>(packages.map((p) => [p.id, []]));
    for (const f of findings) actual.get(f.package.id)?.push(f.id);
    for (const list of actual.values()) list.sort();
    expect(actual).toEqual(expected);
    // Both sides are exercised: some probes inside the bounds, some outside.
    expect([...expected.values()].filter((l) => l.length > 0).length).toBeGreaterThan(5);
    expect([...expected.values()].filter((l) => l.length === 0).length).toBeGreaterThan(5);
    for (const f of findings) {
      expect(f.confidence).toBeLessThanOrEqual(0.5);
      expect(f.evidence.every((e) => e.strategy === 'cpe' && e.cpeMatch !== undefined)).toBe(true);
    }
  });

  it('honours target_sw: a node.js CPE matches the npm package (semver decides), never a Python one', async () => {
    const item = items.find((i) => i.cve.CVE_data_meta.ID === 'CVE-2018-25083');
    const m = item?.configurations?.nodes?.[0]?.cpe_match?.[0];
    expect(m?.cpe23Uri).toBe('cpe:2.3:a:pull_it_project:pull_it:*:*:*:*:*:node.js:*:*');
    const end = m?.versionEndExcluding as string;
    const inside = pkg('npm', 'pull-it', '1.3.9');
    const outside = pkg('npm', 'pull-it', end);
    const python = pkg('python', 'pull-it', '1.3.9');
    const { findings } = await matchByCpe(sbom([inside, outside, python]), store);
    const hit = (p: Package): boolean =>
      findings.some((f) => f.package.id === p.id && f.id === 'CVE-2018-25083');
    expect(hit(inside)).toBe(semver.lt('1.3.9', end));
    expect(hit(outside)).toBe(semver.lt(end, end));
    expect(hit(python)).toBe(false);
  });

  it('does not match an application whose AND node requires Windows on a Debian image', async () => {
    const item = items.find((i) => i.cve.CVE_data_meta.ID === 'CVE-2024-24275');
    const children = item?.configurations?.nodes?.[0]?.children ?? [];
    const criteria = children.flatMap((c) => c.cpe_match ?? []).map((x) => x.cpe23Uri);
    expect(criteria).toContain('cpe:2.3:o:microsoft:windows:-:*:*:*:*:*:*:*');
    const vulnerable = children.flatMap((c) => c.cpe_match ?? []).find((x) => x.vulnerable) as RawMatch;
    const p = pkg('binary', 'teamwire', '2.3.0');
    // The version alone is inside the bounds: only the platform keeps it out.
    expect(inBoundsDpkg(vulnerable, '2.3.0')).toBe(true);
    const { findings } = await matchByCpe(sbom([p]), store);
    expect(findings.filter((f) => f.id === 'CVE-2024-24275')).toEqual([]);
  });

  it('never matches distro packages or language packages a distro package owns', async () => {
    const [product, entry] = [...productIndex().entries()].find(([, e]) => e.simple) as [
      string,
      { vendor: string; cves: Map<string, RawMatch[]> },
    ];
    const version = probeVersions([...entry.cves.values()].flat()).find((v) =>
      [...entry.cves.values()].flat().some((m) => inBoundsDpkg(m, v)),
    ) as string;
    const purl = `pkg:generic/${entry.vendor}/${product}@${version}`;
    const free = pkg('binary', product, version, { purl });
    const owned = pkg('binary', product, version, { purl, ownedBy: { type: 'deb', name: product, version } });
    const deb = pkg('deb', product, version, { purl: `pkg:deb/debian/${product}@${version}` });
    const { findings } = await matchByCpe(sbom([free, owned, deb]), store);
    expect(findings.some((f) => f.package.id === free.id)).toBe(true);
    expect(findings.filter((f) => f.package.id !== free.id)).toEqual([]);
  });

  it('does not repeat a vulnerability the advisory matcher already reported for the package', async () => {
    const p = pkg('npm', 'pull-it', '1.3.9');
    const first = await matchByCpe(sbom([p]), store);
    expect(first.findings.map((f) => f.id)).toContain('CVE-2018-25083');
    const existing = {
      ...(first.findings[0] as Finding),
      id: 'GHSA-xxxx-yyyy-zzzz',
      aliases: ['CVE-2018-25083'],
    };
    const second = await matchByCpe(sbom([p]), store, { existing: [existing] });
    expect(second.findings.map((f) => f.id)).not.toContain('CVE-2018-25083');
  });

  it('is off by default in matchSbom and on with { cpe: true }', async () => {
    const doc = sbom([pkg('npm', 'pull-it', '1.3.9')]);
    expect(cpeFindings((await matchSbom(doc, store)).findings)).toEqual([]);
    const on = cpeFindings((await matchSbom(doc, store, { cpe: true })).findings);
    expect(on.map((f) => f.id)).toContain('CVE-2018-25083');
  });

  it('a CPE finding renders as native JSON that validates against the scan report schema', async () => {
    const doc = sbom([pkg('npm', 'pull-it', '1.3.9')]);
    const { findings } = await matchSbom(doc, store, { cpe: true });
    expect(cpeFindings(findings)).not.toEqual([]);
    const text = RENDERERS.json({
      report: {
        schemaVersion: SCAN_SCHEMA_VERSION,
        descriptor: doc.descriptor,
        createdAt: doc.createdAt,
        source: doc.source,
        database: { feeds: [] },
        findings,
      },
      document: doc,
    });
    const schema = JSON.parse(
      readFileSync(new URL('../../schema/portcullis-scan-1.0.schema.json', import.meta.url), 'utf8'),
    ) as object;
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    expect(validate(JSON.parse(text)), JSON.stringify(validate.errors)).toBe(true);
  });

  it('rejects { cpe: true } with a source that keeps no CPE data, naming why', async () => {
    const source = {
      advisoriesFor: store.advisoriesFor.bind(store),
      enrichment: store.enrichment.bind(store),
    };
    await expect(matchSbom(sbom([]), source, { cpe: true })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });
});
