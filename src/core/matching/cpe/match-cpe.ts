/**
 * CPE matching against NVD: the low-confidence fallback, only ever run when asked for. It
 * covers language and binary packages that no distro package owns (distro packages and the
 * files they own are judged by the distro's tracker, which understands backports), and it
 * never repeats a vulnerability the advisory matcher already reported for the same package.
 */
import type { CpeConfigRecord, CpeMatch, CpeNode } from '../../advisories/model.js';
import type { SbomDocument } from '../../sbom/document.js';
import type { Package } from '../../sbom/model.js';
import { isDistroType } from '../../sbom/package-types.js';
import { normalizeSeverity } from '../severity.js';
import type { AdvisorySource, Evidence, Finding } from '../types.js';
import { cpeCandidates, type CpeCandidates } from './candidates.js';
import { evaluateConfigurations, type CpeHit, type NodeContext } from './nodes.js';
import { PortcullisError } from '../../errors.js';
import { acceptsValue, parseCpe23, type Cpe } from './parse.js';
import { distroSatisfies } from './platform.js';
import { withinBounds } from './version-bounds.js';
import { findingPackage } from '../finding-draft.js';

/** Where CPE configurations come from (the store implements it). */
export interface CpeSource extends Pick<AdvisorySource, 'enrichment'> {
  cpeConfigsFor(products: readonly string[]): Promise<CpeConfigRecord[]>;
}

export interface CpeMatchOptions {
  /** Findings already produced by the advisory matcher; their ids and aliases are skipped. */
  existing?: readonly Finding[];
  /** Base/app attribution, computed by the caller the same way as for advisory findings. */
  origin?: (pkg: Package) => Finding['origin'];
}

export interface CpeMatchProblem {
  packageId: string;
  advisoryId: string;
  reason: string;
}

/** A version-bounded (or exact) hit is a guess about the name only; an unbounded one more so. */
export const CPE_CONFIDENCE = { bounded: 0.5, unbounded: 0.3 } as const;

interface Target {
  pkg: Package;
  candidates: CpeCandidates;
  /** The version compared: Go and npm tags sometimes carry a leading v that NVD never writes. */
  version: string;
}

function names(cpe: Cpe, candidates: CpeCandidates): boolean {
  if (cpe.part.kind !== 'value' || cpe.part.value !== 'a') return false;
  if (cpe.vendor.kind !== 'value' || cpe.product.kind !== 'value') return false;
  if (!candidates.vendors.some((v) => acceptsValue(cpe.vendor, v))) return false;
  if (!candidates.products.some((p) => acceptsValue(cpe.product, p))) return false;
  return cpe.targetSw.kind !== 'value' || candidates.targetSw.some((t) => acceptsValue(cpe.targetSw, t));
}

function targetOf(pkg: Package): Target | undefined {
  if (isDistroType(pkg.type) || pkg.ownedBy) return undefined;
  const candidates = cpeCandidates(pkg);
  return candidates ? { pkg, candidates, version: pkg.version.replace(/^v(?=\d)/, '') } : undefined;
}

