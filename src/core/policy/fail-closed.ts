/**
 * Conditions that fail an evaluation whatever the bundle says: an image whose package database
 * could not be read has an unknown inventory, and an image whose distro no vulnerability data
 * covers has OS packages nothing was checked against, so no policy can vouch for either. The
 * caller may opt out explicitly (`allowUnreadablePackageDb`, `allowNoVulnData`).
 */
import type { DistroDataGap } from '../matching/distro-coverage.js';
import type { Unknown } from '../sbom/model.js';

/** The unknown code the catalogers give a package database they could not read. */
export const PACKAGE_DB_UNREADABLE = 'PACKAGE_DB_UNREADABLE';
/** The code of an image whose distro (OS packages) no imported vulnerability data covers. */
export const VULNERABILITY_DATA_UNAVAILABLE = 'VULNERABILITY_DATA_UNAVAILABLE';

export type FailClosedReason =
  | {
      code: typeof PACKAGE_DB_UNREADABLE;
      /** The unreadable file, as recorded in the SBOM's unknowns. */
      path: string;
      message: string;
    }
  | {
      code: typeof VULNERABILITY_DATA_UNAVAILABLE;
      /** `amzn:2023` (os-release ID:VERSION_ID), `unknown` when not identified. */
      distro: string;
      message: string;
    };

export interface FailClosedOptions {
  allowUnreadablePackageDb?: boolean;
  allowNoVulnData?: boolean;
}

/** Also what `scan --fail-on` applies, so the two gates agree (hence only these fields are asked for). */
export function failClosedReasons(
  input: {
    unknowns?: readonly Unknown[] | undefined;
    vulnerabilityData?: { distroGap?: DistroDataGap | undefined } | undefined;
  },
  options: FailClosedOptions = {},
): FailClosedReason[] {
  const reasons: FailClosedReason[] = [];
  if (!options.allowUnreadablePackageDb) {
    for (const u of input.unknowns ?? []) {
      if (u.code !== PACKAGE_DB_UNREADABLE) continue;
      reasons.push({
        code: PACKAGE_DB_UNREADABLE,
        path: u.path,
        message: `The package database ${u.path} could not be read (${u.reason}): the image's packages are unknown, so it cannot pass`,
      });
    }
  }
  const gap = input.vulnerabilityData?.distroGap;
  if (gap && !options.allowNoVulnData) {
    reasons.push({
      code: VULNERABILITY_DATA_UNAVAILABLE,
      distro: gap.distro,
      message: `${gap.message}; the image cannot pass without that data`,
    });
  }
  return reasons;
}
