/**
 * The matcher: packages of an SBOM against the advisory store. Distro packages are looked up
 * by source package in their release's namespace, language packages by their ecosystem name;
 * every match carries its evidence, and records about the same vulnerability become one finding.
 */
import type { MatchedAdvisory } from '../advisories/model.js';
import type { SbomDocument } from '../sbom/document.js';
import type { Package } from '../sbom/model.js';
import { throwIfAborted } from '../abort.js';
import { PortcullisError } from '../errors.js';
import { memoizedDecide } from './affected.js';
import { matchByCpe } from './cpe/match-cpe.js';
import { groupByIdentity, primaryOf } from './merge.js';
import { lookupsFor } from './namespaces.js';
import { normalizeSeverity } from './severity.js';
import { SEVERITY_ORDER, type AdvisorySource, type Evidence, type Finding } from './types.js';

export interface MatchOptions {
  /** Layers [0, baseLayerCount) belong to the base image; undefined = unknown. */
  baseLayerCount?: number;
  /** Also match by NVD CPE configurations: low confidence, off unless asked for. */
  cpe?: boolean;
  /** Aborting stops the match between packages; it rejects with ABORTED. */
  signal?: AbortSignal;
}

export interface MatchProblem {
  packageId: string;
  advisoryId: string;
  reason: string;
}

export interface MatchResult {
  findings: Finding[];
  /** Advisories that could not be decided (unknown scheme, unparsable installed version). */
  problems: MatchProblem[];
  packagesLookedUp: number;
  advisoriesConsidered: number;
}

interface PackageMatch {
  advisory: MatchedAdvisory;
  evidence: Evidence;
  confidence: number;
}

function key(namespace: string, name: string): string {
  return `${namespace}\u0000${name}`;
}

function originOf(pkg: Package, doc: SbomDocument, baseLayerCount: number | undefined): Finding['origin'] {
  if (baseLayerCount === undefined || !pkg.originLayer) return 'unknown';
  const index = doc.source.layers.findIndex((l) => l.diffId === pkg.originLayer);
  if (index < 0) return 'unknown';
  return index < baseLayerCount ? 'base' : 'app';
}

