/**
 * NuGet has no reference implementation on the test machine (NuGet.Versioning needs .NET, which
 * Debian does not ship), so these vectors are built from NuGet's documented rules, not produced
 * by NuGet itself; the literal table says where each rule comes from.
 */
import { describe, expect, it } from 'vitest';
import { checkTable } from '../test-support/check-table.js';
import { Prng } from '../test-support/prng.js';
import { nuget, parseNuGet } from './index.js';
import { NUGET_TABLE } from './table.js';

checkTable(nuget, NUGET_TABLE);

describe('nuget parsing', () => {
  it('reads four parts, labels and metadata', () => {
    expect(parseNuGet('1.2.3.4-beta.1+sha.5')).toEqual({
      parts: [1n, 2n, 3n, 4n],
      labels: ['beta', '1'],
      metadata: 'sha.5',
    });
    expect(parseNuGet('6')).toEqual({ parts: [6n, 0n, 0n, 0n], labels: [] });
  });

  it('splits at the first "-": later dashes belong to the labels', () => {
    expect(parseNuGet('1.0.0-beta-2-final')?.labels).toEqual(['beta-2-final']);
  });
});

describe('nuget normalization', () => {
  // The documented normal form: leading zeros dropped, a zero fourth part omitted, metadata off.
  const normalForm = (v: string): string => {
    const p = parseNuGet(v);
    if (p === undefined) throw new Error(`not a version: ${v}`);
    const parts = p.parts[3] === 0n ? p.parts.slice(0, 3) : p.parts;
    return parts.join('.') + (p.labels.length > 0 ? `-${p.labels.join('.')}` : '');
  };

  it('compares every generated version equal to its normal form and above its pre-releases', () => {
    const rng = new Prng(0x5eed_0e70);
    for (let n = 0; n < 2_000; n++) {
      const parts = Array.from({ length: rng.int(1, 4) }, () => rng.number().slice(0, 9));
      const labels = rng.chance(0.5)
        ? `-${Array.from({ length: rng.int(1, 3) }, () => rng.pick(['alpha', 'Beta', 'rc', '1', '22', 'x-y'])).join('.')}`
        : '';
      const meta = rng.chance(0.2) ? '+build.7' : '';
      const version = parts.join('.') + labels + meta;
      expect(nuget.isValid(version)).toBe(true);
      expect(nuget.compare(version, normalForm(version))).toBe(0);
      if (labels !== '') expect(nuget.compare(version, parts.join('.'))).toBeLessThan(0);
    }
  });
});
