/**
 * Conditions that fail an evaluation whatever the bundle says: an image whose package database
 * could not be read has an unknown inventory, so no policy can vouch for it. The caller may opt
 * out explicitly (`EvaluateOptions.allowUnreadablePackageDb`).
 */
import type { Unknown } from '../sbom/model.js';

/** The unknown code the catalogers give a package database they could not read. */
export const PACKAGE_DB_UNREADABLE = 'PACKAGE_DB_UNREADABLE';

export interface FailClosedReason {
  code: typeof PACKAGE_DB_UNREADABLE;
  /** The unreadable file, as recorded in the SBOM's unknowns. */
  path: string;
  message: string;
}

/** Also what `scan --fail-on` applies, so the two gates agree (hence only the unknowns are asked for). */
export function failClosedReasons(
  input: { unknowns?: readonly Unknown[] | undefined },
  allowUnreadablePackageDb: boolean,
): FailClosedReason[] {
  if (allowUnreadablePackageDb) return [];
  return (input.unknowns ?? [])
    .filter((u) => u.code === PACKAGE_DB_UNREADABLE)
    .map((u) => ({
      code: PACKAGE_DB_UNREADABLE,
      path: u.path,
      message: `The package database ${u.path} could not be read (${u.reason}): the image's packages are unknown, so it cannot pass`,
    }));
}
