/**
 * Applying VEX: for each finding, every statement about one of its ids and its package is a
 * candidate, and the latest one (by timestamp, then by order given) decides. Suppressing
 * statuses set `finding.suppressed`; affected/exploitable only annotate; under investigation
 * and in triage change nothing. Findings are never dropped.
 */
import { PortcullisError } from '../errors.js';
import type { Finding } from '../matching/types.js';
import { isCycloneDx, parseCycloneDxVex } from './cyclonedx-vex.js';
import { isOpenVex, parseOpenVex } from './openvex.js';
import { parseJsonText } from './parse-json.js';
import { PurlMatcher } from './purl-match.js';
import {
  effectOf,
  type Annotation,
  type ProductRef,
  type StatementOutcome,
  type VexDocument,
  type VexStatement,
} from './types.js';

/** Reads a VEX file of either format; `orderBase` keeps statement order across several files. */
export function parseVexText(source: string, text: Buffer | string, orderBase = 0): VexDocument {
  const value = parseJsonText('VEX_INVALID', source, text);
  if (isOpenVex(value)) return parseOpenVex(source, value, orderBase);
  if (isCycloneDx(value)) return parseCycloneDxVex(source, value, orderBase);
  throw new PortcullisError(
    'VEX_INVALID',
    `${source}: neither OpenVEX (@context https://openvex.dev/ns/...) nor CycloneDX (bomFormat) VEX`,
    { details: { path: source } },
  );
}

function productMatches(p: ProductRef, finding: Finding, purls: PurlMatcher): boolean {
  if (p.ref !== undefined && p.ref === finding.package.id) return true;
  return p.purl !== undefined && purls.matches(p.purl, finding.package.purl);
}

function productsMatch(s: VexStatement, finding: Finding, purls: PurlMatcher): boolean {
  return s.products.some((p) =>
    // A product with subcomponents (an image) speaks about the packages listed inside it.
    p.subcomponents.length
      ? p.subcomponents.some((c) => productMatches(c, finding, purls))
      : productMatches(p, finding, purls),
  );
}

function later(a: VexStatement, b: VexStatement): VexStatement {
  const ta = a.timestamp ? Date.parse(a.timestamp) : -Infinity;
  const tb = b.timestamp ? Date.parse(b.timestamp) : -Infinity;
  if (ta !== tb) return ta > tb ? a : b;
  return a.order > b.order ? a : b;
}

function reasonOf(s: VexStatement): string {
  const parts = [`${s.format} ${s.status}`];
  if (s.justification) parts.push(`justification ${s.justification}`);
  if (s.detail) parts.push(s.detail);
  if (s.action) parts.push(`action: ${s.action}`);
  return `${parts.join('; ')} (${s.source} ${s.location})`;
}

export function applyVex(
  findings: readonly Finding[],
  documents: readonly VexDocument[],
): { findings: Finding[]; statements: StatementOutcome[]; annotations: Annotation[] } {
  const statements = documents.flatMap((d) => d.statements);
  const outcomes = new Map<VexStatement, StatementOutcome>(
    statements.map((s) => [
      s,
      {
        source: s.source,
        location: s.location,
        vulnerability: s.vulnerability,
        status: s.status,
        applied: 0,
        overridden: 0,
      },
    ]),
  );
  const purls = new PurlMatcher();
  const annotations: Annotation[] = [];
  // Index by every id a statement names, so each finding only looks at statements about it.
  const byId = new Map<string, VexStatement[]>();
  for (const s of statements) {
    for (const id of new Set([s.vulnerability, ...s.aliases])) {
      const list = byId.get(id);
      if (list) list.push(s);
      else byId.set(id, [s]);
    }
  }
  const out = findings.map((finding) => {
    const candidates = new Set([finding.id, ...finding.aliases].flatMap((id) => byId.get(id) ?? []));
    const matching = [...candidates].filter((s) => productsMatch(s, finding, purls));
    if (!matching.length) return finding;
    const winner = matching.reduce(later);
    for (const s of matching) {
      const o = outcomes.get(s) as StatementOutcome;
      if (s === winner) o.applied++;
      else o.overridden++;
    }
    const effect = effectOf(winner.status);
    if (effect === 'annotate')
      annotations.push({
        findingId: finding.id,
        packageId: finding.package.id,
        by: 'vex',
        status: winner.status,
        note: reasonOf(winner),
      });
    // An earlier suppression (another mechanism) stands; VEX only adds one where none exists.
    if (effect !== 'suppress' || finding.suppressed) return finding;
    return { ...finding, suppressed: { by: 'vex' as const, reason: reasonOf(winner) } };
  });
  return { findings: out, statements: [...outcomes.values()], annotations };
}
