/**
 * One validated OSV record → normalized advisories, one per (namespace, package). Pure: the
 * driver does the I/O and the counting.
 */
import type { AffectedRange, Advisory, RangeEvent, Severity, VersionScheme } from '../../model.js';
import type { SkipReason } from '../../import-report.js';
import { normalizePackageName } from '../../package-names.js';
import { isSemverSyntax, isVersionSyntax } from '../../version-syntax.js';
import { mapEcosystem } from './ecosystems.js';
import type { OsvAffected, OsvRange, OsvRecord } from './schema.js';

const CVE_ID = /^CVE-\d{4}-\d{4,}$/;

export interface OsvProblem {
  reason: SkipReason;
  detail: string;
}

export interface NormalizedOsv {
  advisories: Advisory[];
  problems: OsvProblem[];
}

const CVSS_TYPES: Readonly<Record<string, Severity['scheme']>> = {
  CVSS_V2: 'CVSS_V2',
  CVSS_V3: 'CVSS_V3',
  CVSS_V4: 'CVSS_V4',
};

function vectorScheme(vector: string): Severity['scheme'] | undefined {
  if (vector.startsWith('CVSS:4.')) return 'CVSS_V4';
  if (vector.startsWith('CVSS:3.')) return 'CVSS_V3';
  if (/^AV:[LAN]\/AC:/.test(vector)) return 'CVSS_V2';
  return undefined;
}

function severities(record: OsvRecord, affected: OsvAffected, source: string): Severity[] {
  const out: Severity[] = [];
  for (const s of [...(record.severity ?? []), ...(affected.severity ?? [])]) {
    const scheme = CVSS_TYPES[s.type];
    if (scheme) out.push({ source, scheme, vector: s.score });
  }
  const affectedDb = affected.database_specific ?? {};
  // RustSec keeps its vector per affected entry.
  if (typeof affectedDb.cvss === 'string') {
    const scheme = vectorScheme(affectedDb.cvss);
    if (scheme && !out.some((s) => s.vector === affectedDb.cvss))
      out.push({ source, scheme, vector: affectedDb.cvss });
  }
  const db = record.database_specific ?? {};
  // rubysec publishes bare scores without vectors.
  for (const [key, scheme] of [
    ['cvss_v2', 'CVSS_V2'],
    ['cvss_v3', 'CVSS_V3'],
    ['cvss_v4', 'CVSS_V4'],
  ] as const) {
    const score = db[key];
    if (typeof score === 'number' && Number.isFinite(score)) out.push({ source, scheme, score });
  }
  if (typeof db.severity === 'string' && db.severity.trim()) {
    out.push({ source, scheme: 'label', label: db.severity.trim().toUpperCase() });
  }
  return out;
}

function convertRange(range: OsvRange, scheme: VersionScheme): AffectedRange | string {
  const type = range.type === 'SEMVER' ? 'SEMVER' : 'ECOSYSTEM';
  const valid = type === 'SEMVER' ? isSemverSyntax : (v: string) => isVersionSyntax(scheme, v);
  const events: RangeEvent[] = [];
  for (const e of range.events) {
    const [key, value] = Object.entries(e).find(([, v]) => v !== undefined) as [keyof typeof e, string];
    if (!valid(value))
      return `${type} ${key} "${value}" is not a ${type === 'SEMVER' ? 'semver' : scheme} version`;
    events.push({ [key]: value } as RangeEvent);
  }
  if (events.some((e) => 'fixed' in e) && events.some((e) => 'last_affected' in e)) {
    return 'fixed and last_affected mixed in one range';
  }
  return { type, events };
}

function summaryOf(record: OsvRecord): string | undefined {
  if (record.summary) return record.summary;
  const first = record.details?.split('\n', 1)[0]?.trim();
  return first ? first.slice(0, 300) : undefined;
}

