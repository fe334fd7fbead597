/**
 * Use case: explain one vulnerability id against one source. Four answers a user must be able
 * to tell apart: the id is malformed (an error, before any work), unknown to the database,
 * known and affecting packages of the image (the evidence chain), or known but not affecting
 * the installed versions (e.g. the fix is at or below what is installed).
 */
import type { Advisory } from '../advisories/model.js';
import { PortcullisError } from '../errors.js';
import { decide } from '../matching/affected.js';
import { lookupsFor } from '../matching/namespaces.js';
import type { Finding } from '../matching/types.js';
import { findingsFor, type ScanReport } from '../report/index.js';
import type { SbomDocument } from '../sbom/document.js';
import { isSchemeId, schemeFor } from '../versioning/registry.js';
import { findVulnerabilities, type FindingsRequest } from './findings.js';
import { scanReport } from './scan.js';

export interface ExplainRequest extends FindingsRequest {
  id: string;
}

/** An installed package a known advisory names, judged not affected. */
export interface UnaffectedPackage {
  name: string;
  version: string;
  type: string;
  advisoryId: string;
  namespace: string;
  fixedVersions: string[];
  /** Why the installed version is outside the advisory. */
  reason: 'fixed-at-or-below-installed' | 'outside-affected-ranges' | 'not-affected-per-distro';
}

export type Explanation =
  | { kind: 'affected'; id: string; findings: Finding[]; report: ScanReport }
  | { kind: 'not-affected'; id: string; packages: UnaffectedPackage[]; report: ScanReport }
  /** Known to the database, but no installed package is named by any of its records. */
  | { kind: 'not-present'; id: string; advisories: number; report: ScanReport }
  | { kind: 'unknown'; id: string; report: ScanReport };

const CVE = /^CVE-\d{4}-\d{4,}$/i;
const GHSA = /^GHSA(-[23456789cfghjmpqrvwx]{4}){3}$/i;
/** Other databases' ids: a letter prefix, a dash, then letters, digits, dots, colons, dashes. */
const OTHER = /^[A-Za-z][A-Za-z0-9]*-[A-Za-z0-9][A-Za-z0-9.:_-]*$/;

/**
 * The spellings under which an id may be stored: CVE ids are upper-case, GHSA ids keep their
 * lower-case tail. Throws INVALID_ARGUMENT for something that is no vulnerability id at all.
 */
export function idSpellings(id: string): string[] {
  const trimmed = id.trim();
  if (/^CVE-/i.test(trimmed) && !CVE.test(trimmed)) {
    throw new PortcullisError(
      'INVALID_ARGUMENT',
      `"${id}" is not a valid CVE id: expected CVE-<year>-<at least 4 digits>, e.g. CVE-2021-44906`,
    );
  }
  if (/^GHSA-/i.test(trimmed) && !GHSA.test(trimmed)) {
    throw new PortcullisError(
      'INVALID_ARGUMENT',
      `"${id}" is not a valid GitHub advisory id: expected GHSA-xxxx-xxxx-xxxx, e.g. GHSA-xvch-5gv4-984h`,
    );
  }
  if (!CVE.test(trimmed) && !GHSA.test(trimmed) && !OTHER.test(trimmed)) {
    throw new PortcullisError(
      'INVALID_ARGUMENT',
      `"${id}" is not a vulnerability id: expected e.g. CVE-2021-44906, GHSA-xvch-5gv4-984h, DSA-5000-1, PYSEC-2021-1`,
    );
  }
  if (CVE.test(trimmed)) return [trimmed.toUpperCase()];
  if (GHSA.test(trimmed)) return [`GHSA-${trimmed.slice(5).toLowerCase()}`];
  return [...new Set([trimmed, trimmed.toUpperCase()])];
}

/** True when some fixed version is at or below the installed one, by the advisory's scheme. */
function fixedAtOrBelow(advisory: Advisory, installed: string): boolean {
  if (!isSchemeId(advisory.versionScheme)) return false;
  const scheme = schemeFor(advisory.versionScheme);
  if (!scheme.isValid(installed)) return false;
  return advisory.fixedVersions.some(
    (fixed) => scheme.isValid(fixed) && scheme.compare(fixed, installed) <= 0,
  );
}

function unaffectedPackages(doc: SbomDocument, advisories: readonly Advisory[]): UnaffectedPackage[] {
  const out: UnaffectedPackage[] = [];
  for (const pkg of doc.packages) {
    for (const lookup of lookupsFor(pkg, doc.distro)) {
      for (const advisory of advisories) {
        if (advisory.namespace !== lookup.namespace || advisory.packageName !== lookup.packageName) continue;
        const decision = decide(advisory, lookup.version);
        if (decision.affected) continue;
        out.push({
          name: pkg.name,
          version: pkg.version,
          type: pkg.type,
          advisoryId: advisory.id,
          namespace: advisory.namespace,
          fixedVersions: advisory.fixedVersions,
          reason:
            decision.reason === 'not-affected'
              ? 'not-affected-per-distro'
              : fixedAtOrBelow(advisory, lookup.version)
                ? 'fixed-at-or-below-installed'
                : 'outside-affected-ranges',
        });
      }
    }
  }
  return out;
}

/** An explanation without the scan report around it: what a stored analysis can answer. */
export type StoredExplanation =
  | { kind: 'affected'; id: string; findings: Finding[] }
  | { kind: 'not-affected'; id: string; packages: UnaffectedPackage[] }
  | { kind: 'not-present'; id: string; advisories: number }
  | { kind: 'unknown'; id: string };

/**
 * The same four answers over an analysis already made (the service's stored SBOM and
 * findings): nothing is pulled or matched again; only the advisories of the id are read.
 */
export async function explainStored(request: {
  id: string;
  findings: readonly Finding[];
  document: SbomDocument;
  data: { advisoriesById(ids: readonly string[]): Promise<Advisory[]> };
}): Promise<StoredExplanation> {
  const spellings = idSpellings(request.id);
  const id = spellings[0] ?? request.id;
  const wanted = new Set(spellings.map((s) => s.toUpperCase()));
  const findings = request.findings.filter((f) =>
    [f.id, ...f.aliases].some((x) => wanted.has(x.toUpperCase())),
  );
  if (findings.length) return { kind: 'affected', id, findings };
  const advisories = (await request.data.advisoriesById(spellings)).filter((a) => !a.withdrawn);
  if (advisories.length === 0) return { kind: 'unknown', id };
  const packages = unaffectedPackages(request.document, advisories);
  if (packages.length) return { kind: 'not-affected', id, packages };
  return { kind: 'not-present', id, advisories: advisories.length };
}

export async function explain(request: ExplainRequest): Promise<Explanation> {
  const spellings = idSpellings(request.id);
  const id = spellings[0] ?? request.id;
  const stage = await findVulnerabilities(request);
  const report = scanReport(stage, {});
  const findings = findingsFor(report, id);
  if (findings.length) return { kind: 'affected', id, findings, report };
  const advisories = (await request.data.advisoriesById(spellings)).filter((a) => !a.withdrawn);
  if (advisories.length === 0) return { kind: 'unknown', id, report };
  const packages = unaffectedPackages(stage.analysis.document, advisories);
  if (packages.length) return { kind: 'not-affected', id, packages, report };
  return { kind: 'not-present', id, advisories: advisories.length, report };
}
