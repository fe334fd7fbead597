import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { isPortcullisError } from '../../../errors.js';
import { alpineSecdbDriver } from './index.js';
import {
  advisoriesOf,
  collect,
  dataPath,
  q,
  sh,
  tempDir,
  type Collected,
} from '../../test-support/feed-data.js';
import type { Advisory } from '../../model.js';

const secdb = dataPath('alpine', 'secdb');

describe('alpine-secdb driver on the real secdb snapshot', () => {
  let all: Collected;
  let advisories: Advisory[];
  beforeAll(async () => {
    all = await collect(alpineSecdbDriver, { dir: dataPath('alpine') });
    advisories = advisoriesOf(all.records);
  });

  it('reads every file and every CVE mention (counts from find and jq)', () => {
    const files = Number(sh(`find ${q(secdb)} -name '*.json' | wc -l`));
    const packages = Number(sh(`cat ${q(secdb)}/*/*.json | jq -s '[.[] | (.packages // [])[]] | length'`));
    const mentions = Number(
      sh(
        `cat ${q(secdb)}/*/*.json | jq -s '[.[] | (.packages // [])[] | .pkg.secfixes // {} | .[] | (. // [])[]] | length'`,
      ),
    );
    expect([files, packages, mentions]).toEqual([18, 1652, 12_028]); // README
    expect(all.report.files).toHaveLength(files);
    expect(all.report.entries).toBe(mentions);
  });

  it('has a record with the right fixed version for every well-formed raw mention', () => {
    const rows = sh(
      `for f in ${q(secdb)}/*/*.json; do jq -r '.distroversion as $d | (.packages // [])[] | .pkg.name as $n | (.pkg.secfixes // {}) | to_entries[] | .key as $v | (.value // [])[] | [$d, $n, $v, .] | @tsv' "$f"; done`,
    )
      .trim()
      .split('\n')
      .map((l) => l.split('\t') as [string, string, string, string]);
    const byKey = new Map(advisories.map((a) => [`${a.namespace}|${a.packageName}|${a.id}`, a]));
    let checked = 0;
    for (const [distro, name, version, mention] of rows) {
      if (!/^CVE-\d{4}-\d+$/.test(mention) || !/^\d+(\.\d+)*[a-z]?(_[a-z]+\d*)*-r\d+$/.test(version))
        continue;
      const a = byKey.get(`alpine:${distro.slice(1)}|${name}|${mention}`);
      expect(a, `${distro} ${name} ${mention}`).toBeDefined();
      expect(a?.fixedVersions).toContain(version);
      expect(a?.ranges).toContainEqual({
        type: 'ECOSYSTEM',
        events: [{ introduced: '0' }, { fixed: version }],
      });
      expect(a?.versionScheme).toBe('apk');
      checked++;
    }
    expect(checked).toBeGreaterThan(10_000); // of 12,028 mentions; the rest are quirks checked below
  });

  it('marks secfixes "0" as not affected', () => {
    const zero = sh(
      `for f in ${q(secdb)}/*/*.json; do jq -r '.distroversion as $d | (.packages // [])[] | .pkg.name as $n | (.pkg.secfixes // {})["0"] // [] | .[] | [$d, $n, .] | @tsv' "$f"; done`,
    )
      .trim()
      .split('\n')
      .filter(Boolean);
    expect(zero.length).toBeGreaterThan(0);
    for (const line of zero) {
      const [distro, name, id] = line.split('\t') as [string, string, string];
      const a = advisories.find(
        (x) => x.namespace === `alpine:${distro.slice(1)}` && x.packageName === name && x.id === id,
      );
      expect(a?.notAffected).toBe(true);
      expect(a?.ranges).toEqual([]);
    }
  });

  it('parses real quirks: trailing comments, second ids, mangled ids and versions', () => {
    const talos = advisories.find((a) => a.id === 'CVE-2019-5060');
    expect(talos?.aliases).toEqual(['TALOS-2019-0844']);
    expect(advisories.some((a) => a.id === 'XSA-284' && a.packageName === 'xen')).toBe(true);
    const skipped = new Map(all.report.skipped.map((s) => [s.id, s.reason]));
    expect(skipped.get('openjdk7/CVE_2019-2426')).toBe('malformed-record');
    expect(skipped.get('opensmtpd/CVE-2020-7247')).toBe('unparsable-version');
  });
});

describe('alpine-secdb driver: bad input', () => {
  const tmp = tempDir('alpine-bad');
  afterAll(() => tmp.cleanup());

  it('skips malformed packages and duplicates across repositories, counting them', async () => {
    const dir = join(tmp.path, 'secdb', 'v3.18');
    mkdirSync(dir, { recursive: true });
    const doc = (reponame: string, packages: unknown[]): string =>
      JSON.stringify({ distroversion: 'v3.18', reponame, packages });
    writeFileSync(
      join(dir, 'main.json'),
      doc('main', [
        { pkg: { name: 'musl', secfixes: { '1.2.4-r1': ['CVE-2023-0001'] } } },
        { pkg: { secfixes: {} } },
      ]),
    );
    writeFileSync(
      join(dir, 'community.json'),
      doc('community', [{ pkg: { name: 'musl', secfixes: { '1.2.4-r2': ['CVE-2023-0001'] } } }]),
    );
    const { records, report } = await collect(alpineSecdbDriver, { dir: tmp.path });
    expect(advisoriesOf(records).map((a) => [a.namespace, a.packageName, a.fixedVersions])).toEqual([
      ['alpine:3.18', 'musl', ['1.2.4-r2']],
    ]);
    expect(report.skippedByReason).toEqual({ 'malformed-record': 1, 'duplicate-id': 1 });
  });

  it('rejects a file that is not a secdb document with FEED_CORRUPT', async () => {
    const file = join(tmp.path, 'bad.json');
    writeFileSync(file, JSON.stringify({ distroversion: 'edge', packages: [] }));
    const error = await collect(alpineSecdbDriver, { file }).catch((e: unknown) => e);
    expect(isPortcullisError(error, 'FEED_CORRUPT')).toBe(true);
    expect((error as Error).message).toContain('distroversion');
  });
});