export async function matchByCpe(
  doc: SbomDocument,
  source: CpeSource,
  options: CpeMatchOptions = {},
): Promise<{ findings: Finding[]; problems: CpeMatchProblem[] }> {
  const targets = doc.packages.map(targetOf).filter((t): t is Target => t !== undefined);
  const problems: CpeMatchProblem[] = [];
  if (targets.length === 0) return { findings: [], problems };
  const records = await source.cpeConfigsFor([...new Set(targets.flatMap((t) => t.candidates.products))]);
  const byProduct = recordsByProduct(records);
  const known = new Map<string, Set<string>>();
  for (const f of options.existing ?? []) {
    const ids = known.get(f.package.id) ?? new Set<string>();
    for (const id of [f.id, ...f.aliases]) ids.add(id);
    known.set(f.package.id, ids);
  }

  // The same criteria recur across packages and CVEs: parse each string once per call.
  const parsed = new Map<string, Cpe | PortcullisError>();
  const parse = (criteria: string): Cpe => {
    let p = parsed.get(criteria);
    if (p === undefined) {
      try {
        p = parseCpe23(criteria);
      } catch (err) {
        if (!(err instanceof PortcullisError)) throw err;
        p = err;
      }
      parsed.set(criteria, p);
    }
    if (p instanceof PortcullisError) throw p;
    return p;
  };

  const environment = (cpe: Cpe, match: CpeMatch): boolean => {
    if (cpe.part.kind === 'value' && cpe.part.value === 'o') return distroSatisfies(cpe, match, doc.distro);
    return targets.some(
      (t) => names(cpe, t.candidates) && withinBounds(cpe, match, t.version, t.candidates.scheme).inRange,
    );
  };

  const drafts: { finding: Finding; hits: CpeHit[] }[] = [];
  for (const target of targets) {
    const byCve = new Map<string, CpeHit[]>();
    const relevant = new Set(target.candidates.products.flatMap((p) => [...(byProduct.get(p) ?? [])]));
    for (const record of relevant) {
      if (known.get(target.pkg.id)?.has(record.cve)) continue;
      const ctx: NodeContext = {
        packageHit: (cpe, match) => {
          if (!names(cpe, target.candidates)) return { hit: false };
          const d = withinBounds(cpe, match, target.version, target.candidates.scheme);
          if (!d.inRange && d.problem) {
            problems.push({ packageId: target.pkg.id, advisoryId: record.cve, reason: d.problem });
          }
          return d.inRange ? { hit: true, unbounded: d.unbounded } : { hit: false };
        },
        environment,
        parse,
        problem: (criteria, reason) =>
          problems.push({
            packageId: target.pkg.id,
            advisoryId: record.cve,
            reason: `${criteria}: ${reason}`,
          }),
      };
      const hits = evaluateConfigurations(record, ctx);
      if (hits.length) byCve.set(record.cve, [...(byCve.get(record.cve) ?? []), ...hits]);
    }
    for (const [cve, hits] of byCve) drafts.push({ finding: draftFinding(target, cve, hits, options), hits });
  }

  const enrichment = await source.enrichment([...new Set(drafts.map((d) => d.finding.id))]);
  return {
    findings: drafts.map(({ finding }) => {
      const facts = enrichment.get(finding.id);
      const cvss = facts?.cvss ?? [];
      const { severity, entries } = normalizeSeverity(cvss, []);
      return {
        ...finding,
        severity,
        severities: entries,
        cvss,
        ...(facts?.kev ? { kev: facts.kev } : {}),
        ...(facts?.epss ? { epss: { score: facts.epss.epss, percentile: facts.epss.percentile } } : {}),
      };
    }),
    problems,
  };
}

/** Product of a `cpe:2.3:a:` criterion, lower-cased; escapes are kept, which only narrows. */
function productOf(criteria: string): string | undefined {
  const m = /^cpe:2\.3:a:(?:[^:\\]|\\.)*:((?:[^:\\]|\\.)+):/.exec(criteria);
  return m ? (m[1] as string).replace(/\\(.)/g, '$1').toLowerCase() : undefined;
}

/** Each target is evaluated only against the configurations that name one of its products. */
function recordsByProduct(records: readonly CpeConfigRecord[]): Map<string, Set<CpeConfigRecord>> {
  const out = new Map<string, Set<CpeConfigRecord>>();
  const walk = (record: CpeConfigRecord, nodes: readonly CpeNode[]): void => {
    for (const n of nodes) {
      for (const m of n.cpeMatch) {
        const p = m.vulnerable ? productOf(m.criteria) : undefined;
        if (!p) continue;
        let set = out.get(p);
        if (!set) out.set(p, (set = new Set()));
        set.add(record);
      }
      walk(record, n.children);
    }
  };
  for (const r of records) for (const c of r.configurations) walk(r, c.nodes);
  return out;
}

function draftFinding(target: Target, cve: string, hits: CpeHit[], options: CpeMatchOptions): Finding {
  const { pkg } = target;
  const unique = [...new Map(hits.map((h) => [JSON.stringify(h.match), h])).values()];
  const fixedVersions = [
    ...new Set(unique.flatMap((h) => (h.match.versionEndExcluding ? [h.match.versionEndExcluding] : []))),
  ];
  const evidence: Evidence[] = unique.map((h) => ({
    advisoryId: cve,
    namespace: 'nvd:cpe',
    lookupName: h.match.criteria,
    comparedVersion: target.version,
    scheme: target.candidates.scheme,
    strategy: 'cpe',
    cpeMatch: h.match,
    source: { driver: 'nvd', file: 'nvd CPE configurations', recordId: cve },
  }));
  return {
    id: cve,
    aliases: [],
    package: findingPackage(pkg),
    fixState: fixedVersions.length ? 'fixed' : 'unknown',
    fixedVersions,
    severity: 'Unknown',
    severities: [],
    cvss: [],
    ...(pkg.originLayer ? { originLayer: pkg.originLayer } : {}),
    origin: options.origin ? options.origin(pkg) : 'unknown',
    confidence: unique.every((h) => h.unbounded) ? CPE_CONFIDENCE.unbounded : CPE_CONFIDENCE.bounded,
    evidence,
  };
}
