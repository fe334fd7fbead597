/**
 * Syntax checks for versions in feeds, per scheme. They decide only "could this be a version of
 * the scheme at all", so a driver can skip and count garbage at import time; ordering belongs to
 * src/core/versioning. The patterns follow each scheme's specification.
 */
import semver from 'semver';
import { nuget } from '../versioning/nuget/index.js';
import type { VersionScheme } from './model.js';

/** PEP 440 public and local version (the spec's appendix grammar), case-insensitive. */
const PEP440 =
  /^v?(?:\d+!)?\d+(?:\.\d+)*(?:[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview)[-_.]?\d*)?(?:-\d+|[-_.]?(?:post|rev|r)[-_.]?\d*)?(?:[-_.]?dev[-_.]?\d*)?(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?$/i;

/** Gem::Version::VERSION_PATTERN. */
const GEM = /^[0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/**
 * Debian policy 5.6.12: `[epoch:]upstream[-revision]`. The epoch ends at the first colon, the
 * revision starts after the last hyphen and may not be empty, the upstream part starts with a
 * digit, and colons are allowed in it only after an epoch.
 */
function debValid(version: string): boolean {
  const colon = version.indexOf(':');
  const epoch = colon >= 0 ? version.slice(0, colon) : undefined;
  if (epoch !== undefined && !/^\d+$/.test(epoch)) return false;
  const rest = colon >= 0 ? version.slice(colon + 1) : version;
  const hyphen = rest.lastIndexOf('-');
  const upstream = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
  if (hyphen >= 0 && !/^[A-Za-z0-9.+~]+$/.test(rest.slice(hyphen + 1))) return false;
  return /^\d[A-Za-z0-9.+~:-]*$/.test(upstream);
}

/** apk-tools version grammar: digits, optional letter, suffixes, -rN. */
const APK = /^\d+(?:\.\d+)*[a-z]?(?:_(?:alpha|beta|pre|rc|cvs|svn|git|hg|p)\d*)*(?:-r\d+)?$/;

/** Go module versions are SemVer with a `v`; OSV writes them without it. */
const goValid = (v: string): boolean => semver.valid(v.startsWith('v') ? v.slice(1) : v) !== null;

const NO_SPACE = /^[^\s\p{Cc}]+$/u;

const CHECKS: Record<VersionScheme, (v: string) => boolean> = {
  semver: (v) => semver.valid(v) !== null,
  go: goValid,
  pep440: (v) => PEP440.test(v),
  gem: (v) => GEM.test(v),
  deb: debValid,
  apk: (v) => APK.test(v),
  // Maven, Composer and RPM accept nearly any token; reject only what cannot be a version.
  maven: (v) => NO_SPACE.test(v),
  composer: (v) => NO_SPACE.test(v),
  rpm: (v) => NO_SPACE.test(v),
  nuget: (v) => nuget.isValid(v),
};

export const MAX_VERSION_LENGTH = 256;

/** True when `version` is syntactically a version of `scheme`. `"0"` (OSV "from the start") always is. */
export function isVersionSyntax(scheme: VersionScheme, version: string): boolean {
  if (version === '0') return true;
  if (version.length === 0 || version.length > MAX_VERSION_LENGTH) return false;
  return CHECKS[scheme](version);
}

/** SEMVER-typed OSV ranges compare as SemVer whatever the ecosystem's own scheme is. */
export function isSemverSyntax(version: string): boolean {
  return version === '0' || (version.length <= MAX_VERSION_LENGTH && semver.valid(version) !== null);
}
