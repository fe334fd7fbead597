/**
 * Synthetic feed generations for the store's concurrency tests and benchmark: generation `g`
 * of source `test-feed` holds `perKey(g)` advisories for each of 100 packages, every one tagged
 * with its generation in `summary`, so a reader can tell whether it saw one whole generation.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Advisory, MatchedAdvisory } from '../../core/advisories/model.js';
import type { Producer } from '../feed-import.js';

export const GENERATION_SOURCE = 'test-feed';
export const GENERATION_KEYS = Array.from({ length: 100 }, (_, i) => ({
  namespace: 'osv:npm',
  packageName: `generation-probe-${i}`,
}));
export const perKey = (generation: number): number => 2 + (generation % 3);

function advisory(generation: number, key: (typeof GENERATION_KEYS)[number], n: number): Advisory {
  return {
    id: `GEN-${key.packageName}-${n}`,
    aliases: [`CVE-2099-${generation}${n}`],
    namespace: key.namespace,
    packageName: key.packageName,
    versionScheme: 'semver',
    ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: `${generation}.0.0` }] }],
    versions: [],
    fixedVersions: [`${generation}.0.0`],
    fixState: 'fixed',
    severities: [],
    summary: `generation ${generation}`,
    references: [],
    source: { driver: GENERATION_SOURCE, file: 'synthetic', recordId: `${n}` },
  };
}

/** A producer of generation `g` that pauses `pauseMs` after every 10 records (a slow feed). */
export function generation(g: number, pauseMs = 0): Producer {
  return async (sink) => {
    let emitted = 0;
    for (const key of GENERATION_KEYS) {
      for (let n = 0; n < perKey(g); n++) {
        await sink({ kind: 'advisory', advisory: advisory(g, key, n) });
        if (++emitted % 10 === 0 && pauseMs > 0) await sleep(pauseMs);
      }
    }
    return {
      freshness: {
        driver: GENERATION_SOURCE,
        lastSync: new Date().toISOString(),
        records: emitted,
        sourceVersion: `generation ${g}`,
        changed: true,
      },
    };
  };
}

/** Which single generation a read saw, or why it is not one whole generation. */
export function wholeGeneration(advisories: readonly MatchedAdvisory[]): number | string {
  const tags = new Set(advisories.map((a) => a.summary));
  if (tags.size !== 1) return `mixed generations: ${[...tags].join(', ')}`;
  const g = Number(/generation (\d+)/.exec([...tags][0] ?? '')?.[1]);
  const expected = perKey(g) * GENERATION_KEYS.length;
  return advisories.length === expected
    ? g
    : `generation ${g} with ${advisories.length} of ${expected} advisories`;
}