export async function matchSbom(
  doc: SbomDocument,
  source: AdvisorySource,
  options: MatchOptions = {},
): Promise<MatchResult> {
  const lookups = new Map<string, ReturnType<typeof lookupsFor>>();
  const keys = new Map<string, { namespace: string; packageName: string }>();
  for (const pkg of doc.packages) {
    const l = lookupsFor(pkg, doc.distro);
    lookups.set(pkg.id, l);
    for (const x of l)
      keys.set(key(x.namespace, x.packageName), { namespace: x.namespace, packageName: x.packageName });
  }
  const advisories = await source.advisoriesFor([...keys.values()]);
  throwIfAborted(options.signal, 'matching');
  const byKey = new Map<string, MatchedAdvisory[]>();
  for (const a of advisories) {
    const k = key(a.namespace, a.packageName);
    const list = byKey.get(k);
    if (list) list.push(a);
    else byKey.set(k, [a]);
  }

  const decide = memoizedDecide();
  const problems: MatchProblem[] = [];
  const perPackage: { pkg: Package; matches: PackageMatch[] }[] = [];
  for (const pkg of doc.packages) {
    throwIfAborted(options.signal, 'matching');
    const matches: PackageMatch[] = [];
    const seen = new Set<string>();
    for (const lookup of lookups.get(pkg.id) ?? []) {
      for (const advisory of byKey.get(key(lookup.namespace, lookup.packageName)) ?? []) {
        if (seen.has(advisory.id)) continue;
        const decision = decide(advisory, lookup.version);
        if (!decision.affected) {
          if ('detail' in decision)
            problems.push({ packageId: pkg.id, advisoryId: advisory.id, reason: decision.detail });
          continue;
        }
        seen.add(advisory.id);
        matches.push({
          advisory,
          evidence: {
            advisoryId: advisory.id,
            namespace: advisory.namespace,
            lookupName: lookup.packageName,
            comparedVersion: lookup.version,
            scheme: decision.scheme,
            ...(decision.range ? { matchedRange: decision.range } : {}),
            ...(decision.matchedVersion ? { matchedVersion: decision.matchedVersion } : {}),
            strategy: lookup.strategy,
            source: advisory.source,
          },
          confidence: lookup.confidence,
        });
      }
    }
    if (matches.length) perPackage.push({ pkg, matches });
  }

  const draft: { finding: Finding; cves: string[]; group: PackageMatch[] }[] = [];
  for (const { pkg, matches } of perPackage) {
    for (const group of groupByIdentity(matches)) {
      const primary = primaryOf(group.map((m) => m.advisory));
      const ids = new Set(group.flatMap((m) => [m.advisory.id, ...m.advisory.aliases]));
      ids.delete(primary.id);
      const fixedVersions = [...new Set(group.flatMap((m) => m.advisory.fixedVersions))];
      const finding: Finding = {
        id: primary.id,
        aliases: [...ids].sort(),
        package: {
          id: pkg.id,
          name: pkg.name,
          version: pkg.version,
          type: pkg.type,
          purl: pkg.purl,
          ...(pkg.locations[0] ? { path: pkg.locations[0].path } : {}),
        },
        fixState: fixedVersions.length && primary.fixState === 'unknown' ? 'fixed' : primary.fixState,
        fixedVersions,
        severity: 'Unknown',
        severities: [],
        cvss: [],
        ...(pkg.originLayer ? { originLayer: pkg.originLayer } : {}),
        origin: originOf(pkg, doc, options.baseLayerCount),
        confidence: group.reduce((max, m) => Math.max(max, m.confidence), -Infinity),
        ...(primary.summary ? { summary: primary.summary } : {}),
        ...(primary.published ? { published: primary.published } : {}),
        ...(primary.urgency ? { urgency: primary.urgency } : {}),
        ...(primary.flags?.endOfLife ? { endOfLife: true } : {}),
        evidence: group.map((m) => m.evidence),
      };
      const cves = [primary.id, ...finding.aliases].filter((id) => id.startsWith('CVE-'));
      draft.push({ finding, cves, group });
    }
  }

  const enrichment = await source.enrichment([...new Set(draft.flatMap((d) => d.cves))]);
  // The draft already holds severity, severities and cvss in their places: filled in, not copied.
  const findings = draft.map(({ finding, cves, group }) => {
    const facts = cves.map((c) => enrichment.get(c)).filter((e) => e !== undefined);
    const cvss = facts.flatMap((f) => f.cvss);
    const advisorySeverities = group.flatMap((m) => m.advisory.severities);
    const { severity, entries } = normalizeSeverity(cvss, advisorySeverities);
    const kev = facts.find((f) => f.kev)?.kev;
    const epss = facts.find((f) => f.epss)?.epss;
    finding.severity = severity;
    finding.severities = entries;
    finding.cvss = cvss;
    if (kev) finding.kev = kev;
    if (epss) finding.epss = { score: epss.epss, percentile: epss.percentile };
    return finding;
  });
  if (options.cpe) {
    const { cpeConfigsFor } = source;
    if (!cpeConfigsFor) {
      throw new PortcullisError(
        'INVALID_ARGUMENT',
        'CPE matching needs a store that keeps NVD CPE configurations',
      );
    }
    const byCpe = await matchByCpe(
      doc,
      { cpeConfigsFor: (p) => cpeConfigsFor.call(source, p), enrichment: (c) => source.enrichment(c) },
      { existing: findings, origin: (pkg) => originOf(pkg, doc, options.baseLayerCount) },
    );
    findings.push(...byCpe.findings);
    problems.push(...byCpe.problems);
  }
  findings.sort(
    (a, b) =>
      SEVERITY_ORDER.indexOf(b.severity) - SEVERITY_ORDER.indexOf(a.severity) ||
      a.package.name.localeCompare(b.package.name) ||
      a.id.localeCompare(b.id),
  );
  return {
    findings,
    problems,
    packagesLookedUp: doc.packages.length,
    advisoriesConsidered: advisories.length,
  };
}
