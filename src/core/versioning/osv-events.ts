/**
 * OSV range evaluation (OSV schema, "Evaluation"): walk the events in version order; an
 * `introduced` at or below the version switches "affected" on, a `fixed` at or below it or a
 * `last_affected` strictly below it switches it off. `limit` events cap the range from above.
 * The scheme only supplies the ordering, so the same code serves every ecosystem.
 */
import { PortcullisError } from '../errors.js';
import type { OsvEvent, VersionScheme } from './types.js';

type Kind = 'introduced' | 'fixed' | 'last_affected' | 'limit';

interface Flat {
  kind: Kind;
  version: string;
}

// At equal versions an introduced event must come first so that `introduced: X, fixed: X`
// stays an empty range and `introduced: X, last_affected: X` still covers X.
const KIND_RANK: Record<Kind, number> = { introduced: 0, last_affected: 1, fixed: 2, limit: 3 };

export function isAffected(scheme: VersionScheme, version: string, events: readonly OsvEvent[]): boolean {
  if (!scheme.isValid(version)) {
    // Let the scheme raise its own precise INVALID_VERSION error.
    scheme.compare(version, version);
  }
  const flat = events.map(flatten);
  const limits = flat.filter((e) => e.kind === 'limit');
  if (limits.length > 0 && !limits.some((e) => e.version === '*' || scheme.compare(version, e.version) < 0)) {
    return false;
  }
  const ordered = flat
    .filter((e) => e.kind !== 'limit')
    .sort((x, y) => {
      const byVersion = compareEventVersions(scheme, x, y);
      return byVersion !== 0 ? byVersion : KIND_RANK[x.kind] - KIND_RANK[y.kind];
    });
  let affected = false;
  for (const e of ordered) {
    if (e.kind === 'introduced') {
      if (isZero(e) || scheme.compare(version, e.version) >= 0) affected = true;
    } else if (e.kind === 'fixed') {
      if (scheme.compare(version, e.version) >= 0) affected = false;
    } else if (scheme.compare(version, e.version) > 0) {
      affected = false;
    }
  }
  return affected;
}

/** OSV's `introduced: "0"` means "from the beginning" in every scheme, even where 0 is not a valid version. */
function isZero(e: Flat): boolean {
  return e.kind === 'introduced' && e.version === '0';
}

function compareEventVersions(scheme: VersionScheme, x: Flat, y: Flat): number {
  if (isZero(x) || isZero(y)) return isZero(x) && isZero(y) ? 0 : isZero(x) ? -1 : 1;
  return scheme.compare(x.version, y.version);
}

const KINDS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;

function flatten(event: OsvEvent, index: number): Flat {
  // Runs for every range of every advisory decided: no array unless the event is malformed.
  let kind: Kind | undefined;
  let count = 0;
  for (const k of KINDS) {
    if (event[k] !== undefined) {
      kind = k;
      count++;
    }
  }
  if (count !== 1 || kind === undefined) {
    const keys = KINDS.filter((k) => event[k] !== undefined);
    throw new PortcullisError(
      'INVALID_RANGE',
      `OSV event ${index} must have exactly one of introduced, fixed, last_affected, limit; it has ${keys.length === 0 ? 'none' : keys.join(', ')}`,
      { details: { event: index } },
    );
  }
  return { kind, version: event[kind] as string };
}