export function normalizeOsv(record: OsvRecord, file: string): NormalizedOsv {
  const problems: OsvProblem[] = [];
  const byKey = new Map<string, Advisory>();
  const aliases = [...new Set((record.aliases ?? []).filter((a) => a !== record.id))];
  // Distro advisories (SUSE-SU, openSUSE-SU, ALSA, RLSA) name the CVEs they fix in `upstream`
  // (OSV 1.7) or, before it existed, in `related`: for a distro package those CVEs are the
  // vulnerability, so they join the aliases (CVE enrichment and merging need them).
  const fixedCves = [...(record.upstream ?? []), ...(record.related ?? [])].filter(
    (id) => CVE_ID.test(id) && id !== record.id && !aliases.includes(id),
  );
  const distroAliases = [...aliases, ...new Set(fixedCves)];
  const references = (record.references ?? []).map((r) => r.url);
  for (const affected of record.affected ?? []) {
    if (!affected.package) {
      problems.push({ reason: 'malformed-record', detail: 'affected entry without package' });
      continue;
    }
    const { ecosystem, name } = affected.package;
    const mapping = mapEcosystem(ecosystem);
    if (!mapping) {
      problems.push({ reason: 'unknown-ecosystem', detail: `ecosystem "${ecosystem}" (package ${name})` });
      continue;
    }
    const ranges: AffectedRange[] = [];
    let bad: string | undefined;
    for (const range of affected.ranges ?? []) {
      if (range.type === 'GIT') continue; // commit ranges need the source repo; we match versions
      const converted = convertRange(range, mapping.scheme);
      if (typeof converted === 'string') bad ??= converted;
      else ranges.push(converted);
    }
    if (bad) {
      problems.push({ reason: 'unparsable-range', detail: `${name}: ${bad}` });
      continue;
    }
    const packageName = normalizePackageName(mapping.scheme, name);
    const key = `${mapping.namespace}\u0000${packageName}`;
    const fixed = ranges.flatMap((r) => r.events.flatMap((e) => ('fixed' in e ? [e.fixed] : [])));
    // GHSA ranges written as `<= X` carry `last_affected`; the first patched version is kept
    // beside them, and it is what a user needs to upgrade to.
    const firstPatched = affected.database_specific?.first_patched_version;
    if (
      typeof firstPatched === 'string' &&
      isVersionSyntax(mapping.scheme, firstPatched) &&
      !fixed.includes(firstPatched)
    ) {
      fixed.push(firstPatched);
    }
    const existing = byKey.get(key);
    if (existing) {
      existing.ranges.push(...ranges);
      existing.versions.push(...(affected.versions ?? []));
      for (const f of fixed) if (!existing.fixedVersions.includes(f)) existing.fixedVersions.push(f);
      if (existing.fixedVersions.length > 0) existing.fixState = 'fixed';
      // Per-entry severities (OSV 1.5+, RustSec vectors) of the second entry count too.
      for (const s of severities(record, affected, mapping.namespace)) {
        if (!existing.severities.some((e) => JSON.stringify(e) === JSON.stringify(s)))
          existing.severities.push(s);
      }
      continue;
    }
    const advisory: Advisory = {
      id: record.id,
      aliases: mapping.namespace.startsWith('osv:') ? aliases : distroAliases,
      namespace: mapping.namespace,
      packageName,
      versionScheme: mapping.scheme,
      ranges,
      // Listed versions are matched by exact string, so they are kept verbatim, including the
      // upstream ones that are not valid in the scheme (PyPI has some).
      versions: [...(affected.versions ?? [])],
      fixedVersions: [...new Set(fixed)],
      fixState: fixed.length > 0 ? 'fixed' : 'not-fixed',
      severities: severities(record, affected, mapping.namespace),
      references,
      source: { driver: 'osv', file, recordId: record.id },
    };
    if (record.published) advisory.published = record.published;
    advisory.modified = record.modified;
    if (record.withdrawn) advisory.withdrawn = record.withdrawn;
    const summary = summaryOf(record);
    if (summary) advisory.summary = summary;
    byKey.set(key, advisory);
  }
  return { advisories: [...byKey.values()], problems };
}
