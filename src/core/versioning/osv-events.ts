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
  return inOrder(scheme, events) ? sweep(scheme, version, events) : sortedSweep(scheme, version, events);
}

/**
 * Whether the events have no `limit` and already stand in evaluation order, as nearly every
 * record writes them (`introduced` then `fixed`). Then the sweep walks them where they are: the
 * sort is stable, so it would give back the same order, and the flattened, filtered and sorted
 * copies cost most of a match's allocations (about 1.8 MB for 2,300 advisories). Any doubt
 * (a malformed event, a version the scheme rejects) takes the general path, which reports it.
 */
function inOrder(scheme: VersionScheme, events: readonly OsvEvent[]): boolean {
  let previousKind: Kind | undefined;
  let previous = '';
  for (const event of events) {
    const kind = kindOf(event);
    if (kind === undefined || kind === 'limit') return false;
    const version = event[kind] as string;
    if (previousKind !== undefined) {
      try {
        if (compareFlat(scheme, previousKind, previous, kind, version) > 0) return false;
      } catch {
        return false;
      }
    }
    previousKind = kind;
    previous = version;
  }
  return true;
}

/** Evaluation order: by version (`introduced: "0"` first), then introduced before the others. */
function compareFlat(scheme: VersionScheme, xKind: Kind, x: string, yKind: Kind, y: string): number {
  const xZero = xKind === 'introduced' && x === '0';
  const yZero = yKind === 'introduced' && y === '0';
  const byVersion = xZero || yZero ? (xZero && yZero ? 0 : xZero ? -1 : 1) : scheme.compare(x, y);
  return byVersion !== 0 ? byVersion : KIND_RANK[xKind] - KIND_RANK[yKind];
}

/** The OSV walk over events in evaluation order, none of them a `limit`. */
function sweep(scheme: VersionScheme, version: string, events: readonly OsvEvent[]): boolean {
  let affected = false;
  for (const event of events) {
    const kind = kindOf(event) as Kind;
    const at = event[kind] as string;
    if (kind === 'introduced') {
      if (at === '0' || scheme.compare(version, at) >= 0) affected = true;
    } else if (kind === 'fixed') {
      if (scheme.compare(version, at) >= 0) affected = false;
    } else if (scheme.compare(version, at) > 0) {
      affected = false;
    }
  }
  return affected;
}

function sortedSweep(scheme: VersionScheme, version: string, events: readonly OsvEvent[]): boolean {
  const flat = events.map(flatten);
  const limits = flat.filter((e) => e.kind === 'limit');
  if (limits.length > 0 && !limits.some((e) => e.version === '*' || scheme.compare(version, e.version) < 0)) {
    return false;
  }
  const ordered = flat
    .filter((e) => e.kind !== 'limit')
    .sort((x, y) => compareFlat(scheme, x.kind, x.version, y.kind, y.version))
    .map((e) => ({ [e.kind]: e.version }) as OsvEvent);
  return sweep(scheme, version, ordered);
}

const KINDS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;

/** The one kind an event has; undefined when it has none or several (malformed). */
function kindOf(event: OsvEvent): Kind | undefined {
  let kind: Kind | undefined;
  for (const k of KINDS) {
    if (event[k] !== undefined) {
      if (kind !== undefined) return undefined;
      kind = k;
    }
  }
  return kind;
}

function flatten(event: OsvEvent, index: number): Flat {
  const kind = kindOf(event);
  if (kind === undefined) {
    const keys = KINDS.filter((k) => event[k] !== undefined);
    throw new PortcullisError(
      'INVALID_RANGE',
      `OSV event ${index} must have exactly one of introduced, fixed, last_affected, limit; it has ${keys.length === 0 ? 'none' : keys.join(', ')}`,
      { details: { event: index } },
    );
  }
  return { kind, version: event[kind] as string };
}
