/**
 * Package-name normalization per ecosystem, applied to advisories here and to SBOM packages by
 * the matcher, so both sides meet on the same key.
 *
 * - PyPI: PEP 503 (lower case, runs of `-`, `_`, `.` become one `-`).
 * - npm: kept as written. npm names are case-sensitive in practice: the registry still serves
 *   legacy mixed-case packages (`JSONStream`) and a lockfile or `package.json` carries the exact
 *   spelling, so lower-casing would only create false matches between distinct packages.
 * - Maven: `group:artifact`, trimmed; the advisory spelling is already canonical.
 * - Packagist: lower case (Composer names are lower case by rule, Packagist folds them).
 * - NuGet: lower case. Package ids are case-insensitive on nuget.org (`Newtonsoft.Json` and
 *   `newtonsoft.json` are one package; restore writes the lower-case form into paths), while
 *   advisories and deps.json spell them as published.
 * - Go module paths, crates, gems, distro packages: kept as written (case matters there).
 */
import type { VersionScheme } from './model.js';

export function pep503(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

export function normalizePackageName(scheme: VersionScheme, name: string): string {
  const trimmed = name.trim();
  if (scheme === 'pep440') return pep503(trimmed);
  if (scheme === 'composer' || scheme === 'nuget') return trimmed.toLowerCase();
  if (scheme === 'maven') return trimmed.replace(/\s*:\s*/g, ':');
  return trimmed;
}
