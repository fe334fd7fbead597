/**
 * Version order for a package type, for callers that know packages rather than schemes
 * (policy `required_package` minimums). Undefined when the type has no scheme or a version
 * does not parse in it. The type → scheme mapping is the package-type table's.
 */
import { PACKAGE_TYPES, schemeOfType, type PackageType } from '../sbom/package-types.js';
import { schemeFor } from './registry.js';

const isPackageType = (type: string): type is PackageType => (PACKAGE_TYPES as string[]).includes(type);

export function compareByPackageType(type: string, a: string, b: string): number | undefined {
  const id = isPackageType(type) ? schemeOfType(type) : undefined;
  if (id === undefined) return undefined;
  const scheme = schemeFor(id);
  if (!scheme.isValid(a) || !scheme.isValid(b)) return undefined;
  return scheme.compare(a, b);
}
