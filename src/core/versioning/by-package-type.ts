/**
 * Version order for a package type, for callers that know packages rather than schemes
 * (policy `required_package` minimums). Undefined when the type has no scheme or a version
 * does not parse in it.
 */
import { isSchemeId, schemeFor } from './registry.js';

const SCHEME_OF_TYPE: Record<string, string> = {
  deb: 'deb',
  rpm: 'rpm',
  apk: 'apk',
  npm: 'semver',
  python: 'pep440',
  gem: 'gem',
  java: 'maven',
  go: 'go',
  rust: 'semver',
  php: 'composer',
};

export function compareByPackageType(type: string, a: string, b: string): number | undefined {
  const id = SCHEME_OF_TYPE[type];
  if (!id || !isSchemeId(id)) return undefined;
  const scheme = schemeFor(id);
  if (!scheme.isValid(a) || !scheme.isValid(b)) return undefined;
  return scheme.compare(a, b);
}
