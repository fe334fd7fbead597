import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED_DATA } from '../../../test/support/shared-data.js';
import { decide } from '../matching/affected.js';
import { normalizeOsv } from './feeds/osv/normalize.js';
import { osvRecord } from './feeds/osv/schema.js';
import { forEachZipMember } from './io/zip-entries.js';
import type { Advisory } from './model.js';
import { versionsOutsideRanges } from './versions-outside-ranges.js';

function advisory(overrides: Partial<Advisory>): Advisory {
  return {
    id: 'PYSEC-0000-1',
    aliases: [],
    namespace: 'osv:PyPI',
    packageName: 'demo',
    versionScheme: 'pep440',
    ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '1.0' }, { fixed: '1.2' }] }],
    versions: [],
    fixedVersions: ['1.2'],
    fixState: 'fixed',
    severities: [],
    references: [],
    source: { driver: 'osv', file: 'test', recordId: 'PYSEC-0000-1' },
    ...overrides,
  };
}

describe('versionsOutsideRanges', () => {
  it('drops listed versions a range of the same scheme covers, keeps the rest in order', () => {
    const a = advisory({ versions: ['1.0', '0.9', '1.1', 'not a version', '1.1.post1', '2.0'] });
    expect(versionsOutsideRanges(a)).toEqual(['0.9', 'not a version', '2.0']);
  });

  it('keeps every version when the only ranges are SEMVER under another scheme (Go)', () => {
    const a = advisory({
      namespace: 'osv:Go',
      versionScheme: 'go',
      ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.6.0' }] }],
      versions: ['v1.5.0'],
    });
    expect(versionsOutsideRanges(a)).toEqual(['v1.5.0']);
  });

  it('keeps the list of an advisory without ranges', () => {
    const a = advisory({ ranges: [], versions: ['1.0'] });
    expect(versionsOutsideRanges(a)).toEqual(['1.0']);
  });
});

/** Every OSV advisory with a version list in the shared snapshot, as normalized (list intact). */
async function listedAdvisories(): Promise<Advisory[]> {
  const out: Advisory[] = [];
  const osv = join(SHARED_DATA, 'osv');
  for (const ecosystem of readdirSync(osv)) {
    await forEachZipMember(join(osv, ecosystem, 'all.zip'), (member) => {
      if (member.contents === null || !member.name.endsWith('.json')) return;
      const parsed = osvRecord.safeParse(JSON.parse(member.contents.toString('utf8')));
      if (!parsed.success) return;
      for (const a of normalizeOsv(parsed.data, member.name).advisories) if (a.versions.length) out.push(a);
    });
  }
  return out;
}

describe('versionsOutsideRanges on the shared OSV snapshot', () => {
  it('changes no match decision: listed versions, fixed versions, range bounds and neighbours', async () => {
    const advisories = await listedAdvisories();
    expect(advisories.length).toBeGreaterThan(1000);
    let dropped = 0;
    let compared = 0;
    for (const original of advisories) {
      const slim = { ...original, versions: versionsOutsideRanges(original) };
      dropped += original.versions.length - slim.versions.length;
      const bounds = original.ranges.flatMap((r) => r.events.flatMap((e) => Object.values(e) as string[]));
      const candidates = new Set([
        ...original.versions,
        ...original.fixedVersions,
        ...bounds,
        // Spellings that compare equal to a listed version without being it.
        ...original.versions.flatMap((v) => [`${v}.0`, `v${v}`, v.toUpperCase()]),
      ]);
      for (const version of candidates) {
        compared++;
        expect(decide(slim, version).affected, `${original.id} ${original.packageName} ${version}`).toBe(
          decide(original, version).affected,
        );
      }
    }
    // The point of it: nearly every listed version lay inside a range.
    expect(dropped).toBeGreaterThan(100_000);
    expect(compared).toBeGreaterThan(400_000);
  }, 120_000);
});
