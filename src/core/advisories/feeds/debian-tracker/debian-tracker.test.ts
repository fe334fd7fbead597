import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, expect, afterAll } from 'vitest';
import { isPortcullisError } from '../../../errors.js';
import { debianTrackerDriver } from './index.js';
import { advisoriesOf, collect, dataPath, q, sh, tempDir } from '../../test-support/feed-data.js';

type RawRelease = { status: string; fixed_version?: string; urgency?: string; nodsa?: string };
type RawTracker = Record<string, Record<string, { releases: Record<string, RawRelease> | [] }>>;

const readRaw = (file: string): RawTracker => JSON.parse(readFileSync(file, 'utf8')) as RawTracker;

describe('debian-tracker driver on the real bookworm data', () => {
  it('emits one record per (source package, CVE, release): counts from jq', async () => {
    const file = dataPath('debian', 'tracker.json');
    const { records, report } = await collect(debianTrackerDriver, { dir: dataPath('debian') });
    const packages = Number(sh(`jq 'keys | length' ${q(file)}`));
    const entries = Number(sh(`jq '[.[] | .[] | .releases | length] | add' ${q(file)}`));
    expect(packages).toBe(74); // README
    expect(entries).toBe(1304); // README
    expect(report.entries).toBe(entries);
    expect(report.records).toBe(entries);
    expect(report.skipped).toEqual([]);
    const advisories = advisoriesOf(records);
    expect(new Set(advisories.map((a) => a.packageName)).size).toBe(packages);
  });

  it('keeps every field of every record equal to the raw entry', async () => {
    const raw = readRaw(dataPath('debian', 'tracker.json'));
    const { records } = await collect(debianTrackerDriver, { file: dataPath('debian', 'tracker.json') });
    const byKey = new Map(advisoriesOf(records).map((a) => [a.source.recordId, a]));
    for (const [pkg, cves] of Object.entries(raw)) {
      for (const [cve, entry] of Object.entries(cves)) {
        for (const [codename, release] of Object.entries(entry.releases)) {
          const a = byKey.get(`${pkg}/${cve}/${codename}`);
          expect(a, `${pkg}/${cve}`).toBeDefined();
          expect(a?.namespace).toBe('debian:12');
          expect(a?.id).toBe(cve);
          expect(a?.packageName).toBe(pkg);
          expect(a?.versionScheme).toBe('deb');
          expect(a?.fixState).toBe('fixed');
          expect(a?.fixedVersions).toEqual([release.fixed_version]);
          expect(a?.ranges).toEqual([
            { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: release.fixed_version }] },
          ]);
          expect(a?.urgency).toBe(release.urgency);
        }
      }
    }
  });

  it('reads the real tracker sample: statuses, urgencies, fixed_version 0 and the "releases": [] quirk', async () => {
    const file = dataPath('debian', 'tracker-sample.json');
    const raw = readRaw(file);
    const { records, report } = await collect(debianTrackerDriver, { file });
    const advisories = advisoriesOf(records);
    const emptyReleases = Object.values(raw).flatMap((c) =>
      Object.values(c).filter((e) => Array.isArray(e.releases)),
    );
    expect(emptyReleases.length).toBeGreaterThan(0);
    expect(report.skippedByReason).toEqual({ 'empty-releases': emptyReleases.length });
    const kinds = new Set(advisories.map((a) => (a.notAffected ? 'not-affected' : a.fixState)));
    // The sample's open entries are all end-of-life, hence wont-fix (checked per record below).
    expect([...kinds].sort()).toEqual(['fixed', 'not-affected', 'wont-fix']);
    expect(advisories.some((a) => a.flags?.urgencyFromNvd)).toBe(true);
    const codenameVersion: Record<string, string> = {
      jessie: '8',
      stretch: '9',
      buster: '10',
      bullseye: '11',
      bookworm: '12',
      trixie: '13',
      sid: 'unstable',
    };
    for (const [pkg, cves] of Object.entries(raw)) {
      for (const [cve, entry] of Object.entries(cves)) {
        if (Array.isArray(entry.releases)) continue;
        for (const [codename, release] of Object.entries(entry.releases)) {
          const a = advisories.find((x) => x.source.recordId === `${pkg}/${cve}/${codename}`);
          expect(a?.namespace).toBe(`debian:${codenameVersion[codename]}`);
          const urgency = release.urgency ?? '';
          expect(a?.urgency).toBe(urgency.replace(/\*+$/, ''));
          expect(a?.flags?.urgencyFromNvd ?? false).toBe(urgency.endsWith('**'));
          if (release.status === 'resolved' && release.fixed_version === '0') {
            expect(a?.notAffected).toBe(true);
            expect(a?.ranges).toEqual([]);
          } else if (release.status === 'resolved') {
            expect(a?.fixedVersions).toEqual([release.fixed_version]);
          } else if (release.status === 'open') {
            const wontFix =
              urgency === 'unimportant' || urgency === 'end-of-life' || release.nodsa !== undefined;
            expect(a?.fixState).toBe(wontFix ? 'wont-fix' : 'not-fixed');
            expect(a?.ranges).toEqual([{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }]);
          }
          if (urgency === 'end-of-life') expect(a?.flags?.endOfLife).toBe(true);
        }
      }
    }
  });
});

