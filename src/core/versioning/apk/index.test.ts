/**
 * apk has no reference tool on Debian (apk-tools is Alpine's), so beyond the literal table the
 * ordering is checked for the properties of a total order on 3,000 generated versions.
 */
import { describe, expect, it } from 'vitest';
import { checkTable } from '../test-support/check-table.js';
import { Prng } from '../test-support/prng.js';
import { apk } from './index.js';
import { APK_TABLE } from './table.js';

checkTable(apk, APK_TABLE);

function generate(rng: Prng): string {
  let v = Array.from({ length: rng.int(1, 4) }, () => rng.number()).join('.');
  if (rng.chance(0.2)) v += rng.pick(['a', 'b', 'z']);
  for (let n = rng.chance(0.4) ? rng.int(1, 2) : 0; n > 0; n--) {
    v += `_${rng.pick(['alpha', 'beta', 'pre', 'rc', 'cvs', 'svn', 'git', 'hg', 'p'])}${rng.chance(0.6) ? rng.number() : ''}`;
  }
  if (rng.chance(0.6)) v += `-r${rng.number()}`;
  return v;
}

describe('apk ordering properties', () => {
  const rng = new Prng(0x5eed_a9c);
  const values = Array.from({ length: 3_000 }, () => generate(rng));

  it('accepts every generated version', () => {
    expect(values.filter((v) => !apk.isValid(v))).toEqual([]);
  });

  it('is antisymmetric and sorts consistently (every later element is >= every earlier one)', () => {
    const sorted = [...values].sort(apk.compare);
    for (let i = 0; i + 1 < sorted.length; i++) {
      const [a, b] = [sorted[i] as string, sorted[i + 1] as string];
      expect(apk.compare(a, b)).toBeLessThanOrEqual(0);
      expect(Math.sign(apk.compare(b, a))).toBe(-Math.sign(apk.compare(a, b)) || 0);
    }
    // A transitivity violation would show up as a later element ordered below an earlier one.
    for (let n = 0; n < 20_000; n++) {
      const i = rng.int(0, sorted.length - 1);
      const j = rng.int(i, sorted.length - 1);
      expect(apk.compare(sorted[i] as string, sorted[j] as string)).toBeLessThanOrEqual(0);
    }
  });

  it('orders the documented suffix ladder for any base version', () => {
    const ladder = ['_alpha', '_beta', '_pre', '_rc', '', '_cvs', '_svn', '_git', '_hg', '_p'];
    for (let n = 0; n < 200; n++) {
      const base = Array.from({ length: rng.int(1, 3) }, () => String(rng.int(1, 40))).join('.');
      for (let k = 0; k + 1 < ladder.length; k++) {
        expect(apk.compare(`${base}${ladder[k]}`, `${base}${ladder[k + 1]}`)).toBeLessThan(0);
      }
    }
  });
});
