/**
 * Decides whether one advisory covers one installed version, and says why: the explicit
 * version or the range that contains it, and the scheme that ordered the versions.
 */
import type { AffectedRange, MatchedAdvisory } from '../advisories/model.js';
import { isSchemeId, schemeFor } from '../versioning/registry.js';
import { isAffected } from '../versioning/osv-events.js';
import type { VersionScheme } from '../versioning/types.js';

export type AffectedDecision =
  | { affected: true; range?: AffectedRange; matchedVersion?: string; scheme: string }
  | { affected: false; reason?: 'not-affected' | 'outside-ranges' }
  | { affected: false; reason: 'no-scheme' | 'invalid-version'; detail: string };

type SchemeLookup = (id: string) => VersionScheme | string;

const plainScheme: SchemeLookup = (id) => (isSchemeId(id) ? schemeFor(id) : id);

function schemeOf(
  advisory: MatchedAdvisory,
  range: AffectedRange | undefined,
  lookup: SchemeLookup,
): VersionScheme | string {
  return lookup(range?.type === 'SEMVER' ? 'semver' : advisory.versionScheme);
}

/**
 * A scheme whose answers are remembered: within one match the same few installed versions are
 * compared with the same range bounds over and over (a source package's binaries, advisories
 * of one package sharing their fixed versions), and comparing parses both sides every time.
 * Comparisons are pure, so remembering them changes no result; errors are not remembered.
 */
function memoized(scheme: VersionScheme): VersionScheme {
  const valid = new Map<string, boolean>();
  // Nested by the first version, not keyed by a joined string: a hit then allocates nothing.
  const compared = new Map<string, Map<string, number>>();
  return {
    ...scheme,
    isValid(version) {
      let answer = valid.get(version);
      if (answer === undefined) valid.set(version, (answer = scheme.isValid(version)));
      return answer;
    },
    compare(a, b) {
      let byB = compared.get(a);
      if (byB === undefined) compared.set(a, (byB = new Map()));
      let answer = byB.get(b);
      if (answer === undefined) byB.set(b, (answer = scheme.compare(a, b)));
      return answer;
    },
  };
}

export type Decide = (advisory: MatchedAdvisory, version: string) => AffectedDecision;

/**
 * A `decide` for one match run: it remembers comparisons, and the decision for an advisory and
 * an installed version (the binaries of one source package share both).
 */
export function memoizedDecide(): Decide {
  const schemes = new Map<string, VersionScheme | string>();
  const lookup: SchemeLookup = (id) => {
    let scheme = schemes.get(id);
    if (scheme === undefined) {
      const plain = plainScheme(id);
      schemes.set(id, (scheme = typeof plain === 'string' ? plain : memoized(plain)));
    }
    return scheme;
  };
  // By installed version first: a match compares few distinct versions against thousands of
  // advisories, so this holds a few maps, not one per advisory (and no WeakMap, whose entries
  // every garbage collection of the match must visit).
  const decisions = new Map<string, Map<MatchedAdvisory, AffectedDecision>>();
  return (advisory, version) => {
    let byAdvisory = decisions.get(version);
    if (!byAdvisory) decisions.set(version, (byAdvisory = new Map()));
    let decision = byAdvisory.get(advisory);
    if (!decision) byAdvisory.set(advisory, (decision = decideWith(advisory, version, lookup)));
    return decision;
  };
}

export function decide(advisory: MatchedAdvisory, version: string): AffectedDecision {
  return decideWith(advisory, version, plainScheme);
}

function decideWith(advisory: MatchedAdvisory, version: string, lookup: SchemeLookup): AffectedDecision {
  if (advisory.notAffected) return { affected: false, reason: 'not-affected' };
  const base = schemeOf(advisory, undefined, lookup);
  if (advisory.versions.length > 0) {
    const exact = advisory.versions.find((v) => {
      if (v === version) return true;
      if (typeof base === 'string') return false;
      try {
        return base.isValid(v) && base.isValid(version) && base.compare(v, version) === 0;
      } catch {
        return false;
      }
    });
    if (exact !== undefined)
      return { affected: true, matchedVersion: exact, scheme: typeof base === 'string' ? base : base.id };
  }
  let failure: AffectedDecision | undefined;
  for (const range of advisory.ranges) {
    const scheme = schemeOf(advisory, range, lookup);
    if (typeof scheme === 'string') {
      failure = { affected: false, reason: 'no-scheme', detail: `no ${scheme} version scheme` };
      continue;
    }
    try {
      if (isAffected(scheme, version, range.events)) return { affected: true, range, scheme: scheme.id };
    } catch (err) {
      failure = { affected: false, reason: 'invalid-version', detail: (err as Error).message };
    }
  }
  return failure ?? { affected: false, reason: 'outside-ranges' };
}
