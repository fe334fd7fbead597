/**
 * `findingRowsDelta` (the index rows a re-match rewrites): applied to the rows of the findings
 * before, it gives exactly the rows of the findings after, and it touches only keys whose rows
 * changed, whatever the lists: kept objects, equal copies, duplicates under one key, changes.
 */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../core/matching/types.js';
import { prng } from '../test-support/monitor-fleet.js';
import { bareFinding } from '../test-support/synthetic-analysis.js';
import { findingRows, findingRowsDelta } from './image-index.js';

const DIGEST = `sha256:${'e'.repeat(64)}`;

type Row = Record<string, unknown>;
const keyOf = (r: Row) => JSON.stringify([r.d, r.v, r.pn, r.pv, r.pt, r.pp ?? null]);
const sorted = (rows: readonly object[]) => rows.map((r) => JSON.stringify(r)).sort();

function finding(random: () => number): Finding {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const path = pick([undefined, '/var/lib/dpkg/status', '']);
  return bareFinding({
    id: `CVE-2099-${Math.floor(random() * 4)}`,
    name: pick(['libssl3', 'zlib1g', 'curl']),
    version: pick(['1.0-1', '2.0-1']),
    severity: pick(['Low', 'High', 'Critical'] as const),
    fixed: random() < 0.5 ? ['9.0-1'] : [],
    aliases: random() < 0.3 ? ['GHSA-xxxx-yyyy-zzzz'] : [],
    ...(path === undefined ? {} : { path }),
    origin: pick(['base', 'app'] as const),
  });
}

describe('findingRowsDelta', () => {
  it('turns the rows of the findings before into those after, touching only changed keys', () => {
    const random = prng(11);
    let changed = 0;
    let untouched = 0;
    for (let round = 0; round < 2000; round++) {
      const before = Array.from({ length: Math.floor(random() * 10) }, () => finding(random));
      // Kept objects, equal copies of some (a re-match makes them afresh), new ones.
      const after: Finding[] = [];
      for (const f of before) {
        const r = random();
        if (r < 0.5) after.push(f);
        else if (r < 0.8) after.push(structuredClone(f));
        else if (r < 0.9) after.push(finding(random));
      }
      if (random() < 0.3) after.push(finding(random));
      const delta = findingRowsDelta(DIGEST, before, after);
      const dropped = new Set(delta.drop.map((k) => keyOf(k)));
      const applied = [
        ...(findingRows(DIGEST, before) as Row[]).filter((r) => !dropped.has(keyOf(r))),
        ...delta.add,
      ];
      expect(sorted(applied), `round ${round}`).toEqual(sorted(findingRows(DIGEST, after)));
      // Minimal: a key is rewritten only when its rows differ.
      const rowsOf = (findings: readonly Finding[], key: string) =>
        sorted((findingRows(DIGEST, findings) as Row[]).filter((r) => keyOf(r) === key));
      for (const key of new Set([...dropped, ...(delta.add as Row[]).map(keyOf)]))
        expect(rowsOf(before, key), `round ${round}`).not.toEqual(rowsOf(after, key));
      if (delta.add.length + delta.drop.length > 0) changed++;
      else untouched++;
    }
    expect(changed).toBeGreaterThan(500);
    expect(untouched).toBeGreaterThan(100);
  });
});
