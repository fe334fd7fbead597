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
import {
  completeFinding,
  draftFindings,
  originOf,
  type DraftFinding,
  type PackageMatch,
} from './finding-draft.js';
import { lookupsFor, type Lookup } from './namespaces.js';
import { SEVERITY_ORDER, type AdvisorySource, type Finding } from './types.js';

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

/** Advisories by namespace, then package name: looked up per lookup without building a key string. */
type AdvisoryIndex = Map<string, Map<string, MatchedAdvisory[]>>;

export async function matchSbom(
  doc: SbomDocument,
  source: AdvisorySource,
  options: MatchOptions = {},
): Promise<MatchResult> {
  const lookups = doc.packages.map((pkg) => lookupsFor(pkg, doc.distro));
  const index: AdvisoryIndex = new Map();
  const keys: { namespace: string; packageName: string }[] = [];
  for (const pkgLookups of lookups) {
    for (const { namespace, packageName } of pkgLookups) {
      let names = index.get(namespace);
      if (names === undefined) index.set(namespace, (names = new Map()));
      if (names.has(packageName)) continue;
      names.set(packageName, []);
      keys.push({ namespace, packageName });
    }
  }
  const advisories = await source.advisoriesFor(keys);
  throwIfAborted(options.signal, 'matching');
  for (const a of advisories) index.get(a.namespace)?.get(a.packageName)?.push(a);

  const decide = memoizedDecide();
  const problems: MatchProblem[] = [];
  const draft: DraftFinding[] = [];
  // One set, emptied per package: a set per package was a tenth of the match's allocations.
  const seen = new Set<string>();
  for (let i = 0; i < doc.packages.length; i++) {
    throwIfAborted(options.signal, 'matching');
    const pkg = doc.packages[i] as Package;
    let matches: PackageMatch[] | undefined;
    seen.clear();
    for (const lookup of lookups[i] as Lookup[]) {
      for (const advisory of index.get(lookup.namespace)?.get(lookup.packageName) ?? []) {
        if (seen.has(advisory.id)) continue;
        const decision = decide(advisory, lookup.version);
        if (!decision.affected) {
          if ('detail' in decision)
            problems.push({ packageId: pkg.id, advisoryId: advisory.id, reason: decision.detail });
          continue;
        }
        seen.add(advisory.id);
        (matches ??= []).push({
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
    if (matches) draftFindings(pkg, matches, originOf(pkg, doc, options.baseLayerCount), draft);
  }

  const cves = new Set<string>();
  for (const d of draft) for (const cve of d.cves) cves.add(cve);
  const enrichment = await source.enrichment([...cves]);
  // The draft already holds severity, severities and cvss in their places: filled in, not copied.
  const findings = draft.map((d) => completeFinding(d, enrichment));
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
