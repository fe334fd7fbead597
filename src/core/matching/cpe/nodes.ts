/**
 * NVD applicability logic: a configuration combines nodes with AND/OR; a node combines its
 * CPE matches (and, in the 1.1 layout, child nodes) with AND/OR and may be negated. A package
 * is affected by a configuration when the configuration holds and at least one of the
 * criteria that made it hold is a vulnerable criterion naming this package. Every other
 * criterion (a platform, or a second application) must be satisfied by the image itself.
 */
import type { CpeConfigRecord, CpeMatch, CpeNode } from '../../advisories/model.js';
import type { Cpe } from './parse.js';

export interface CpeHit {
  match: CpeMatch;
  unbounded: boolean;
}

export interface NodeContext {
  /** The package under test: does this vulnerable criterion name it, at its version? */
  packageHit(cpe: Cpe, match: CpeMatch): { hit: boolean; unbounded?: boolean };
  /** Is this criterion satisfied by the image (its distro, its other packages)? */
  environment(cpe: Cpe, match: CpeMatch): boolean;
  /** Parses a criterion (memoized by the caller); throws PortcullisError('INVALID_CPE'). */
  parse(criteria: string): Cpe;
  /** Criteria that could not be parsed or compared: recorded, never fatal. */
  problem(criteria: string, reason: string): void;
}

interface Outcome {
  holds: boolean;
  hits: CpeHit[];
}

function matchOutcome(match: CpeMatch, ctx: NodeContext): Outcome {
  let cpe: Cpe;
  try {
    cpe = ctx.parse(match.criteria);
  } catch (err) {
    ctx.problem(match.criteria, (err as Error).message);
    return { holds: false, hits: [] };
  }
  if (match.vulnerable) {
    const r = ctx.packageHit(cpe, match);
    if (r.hit) return { holds: true, hits: [{ match, unbounded: r.unbounded ?? false }] };
  }
  return { holds: ctx.environment(cpe, match), hits: [] };
}

function combine(operator: 'AND' | 'OR', outcomes: Outcome[]): Outcome {
  if (operator === 'AND') {
    const holds = outcomes.length > 0 && outcomes.every((o) => o.holds);
    return { holds, hits: holds ? outcomes.flatMap((o) => o.hits) : [] };
  }
  const held = outcomes.filter((o) => o.holds);
  return { holds: held.length > 0, hits: held.flatMap((o) => o.hits) };
}

/** Bounded by NVD's structure; a hostile record nesting deeper than this simply does not hold. */
const MAX_DEPTH = 8;

function evaluateNode(node: CpeNode, ctx: NodeContext, depth: number): Outcome {
  if (depth > MAX_DEPTH) {
    ctx.problem('(node)', `configuration nested deeper than ${MAX_DEPTH} levels`);
    return { holds: false, hits: [] };
  }
  const outcome = combine(node.operator, [
    ...node.cpeMatch.map((m) => matchOutcome(m, ctx)),
    ...node.children.map((c) => evaluateNode(c, ctx, depth + 1)),
  ]);
  // A negated node can exclude, never justify: its hits do not count.
  return node.negate ? { holds: !outcome.holds, hits: [] } : outcome;
}

/** The vulnerable criteria that make `record` apply to the package; empty when it does not. */
export function evaluateConfigurations(record: CpeConfigRecord, ctx: NodeContext): CpeHit[] {
  const hits: CpeHit[] = [];
  for (const configuration of record.configurations) {
    const outcome = combine(
      configuration.operator,
      configuration.nodes.map((n) => evaluateNode(n, ctx, 0)),
    );
    if (outcome.holds) hits.push(...outcome.hits);
  }
  return hits;
}
