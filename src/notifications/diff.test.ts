/**
 * `diffFindings` keys only the findings that can differ (ADR 0043); its answer must be the one
 * of keying both whole lists, whatever the lists: kept objects in or out of order, duplicates,
 * a kept finding sharing its key with a new one.
 */
import { describe, expect, it } from 'vitest';
import { prng } from '../store/test-support/monitor-fleet.js';
import { bareFinding } from '../store/test-support/synthetic-analysis.js';
import type { Finding } from '../core/matching/types.js';
import { diffFindings, toRow, type FindingsDiff } from './diff.js';

/** The definition: both whole lists keyed, the last finding of a key standing for it. */
function reference(before: readonly Finding[], after: readonly Finding[]): FindingsDiff {
  const key = (f: Finding) => `${f.id}\u0000${f.package.name}\u0000${f.package.version}`;
  const fix = (f: Finding) => f.fixedVersions.join(',') || 'None';
  const old = new Map(before.map((f) => [key(f), f]));
  const now = new Map(after.map((f) => [key(f), f]));
  const diff: FindingsDiff = { added: [], updated: [], removed: [] };
  for (const [k, f] of now) {
    const p = old.get(k);
    if (!p) diff.added.push(toRow(f));
    else if (
      p.severity !== f.severity ||
      fix(p) !== fix(f) ||
      (p.suppressed === undefined) !== (f.suppressed === undefined)
    )
      diff.updated.push(toRow(f));
  }
  for (const [k, f] of old) if (!now.has(k)) diff.removed.push(toRow(f));
  return diff;
}

const finding = (id: string, name: string, version: string, severity: Finding['severity'], fixed: string[]) =>
  bareFinding({ id, name, version, severity, fixed });

describe('diffFindings', () => {
  it('gives the diff of the whole lists for random re-matches', () => {
    const random = prng(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const severities = ['Low', 'Medium', 'High', 'Critical'] as const;
    const fresh = () =>
      finding(
        `CVE-2099-${Math.floor(random() * 6)}`,
        pick(['libssl3', 'zlib1g', 'curl', 'bash']),
        pick(['1.0-1', '2.0-1']),
        pick(severities),
        random() < 0.5 ? [] : ['9.0-1'],
      );
    let nonEmpty = 0;
    let shortcut = 0;
    for (let round = 0; round < 2000; round++) {
      const before = Array.from({ length: Math.floor(random() * 12) }, fresh);
      // A re-match keeps some findings as the same objects and makes others afresh; some
      // rounds reorder, duplicate or drop kept ones, which the shortcut must notice.
      let after: Finding[] = before.filter(() => random() < 0.7);
      if (random() < 0.3) for (let i = 0; i < Math.floor(random() * 4); i++) after.push(fresh());
      if (random() < 0.2) after.push({ ...pick(before.length ? before : [fresh()]) });
      if (random() < 0.1 && after.length > 1) after = [...after].reverse();
      if (random() < 0.1 && after.length > 0) after.push(after[0]!);
      if (random() < 0.3) after.splice(Math.floor(random() * (after.length + 1)), 0, fresh());
      const got = diffFindings(before, after);
      expect(JSON.stringify(got), `round ${round}`).toBe(JSON.stringify(reference(before, after)));
      if (got.added.length + got.updated.length + got.removed.length > 0) nonEmpty++;
      if (after.length > 0 && after.every((f) => before.includes(f))) shortcut++;
    }
    // The rounds cover both answers and lists with nothing new.
    expect(nonEmpty).toBeGreaterThan(500);
    expect(shortcut).toBeGreaterThan(200);
  });

  it('reports a kept finding whose key a new finding of the same package shares', () => {
    const kept = finding('CVE-2099-1', 'curl', '1.0-1', 'High', []);
    const twin = finding('CVE-2099-1', 'curl', '1.0-1', 'Critical', ['9.0-1']);
    const before = [kept];
    const after = [kept, twin];
    expect(diffFindings(before, after)).toEqual(reference(before, after));
    expect(diffFindings(before, after).updated.map((r) => r.severity)).toEqual(['Critical']);
  });
});
