import { describe, it, expect } from 'vitest';
import { normalizeOsv } from './normalize.js';
import { osvRecord } from './schema.js';

const parse = (raw: unknown) => osvRecord.parse(raw);

describe('normalizeOsv', () => {
  it('merges entries for one package, splits namespaces, drops GIT ranges, keeps the first patched version', () => {
    const record = parse({
      id: 'GHSA-aaaa-bbbb-cccc',
      modified: '2024-05-01T00:00:00Z',
      published: '2024-04-01T00:00:00Z',
      aliases: ['CVE-2024-1111', 'GHSA-aaaa-bbbb-cccc'],
      summary: 'Prototype pollution',
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
      affected: [
        {
          package: { ecosystem: 'npm', name: 'Lodash.Merge' },
          ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '4.6.2' }] }],
        },
        {
          package: { ecosystem: 'npm', name: 'Lodash.Merge' },
          ranges: [{ type: 'SEMVER', events: [{ introduced: '5.0.0' }, { last_affected: '5.0.3' }] }],
          database_specific: { first_patched_version: '5.0.4' },
        },
        {
          package: { ecosystem: 'Debian:12', name: 'node-lodash' },
          ranges: [
            {
              type: 'GIT',
              repo: 'https://example.org/lodash',
              events: [{ introduced: '0' }, { fixed: 'abc123' }],
            },
            { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '4.17.21+dfsg-1' }] },
          ],
          versions: ['4.17.20+dfsg-1'],
        },
      ],
      references: [{ type: 'ADVISORY', url: 'https://github.com/advisories/GHSA-aaaa-bbbb-cccc' }],
      database_specific: { severity: 'high' },
    });
    const { advisories, problems } = normalizeOsv(record, 'all.zip!x.json');
    expect(problems).toEqual([]);
    expect(advisories.map((a) => [a.namespace, a.packageName, a.versionScheme])).toEqual([
      ['osv:npm', 'Lodash.Merge', 'semver'],
      ['debian:12', 'node-lodash', 'deb'],
    ]);
    const [npm, debian] = advisories;
    expect(npm?.aliases).toEqual(['CVE-2024-1111']);
    expect(npm?.ranges).toEqual([
      { type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '4.6.2' }] },
      { type: 'SEMVER', events: [{ introduced: '5.0.0' }, { last_affected: '5.0.3' }] },
    ]);
    expect(npm?.fixedVersions).toEqual(['4.6.2', '5.0.4']);
    expect(npm?.fixState).toBe('fixed');
    expect(npm?.severities).toEqual([
      { source: 'osv:npm', scheme: 'CVSS_V3', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' },
      { source: 'osv:npm', scheme: 'label', label: 'HIGH' },
    ]);
    expect(debian?.ranges).toEqual([
      { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '4.17.21+dfsg-1' }] },
    ]);
    expect(debian?.versions).toEqual(['4.17.20+dfsg-1']);
    expect(debian?.summary).toBe('Prototype pollution');
    expect(debian?.source).toEqual({
      driver: 'osv',
      file: 'all.zip!x.json',
      recordId: 'GHSA-aaaa-bbbb-cccc',
    });
  });

  it('normalizes PyPI names (PEP 503), reads rubysec scores, and falls back to the first line of details', () => {
    const { advisories } = normalizeOsv(
      parse({
        id: 'PYSEC-2024-1',
        modified: '2024-01-01T00:00:00Z',
        details: 'First line.\nMore text.',
        affected: [{ package: { ecosystem: 'PyPI', name: 'Zope.Interface' }, versions: ['1.0'] }],
        database_specific: { cvss_v3: 7.5 },
      }),
      'f',
    );
    expect(advisories[0]).toMatchObject({
      packageName: 'zope-interface',
      fixState: 'not-fixed',
      summary: 'First line.',
      severities: [{ source: 'osv:PyPI', scheme: 'CVSS_V3', score: 7.5 }],
    });
  });

  it('refuses to mix fixed and last_affected in one range', () => {
    const { advisories, problems } = normalizeOsv(
      parse({
        id: 'X-1',
        modified: '2024-01-01T00:00:00Z',
        affected: [
          {
            package: { ecosystem: 'crates.io', name: 'foo' },
            ranges: [
              {
                type: 'SEMVER',
                events: [{ introduced: '0' }, { fixed: '1.0.0' }, { last_affected: '2.0.0' }],
              },
            ],
          },
        ],
      }),
      'f',
    );
    expect(advisories).toEqual([]);
    expect(problems).toEqual([
      { reason: 'unparsable-range', detail: 'foo: fixed and last_affected mixed in one range' },
    ]);
  });
});
