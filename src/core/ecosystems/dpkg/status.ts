/**
 * The dpkg `Status:` field is "<want> <error flag> <state>" (dpkg-query(1)). Which states
 * count as installed is a security decision: we report a package when its files can be on
 * disk at the recorded Version, because that is the code a vulnerability would be in.
 *
 * Reported:  installed, triggers-pending, triggers-awaited (fully unpacked; only triggers
 *            outstanding), half-configured and unpacked (files unpacked, configuration not
 *            finished), half-installed (an install or removal was interrupted and some files
 *            of this version may be present).
 * Skipped:   not-installed (no files), config-files (only conffiles remain after removal).
 * The want flag (install/hold/deinstall/purge) is intent, not state: "deinstall ok installed"
 * is still installed until dpkg runs. The error flag "reinstreq" does not change presence.
 */
export const DPKG_STATES = [
  'not-installed',
  'config-files',
  'half-installed',
  'unpacked',
  'half-configured',
  'triggers-awaited',
  'triggers-pending',
  'installed',
] as const;

export type DpkgState = (typeof DPKG_STATES)[number];

const PRESENT: ReadonlySet<DpkgState> = new Set([
  'half-installed',
  'unpacked',
  'half-configured',
  'triggers-awaited',
  'triggers-pending',
  'installed',
]);

export interface DpkgStatus {
  want: string;
  flag: string;
  state: DpkgState;
}

export function parseStatusField(value: string): DpkgStatus | undefined {
  const parts = value.trim().split(/\s+/);
  if (parts.length !== 3) return undefined;
  const [want, flag, state] = parts as [string, string, string];
  if (!(DPKG_STATES as readonly string[]).includes(state)) return undefined;
  return { want, flag, state: state as DpkgState };
}

export function isPresent(status: DpkgStatus): boolean {
  return PRESENT.has(status.state);
}
