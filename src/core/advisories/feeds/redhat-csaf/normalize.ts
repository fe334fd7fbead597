/**
 * One CSAF VEX vulnerability → advisories, one per (RHEL major, source rpm). Red Hat's
 * product states become the model's:
 *
 * - `fixed` (a versioned source rpm): affected below each fixed build, fix state `fixed`.
 * - `known_affected`: every version affected; remediation `no_fix_planned` ("Will not fix",
 *   "Out of support scope") is `wont-fix`, `none_available` ("Affected", "Fix deferred") and
 *   no remediation are `not-fixed`.
 * - `known_not_affected`: `notAffected`, never a finding.
 * - `under_investigation`: every version, fix state `unknown`.
 *
 * When one release lists a package under several states (fixed in AppStream, still listed
 * affected elsewhere), a fix wins: a user can upgrade to it.
 */
import type { Advisory, FixState, Severity } from '../../model.js';
import type { ProductTree } from './product-tree.js';
import type { CsafDocument, CsafVulnerability } from './schema.js';

type State = 'fixed' | 'known_affected' | 'under_investigation' | 'known_not_affected';

/** Lower wins when a package is listed under several states in one release. */
const PRECEDENCE: Readonly<Record<State, number>> = {
  fixed: 0,
  known_affected: 1,
  under_investigation: 2,
  known_not_affected: 3,
};

interface Accumulated {
  major: string;
  name: string;
  state: State;
  fixed: string[];
  productIds: Set<string>;
}

function remediationOf(vuln: CsafVulnerability, productIds: Set<string>, category: string) {
  return (vuln.remediations ?? []).filter(
    (r) => r.category === category && (r.product_ids ?? []).some((id) => productIds.has(id)),
  );
}

function fixStateOf(vuln: CsafVulnerability, acc: Accumulated): FixState {
  if (acc.state === 'fixed') return 'fixed';
  if (acc.state === 'under_investigation') return 'unknown';
  if (acc.state === 'known_not_affected') return 'fixed';
  return remediationOf(vuln, acc.productIds, 'no_fix_planned').length > 0 ? 'wont-fix' : 'not-fixed';
}

function severitiesOf(doc: CsafDocument, vuln: CsafVulnerability, productIds: Set<string>): Severity[] {
  const out: Severity[] = [];
  const concerns = (ids: string[] | undefined): boolean =>
    ids === undefined || ids.some((id) => productIds.has(id));
  for (const score of vuln.scores ?? []) {
    if (!concerns(score.products)) continue;
    if (score.cvss_v3) {
      out.push({
        source: 'redhat',
        scheme: 'CVSS_V3',
        score: score.cvss_v3.baseScore,
        vector: score.cvss_v3.vectorString,
      });
    }
    if (score.cvss_v2) {
      out.push({
        source: 'redhat',
        scheme: 'CVSS_V2',
        score: score.cvss_v2.baseScore,
        vector: score.cvss_v2.vectorString,
      });
    }
  }
  const impact =
    (vuln.threats ?? []).find((t) => t.category === 'impact' && concerns(t.product_ids))?.details ??
    doc.document.aggregate_severity?.text;
  if (impact) out.push({ source: 'redhat', scheme: 'label', label: impact.trim().toUpperCase() });
  return out;
}

export function normalizeVulnerability(
  doc: CsafDocument,
  vuln: CsafVulnerability,
  tree: ProductTree,
  file: string,
): Advisory[] {
  const id = vuln.cve ?? doc.document.tracking.id;
  const byKey = new Map<string, Accumulated>();
  const status = vuln.product_status ?? {};
  for (const state of Object.keys(PRECEDENCE) as State[]) {
    for (const productId of status[state] ?? []) {
      const component = tree.resolve(productId);
      if (!component) continue;
      // A versionless "fixed" component says nothing a version comparison can use.
      if (state === 'fixed' && component.version === undefined) continue;
      const key = `${component.major}\u0000${component.name}`;
      const acc = byKey.get(key) ?? {
        major: component.major,
        name: component.name,
        state,
        fixed: [],
        productIds: new Set<string>(),
      };
      if (PRECEDENCE[state] < PRECEDENCE[acc.state]) {
        acc.state = state;
        acc.productIds.clear();
      }
      if (acc.state !== state) continue;
      acc.productIds.add(productId);
      if (component.version !== undefined && !acc.fixed.includes(component.version))
        acc.fixed.push(component.version);
      byKey.set(key, acc);
    }
  }
  return [...byKey.values()].map((acc) => {
    const errata = remediationOf(vuln, acc.productIds, 'vendor_fix').flatMap((r) => (r.url ? [r.url] : []));
    const advisory: Advisory = {
      id,
      aliases: [],
      namespace: `redhat:${acc.major}`,
      packageName: acc.name,
      versionScheme: 'rpm',
      ranges:
        acc.state === 'known_not_affected'
          ? []
          : acc.state === 'fixed'
            ? acc.fixed.map((fixed) => ({ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }))
            : [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }],
      versions: [],
      fixedVersions: acc.state === 'fixed' ? acc.fixed : [],
      fixState: fixStateOf(vuln, acc),
      severities: severitiesOf(doc, vuln, acc.productIds),
      modified: doc.document.tracking.current_release_date,
      references: [`https://access.redhat.com/security/cve/${id}`, ...new Set(errata)],
      source: { driver: 'redhat-csaf', file, recordId: `${id}/${acc.major}/${acc.name}` },
    };
    if (acc.state === 'known_not_affected') advisory.notAffected = true;
    if (vuln.release_date) advisory.published = vuln.release_date;
    const summary = vuln.title ?? doc.document.title;
    if (summary) advisory.summary = summary;
    return advisory;
  });
}