describe('debian-tracker driver: bad and unusual input', () => {
  const tmp = tempDir('debian-bad');
  afterAll(() => tmp.cleanup());

  it('handles nodsa, undetermined, unknown releases, bad versions and malformed entries', async () => {
    const file = join(tmp.path, 'tracker.json');
    writeFileSync(
      file,
      JSON.stringify({
        openssl: {
          'CVE-2024-0001': {
            releases: {
              bookworm: { status: 'open', urgency: 'low', nodsa: 'Minor issue', nodsa_reason: 'postponed' },
            },
          },
          'CVE-2024-0002': {
            releases: { bookworm: { status: 'undetermined', urgency: 'not yet assigned' } },
          },
          'CVE-2024-0003': { releases: { hamm: { status: 'resolved', fixed_version: '1.0-1' } } },
          'CVE-2024-0004': {
            releases: { bookworm: { status: 'resolved', fixed_version: 'not a version!' } },
          },
          'CVE-2024-0005': { releases: { bookworm: { status: 'weird' } } },
          'CVE-2024-0006': { releases: { bookworm: { status: 'resolved', urgency: 'medium' } } },
          'CVE-2024-0007': 'not an object',
          'CVE-2024-0008': {
            releases: { trixie: { status: 'resolved', fixed_version: '1:3.0.2-1~deb13u1', urgency: 'high' } },
          },
        },
      }),
    );
    // Ground truth for the version syntax: dpkg itself.
    expect(() => sh(`dpkg --validate-version ${q('not a version!')}`)).toThrow();
    sh(`dpkg --validate-version ${q('1:3.0.2-1~deb13u1')}`);
    const { records, report } = await collect(debianTrackerDriver, { file });
    const advisories = advisoriesOf(records);
    expect(advisories.map((a) => a.id)).toEqual(['CVE-2024-0001', 'CVE-2024-0002', 'CVE-2024-0008']);
    expect(advisories[0]).toMatchObject({
      fixState: 'wont-fix',
      flags: { nodsa: 'Minor issue', nodsaReason: 'postponed' },
    });
    expect(advisories[1]).toMatchObject({
      fixState: 'unknown',
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }],
    });
    expect(advisories[2]).toMatchObject({
      namespace: 'debian:13',
      fixedVersions: ['1:3.0.2-1~deb13u1'],
      severities: [{ source: 'debian', scheme: 'label', label: 'HIGH' }],
    });
    expect(report.skippedByReason).toEqual({
      'unknown-release': 1,
      'unparsable-version': 1,
      'malformed-record': 3,
    });
  });

  it('rejects a document that is not a tracker with FEED_CORRUPT', async () => {
    const file = join(tmp.path, 'list.json');
    writeFileSync(file, '[1, 2, 3]');
    const error = await collect(debianTrackerDriver, { file }).catch((e: unknown) => e);
    expect(isPortcullisError(error, 'FEED_CORRUPT')).toBe(true);
    expect((error as Error).message).toContain(file);
  });

  it('rejects truncated JSON with FEED_CORRUPT', async () => {
    const file = join(tmp.path, 'cut.json');
    const whole = readFileSync(dataPath('debian', 'tracker.json'));
    writeFileSync(file, whole.subarray(0, whole.length / 2));
    const error = await collect(debianTrackerDriver, { file }).catch((e: unknown) => e);
    expect(isPortcullisError(error, 'FEED_CORRUPT')).toBe(true);
  });
});
