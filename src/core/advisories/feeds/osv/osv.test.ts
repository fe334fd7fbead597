import { describe, it, expect, beforeAll } from 'vitest';
import { osvDriver } from './index.js';
import { advisoriesOf, collect, dataPath, q, sh, type Collected } from '../../test-support/feed-data.js';
import type { Advisory } from '../../model.js';
import { versionsOutsideRanges } from '../../versions-outside-ranges.js';

const ECOSYSTEMS = ['PyPI', 'Go', 'npm', 'RubyGems', 'crates.io'] as const;
const zipOf = (eco: string): string => dataPath('osv', eco, 'all.zip');

interface RawOsv {
  id: string;
  aliases?: string[];
  withdrawn?: string;
  modified: string;
  published?: string;
  affected?: {
    package?: { ecosystem: string; name: string };
    ranges?: { type: string; events: Record<string, string>[] }[];
    versions?: string[];
    database_specific?: { first_patched_version?: string };
  }[];
  severity?: { type: string; score: string }[];
  database_specific?: { severity?: string };
}

describe('osv driver on the real OSV snapshot', () => {
  let all: Collected;
  let advisories: Advisory[];
  beforeAll(async () => {
    const started = performance.now();
    all = await collect(osvDriver, { dir: dataPath('osv') });
    console.log(`osv: read ${all.report.entries} records in ${Math.round(performance.now() - started)} ms`);
    advisories = advisoriesOf(all.records);
  });

  it('reads every zip member once (count from unzip -Z1)', () => {
    const members = ECOSYSTEMS.map((eco) =>
      Number(sh(`unzip -Z1 ${q(zipOf(eco))} | grep -c '\\.json$'`).trim()),
    );
    const total = members.reduce((a, b) => a + b, 0);
    expect(total).toBe(15_303); // README: 15,303 OSV records in 5 all.zip files
    expect(all.report.entries).toBe(total);
    expect(all.report.files).toHaveLength(5);
  });

  it('accounts for every advisory id: emitted or skipped with a reason', () => {
    const memberIds = new Set(
      ECOSYSTEMS.flatMap((eco) =>
        sh(`unzip -Z1 ${q(zipOf(eco))}`)
          .split('\n')
          .filter((n) => n.endsWith('.json'))
          .map((n) => n.replace(/\.json$/, '')),
      ),
    );
    const emitted = new Set(advisories.map((a) => a.id));
    const skipped = new Set(all.report.skipped.map((s) => s.id));
    for (const id of memberIds) expect(emitted.has(id) || skipped.has(id), id).toBe(true);
    for (const id of emitted) expect(memberIds.has(id)).toBe(true);
  });

  it('flags exactly the withdrawn records (count from jq)', () => {
    const rawWithdrawn = ECOSYSTEMS.reduce(
      (sum, eco) =>
        sum + Number(sh(`unzip -p ${q(zipOf(eco))} '*.json' | jq -s '[.[] | select(.withdrawn)] | length'`)),
      0,
    );
    const flagged = new Set(advisories.filter((a) => a.withdrawn).map((a) => `${a.namespace}/${a.id}`));
    expect(rawWithdrawn).toBe(40); // README: PyPI 10, Go 17, crates.io 13
    expect(flagged.size).toBe(rawWithdrawn);
  });

  it('skips only records whose versions are not valid in their scheme, and says why', () => {
    for (const s of all.report.skipped) {
      expect(s.reason).toBe('unparsable-range');
      const version = /"([^"]+)"/.exec(s.detail ?? '')?.[1] ?? '';
      // Ground truth: Python's packaging rejects the version too.
      const verdict = sh(
        `/usr/bin/python3 -c 'import sys; from packaging.version import Version, InvalidVersion\ntry:\n Version(sys.argv[1]); print("valid")\nexcept InvalidVersion: print("invalid")' ${q(version)}`,
      );
      expect(verdict.trim(), version).toBe('invalid');
    }
  });

  it('normalizes fields exactly as in the raw records (every 97th member of each zip)', () => {
    const byKey = new Map(advisories.map((a) => [`${a.namespace}|${a.packageName}|${a.id}`, a]));
    let checked = 0;
    let vectorsChecked = 0;
    for (const eco of ECOSYSTEMS) {
      const names = sh(`unzip -Z1 ${q(zipOf(eco))}`)
        .split('\n')
        .filter((n) => n.endsWith('.json'));
      for (let i = 0; i < names.length; i += 97) {
        const raw = JSON.parse(sh(`unzip -p ${q(zipOf(eco))} ${q(names[i] as string)}`)) as RawOsv;
        const pyName = (n: string): string => (eco === 'PyPI' ? n.toLowerCase().replace(/[-_.]+/g, '-') : n);
        for (const affected of raw.affected ?? []) {
          if (!affected.package) continue;
          const key = `osv:${affected.package.ecosystem}|${pyName(affected.package.name)}|${raw.id}`;
          const a = byKey.get(key);
          if (!a) {
            expect(
              all.report.skipped.some((s) => s.id === raw.id),
              key,
            ).toBe(true);
            continue;
          }
          checked++;
          expect(a.aliases).toEqual((raw.aliases ?? []).filter((x) => x !== raw.id));
          expect(a.modified).toBe(raw.modified);
          expect(a.published).toBe(raw.published);
          expect(a.withdrawn).toBe(raw.withdrawn);
          const sameEntries = (raw.affected ?? []).filter(
            (x) =>
              x.package &&
              `osv:${x.package.ecosystem}|${pyName(x.package.name)}` === `${a.namespace}|${a.packageName}`,
          );
          const wanted = sameEntries.flatMap((x) => (x.ranges ?? []).filter((r) => r.type !== 'GIT'));
          expect(a.ranges).toEqual(wanted.map((r) => ({ type: r.type, events: r.events })));
          // Listed versions inside a range are dropped at import (versions-outside-ranges.ts).
          const listed = sameEntries.flatMap((x) => x.versions ?? []);
          expect(a.versions).toEqual(versionsOutsideRanges({ ...a, versions: listed }));
          expect(listed.filter((v) => a.versions.includes(v))).toEqual(a.versions);
          const fixed = sameEntries.flatMap((x) => [
            ...(x.ranges ?? [])
              .filter((r) => r.type !== 'GIT')
              .flatMap((r) => r.events.flatMap((e) => (e.fixed ? [e.fixed] : []))),
            ...(x.database_specific?.first_patched_version
              ? [x.database_specific.first_patched_version]
              : []),
          ]);
          expect(a.fixedVersions).toEqual([...new Set(fixed)]);
          expect(a.fixState).toBe(fixed.length > 0 ? 'fixed' : 'not-fixed');
          for (const sev of raw.severity ?? []) {
            vectorsChecked++;
            expect(a.severities).toContainEqual({ source: a.namespace, scheme: sev.type, vector: sev.score });
          }
          if (raw.database_specific?.severity) {
            expect(a.severities).toContainEqual({
              source: a.namespace,
              scheme: 'label',
              label: raw.database_specific.severity.toUpperCase(),
            });
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(150);
    expect(vectorsChecked).toBeGreaterThan(5);
  });

  it('maps each ecosystem to its namespace and version scheme', () => {
    const schemes = new Map(advisories.map((a) => [a.namespace, a.versionScheme]));
    expect(Object.fromEntries(schemes)).toEqual({
      'osv:PyPI': 'pep440',
      'osv:Go': 'go',
      'osv:npm': 'semver',
      'osv:RubyGems': 'gem',
      'osv:crates.io': 'semver',
    });
  });

  it('reports the newest modified date as the source version', () => {
    const newest = sh(
      `{ ${ECOSYSTEMS.map((eco) => `unzip -p ${q(zipOf(eco))} '*.json' | jq -r .modified`).join('; ')}; } | sort | tail -1`,
    ).trim();
    expect(all.result.sourceVersion).toBe(newest);
  });
});
