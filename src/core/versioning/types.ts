/**
 * The contract every version scheme implements. Schemes are shared across ecosystems (deb is
 * used by Debian and Ubuntu, semver by npm and others), so they live apart from ecosystems.
 */
export const SCHEME_IDS = [
  'deb',
  'rpm',
  'apk',
  'semver',
  'pep440',
  'maven',
  'gem',
  'composer',
  'go',
  'nuget',
] as const;
export type SchemeId = (typeof SCHEME_IDS)[number];

export interface VersionScheme {
  id: SchemeId;
  /** Never throws: garbage is simply not valid. */
  isValid(version: string): boolean;
  /** <0, 0, >0. Throws PortcullisError('INVALID_VERSION') when either side is not valid. */
  compare(a: string, b: string): number;
  /**
   * Present where the ecosystem has its own range syntax (npm ranges, `~>` gem requirements,
   * PEP 440 specifiers, Maven ranges, Composer constraints). Throws PortcullisError
   * ('INVALID_RANGE') for an unparsable range and ('INVALID_VERSION') for a bad version.
   */
  satisfies?(version: string, range: string): boolean;
}

/** One OSV `events` entry: exactly one of the keys is set. */
export interface OsvEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
  limit?: string;
}
