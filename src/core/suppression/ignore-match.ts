/**
 * Deciding whether an ignore rule covers a finding. Versions are compared in the package's own
 * scheme: an exact version must be equal in that scheme, a range is evaluated by the scheme's
 * range syntax or, for schemes without one (deb, rpm, apk), as comparators `>= 1.0, < 2.0`.
 */
import picomatch from 'picomatch';
import { PortcullisError, isPortcullisError } from '../errors.js';
import type { Finding } from '../matching/types.js';
import { schemeOfType } from '../sbom/package-types.js';
import { schemeFor } from '../versioning/registry.js';
import type { VersionScheme } from '../versioning/types.js';
import type { IgnoreRule } from './ignore-file.js';

const COMPARATOR = /^(<=|>=|==|!=|<|>|=)\s*(\S+)$/;

export function isRange(version: string): boolean {
  return /^[<>=!~^[(]/.test(version) || /\|\||,|\s-\s|[*xX]$/.test(version);
}

function comparatorsHold(scheme: VersionScheme, version: string, range: string): boolean {
  const terms = range.split(/\s*,\s*|\s+(?=[<>=!])/).filter(Boolean);
  return terms.every((term) => {
    const m = COMPARATOR.exec(term.trim());
    if (!m)
      throw new PortcullisError('INVALID_RANGE', `comparator ${JSON.stringify(term)} is not OP VERSION`);
    const c = scheme.compare(version, m[2] as string);
    switch (m[1]) {
      case '<':
        return c < 0;
      case '<=':
        return c <= 0;
      case '>':
        return c > 0;
      case '>=':
        return c >= 0;
      case '!=':
        return c !== 0;
      default:
        return c === 0;
    }
  });
}

function versionMatches(rule: IgnoreRule, wanted: string, finding: Finding): boolean {
  const schemeId = schemeOfType(finding.package.type);
  const installed = finding.package.version;
  if (!schemeId) {
    if (isRange(wanted)) return false; // no scheme to evaluate a range in
    return installed === wanted;
  }
  const scheme = schemeFor(schemeId);
  if (!scheme.isValid(installed)) return installed === wanted;
  try {
    if (!isRange(wanted))
      return scheme.isValid(wanted) ? scheme.compare(installed, wanted) === 0 : installed === wanted;
    return scheme.satisfies
      ? scheme.satisfies(installed, wanted)
      : comparatorsHold(scheme, installed, wanted);
  } catch (err) {
    if (!isPortcullisError(err)) throw err;
    throw new PortcullisError(
      'IGNORE_FILE_INVALID',
      `ignore[${rule.index}].package.version: ${JSON.stringify(wanted)} cannot be evaluated for ${finding.package.type} (${schemeId}): ${err.message}`,
      { cause: err, details: { field: `ignore[${rule.index}].package.version`, scheme: schemeId } },
    );
  }
}

/** Plain strings compare directly: most rules name one id or package, and globs cost more. */
function globOrEqual(pattern: string, nocase: boolean): (value: string) => boolean {
  if (picomatch.scan(pattern).isGlob) return picomatch(pattern, { nocase, dot: true });
  if (!nocase) return (value) => value === pattern;
  const wanted = pattern.toUpperCase();
  return (value) => value.toUpperCase() === wanted;
}

/** Compiled globs per rule, so a rule list is tested against many findings cheaply. */
export class RuleMatcher {
  private readonly vuln?: (id: string) => boolean;
  private readonly name?: (name: string) => boolean;
  private readonly path?: (path: string) => boolean;

  constructor(readonly rule: IgnoreRule) {
    if (rule.vulnerability) this.vuln = globOrEqual(rule.vulnerability, true);
    if (rule.package?.name) this.name = globOrEqual(rule.package.name, false);
    if (rule.path) this.path = globOrEqual(rule.path, false);
  }

  matches(finding: Finding): boolean {
    const r = this.rule;
    if (this.vuln && ![finding.id, ...finding.aliases].some((id) => this.vuln?.(id))) return false;
    if (r.package?.type && r.package.type !== finding.package.type) return false;
    if (this.name && !this.name(finding.package.name)) return false;
    if (this.path && !(finding.package.path !== undefined && this.path(finding.package.path))) return false;
    if (r['fix-state'] && r['fix-state'] !== finding.fixState) return false;
    if (r.package?.version && !versionMatches(r, r.package.version, finding)) return false;
    return true;
  }
}

/** The instant a rule stops applying: a bare date lasts through that UTC day. */
export function expiryInstant(expires: string): number {
  return /^\d{4}-\d{2}-\d{2}$/.test(expires)
    ? Date.parse(`${expires}T00:00:00Z`) + 24 * 60 * 60 * 1000
    : Date.parse(expires);
}
