/**
 * The finding index rows a re-match rewrites (issue 13): only those under keys whose rows
 * changed, and under such a key every row the new set has, so duplicates stay exact.
 */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../core/matching/types.js';
import { syntheticAnalysis } from '../test-support/synthetic-analysis.js';
import { findingRows, findingRowsDelta } from './image-index.js';

const D = `sha256:${'a'.repeat(64)}`;
const SSL = { name: 'libssl3', version: '3.0.11-1~deb12u2', source: 'openssl' };
const ZLIB = { name: 'zlib1g', version: '1:1.2.13.dfsg-1', source: 'zlib' };
const [ssl, zlib] = syntheticAnalysis(
  D,
  [SSL, ZLIB],
  [
    { id: 'CVE-2099-0001', package: 'libssl3' },
    { id: 'CVE-2099-0002', package: 'zlib1g' },
  ],
).findings as Finding[];

describe('findingRowsDelta', () => {
  it('writes nothing for the same findings, kept or copied', () => {
    expect(findingRowsDelta(D, [ssl!, zlib!], [zlib!, ssl!])).toEqual({ drop: [], add: [] });
    expect(findingRowsDelta(D, [ssl!, zlib!], [{ ...ssl! }, structuredClone(zlib!)])).toEqual({
      drop: [],
      add: [],
    });
  });

  it('drops removed and changed keys and inserts the new rows under them only', () => {
    const added = { ...ssl!, id: 'CVE-2099-0003' };
    const changed = { ...zlib!, severity: 'Low' as const };
    const delta = findingRowsDelta(D, [ssl!, zlib!], [changed, added]);
    const key = (f: Finding) => ({
      d: D,
      v: f.id,
      pn: f.package.name,
      pv: f.package.version,
      pt: f.package.type,
      pp: null,
    });
    expect(delta.drop).toEqual(expect.arrayContaining([key(ssl!), key(zlib!)]));
    expect(delta.drop).toHaveLength(2);
    expect(delta.add).toEqual(expect.arrayContaining(findingRows(D, [changed, added])));
    expect(delta.add).toHaveLength(2);
  });

  it('rewrites every row under a key when one of its duplicates changes', () => {
    const twin = { ...ssl!, fixedVersions: ['3.0.12-1'], fixState: 'fixed' as const };
    const delta = findingRowsDelta(
      D,
      [ssl!, twin, zlib!],
      [ssl!, { ...twin, severity: 'Critical' as const }, zlib!],
    );
    expect(delta.drop).toHaveLength(1);
    expect(delta.add).toEqual(findingRows(D, [ssl!, { ...twin, severity: 'Critical' as const }]));
  });
});
