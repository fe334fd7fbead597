/**
 * OSV event evaluation on npm versions against `semver.satisfies` of the equivalent npm range
 * string (with includePrerelease, since OSV ranges are pure version ordering).
 */
import semverLib from 'semver';
import { describe, expect, it } from 'vitest';
import { isAffected } from '../osv-events.js';
import { Prng } from '../test-support/prng.js';
import { describeMismatches } from '../test-support/reference.js';
import type { OsvEvent } from '../types.js';
import { semver } from './index.js';

function version(rng: Prng): string {
  const core = [rng.int(0, 4), rng.int(0, 4), rng.int(0, 4)].join('.');
  const pre = rng.chance(0.25)
    ? `-${rng.pick(['alpha', 'beta', 'rc', '0', '1', 'alpha.1', 'beta.2', 'rc.10'])}`
    : '';
  const build = rng.chance(0.05) ? '+build.7' : '';
  return core + pre + build;
}

/** Sorted distinct boundaries, alternating introduced / fixed-or-last_affected, like real OSV ranges. */
function range(rng: Prng): { events: OsvEvent[]; npm: string } {
  const bounds = [
    ...new Set(Array.from({ length: rng.int(1, 6) }, () => version(rng).replace(/\+.*/, ''))),
  ].sort(semverLib.compare);
  const events: OsvEvent[] = [];
  const clauses: string[] = [];
  let i = 0;
  /** Appends the closing event; true when it is `fixed` (exclusive), false for `last_affected`. */
  const close = (end: string, fixed: boolean): boolean => {
    events.push(fixed ? { fixed: end } : { last_affected: end });
    return fixed;
  };
  if (rng.chance(0.3)) {
    events.push({ introduced: '0' });
    const end = bounds[i++];
    if (end === undefined) clauses.push('*');
    else clauses.push(close(end, rng.chance(0.5)) ? `<${end}` : `<=${end}`);
  }
  while (i < bounds.length) {
    const start = bounds[i++] as string;
    events.push({ introduced: start });
    const end = bounds[i++];
    if (end === undefined) clauses.push(`>=${start}`);
    else clauses.push(close(end, rng.chance(0.6)) ? `>=${start} <${end}` : `>=${start} <=${end}`);
  }
  let npm = clauses.join(' || ');
  if (rng.chance(0.15)) {
    const limit = version(rng).replace(/\+.*/, '');
    events.push({ limit });
    npm = clauses.map((c) => `${c === '*' ? '' : c} <${limit}`.trim()).join(' || ');
  }
  // OSV does not require events in order; shuffle to exercise the sort.
  events.sort(() => rng.next() - 0.5);
  return { events, npm };
}

// What String.prototype.trim, and so semver.valid, removes; plus characters it keeps.
const TRIMMED = [' ', '\t', '\n', '\r', '\v', '\f', '\u00a0', '\u2003', '\u3000', '\ufeff', '\u2028'];
const KEPT = ['\u0000', '\u200b', '\u0085', '_'];

describe('semver leniency, against semver.valid and semver.compare', () => {
  it('accepts exactly what semver.valid accepts around a version, ordered by semver.compare', () => {
    const rng = new Prng(0x5eed_7717);
    const cases = Array.from({ length: 3_000 }, () => {
      const pad = (): string =>
        Array.from({ length: rng.int(0, 2) }, () => rng.pick(rng.chance(0.8) ? TRIMMED : KEPT)).join('');
      return [pad() + version(rng) + pad(), version(rng)] as const;
    });
    const mismatches = cases
      .map(([padded, other]) => {
        const valid = semverLib.valid(padded) !== null;
        const order = valid ? semverLib.compare(padded, other) : undefined;
        const ours = semver.isValid(padded) ? Math.sign(semver.compare(padded, other)) : undefined;
        return { padded, other, ours, semver: order };
      })
      .filter((m) => m.ours !== m.semver);
    expect(cases.filter(([p]) => p !== p.trim() && semver.isValid(p)).length).toBeGreaterThan(1_000);
    expect(cases.filter(([p]) => !semver.isValid(p)).length).toBeGreaterThan(100);
    expect(mismatches, describeMismatches(mismatches)).toEqual([]);
  });
});

describe('OSV events on semver, against semver.satisfies', () => {
  it('agrees on 12,000 (version, range) cases', () => {
    const rng = new Prng(0x05f0_1234);
    let affectedCount = 0;
    const mismatches: unknown[] = [];
    for (let n = 0; n < 12_000; n++) {
      const v = version(rng);
      const { events, npm } = range(rng);
      const ours = isAffected(semver, v, events);
      const reference = semverLib.satisfies(v, npm, { includePrerelease: true });
      if (ours) affectedCount++;
      if (ours !== reference) mismatches.push({ v, events, npm, ours, reference });
    }
    expect(mismatches, describeMismatches(mismatches)).toEqual([]);
    // Both outcomes must be well represented or the agreement means little.
    expect(affectedCount).toBeGreaterThan(2_000);
    expect(affectedCount).toBeLessThan(10_000);
  });
});
