/**
 * OSV ecosystem → Portcullis namespace and version scheme. Language ecosystems keep OSV's
 * spelling under `osv:`; distro ecosystems (`Debian:12`, `Alpine:v3.18`) map onto the same
 * namespaces the distro trackers use, so a matcher sees one namespace per release.
 * Ecosystems whose version scheme we do not implement are unknown on purpose: importing them
 * would produce advisories nothing can evaluate.
 */
import { osvEcosystems } from '../../../sbom/package-types.js';
import { ROLLING_RELEASE, type VersionScheme } from '../../model.js';

export interface EcosystemMapping {
  namespace: string;
  scheme: VersionScheme;
}

/**
 * The OSV ecosystems of cataloged package types (package-type table), plus Hex: imported when
 * asked for, although no cataloger finds Elixir packages yet.
 */
const LANGUAGE: Readonly<Record<string, VersionScheme>> = Object.freeze({
  ...Object.fromEntries(osvEcosystems().map(({ ecosystem, scheme }) => [ecosystem, scheme])),
  Hex: 'semver',
});

/** `<Distro>:<release>` prefixes; `release` turns the upstream release into ours (undefined: skip). */
const DISTRO: Readonly<
  Record<string, { prefix: string; scheme: VersionScheme; release: (r: string) => string | undefined }>
> = {
  Debian: { prefix: 'debian', scheme: 'deb', release: (r) => (/^\d+$/.test(r) ? r : undefined) },
  Ubuntu: { prefix: 'ubuntu', scheme: 'deb', release: (r) => /^(\d\d\.\d\d)(?::LTS)?$/.exec(r)?.[1] },
  Alpine: { prefix: 'alpine', scheme: 'apk', release: (r) => /^v?(\d+\.\d+)$/.exec(r)?.[1] },
  AlmaLinux: { prefix: 'almalinux', scheme: 'rpm', release: (r) => (/^\d+$/.test(r) ? r : undefined) },
  'Rocky Linux': { prefix: 'rocky', scheme: 'rpm', release: (r) => (/^\d+$/.test(r) ? r : undefined) },
  SUSE: { prefix: 'sles', scheme: 'rpm', release: slesRelease },
  openSUSE: { prefix: 'opensuse', scheme: 'rpm', release: openSuseRelease },
};

/**
 * SUSE names a product per service pack ("Linux Enterprise Server 15 SP5"); an SLES image
 * (os-release VERSION_ID 15.5) installs from the Server product, its LTSS stream and its
 * modules ("Linux Enterprise Module for Basesystem 15 SP5"), so all of them are `sles:15.5`.
 * Other products (SAP, HPC, Desktop, Micro, Package Hub) are different distros or unsupported
 * community builds with their own os-release IDs: unknown here, so they never leak into SLES.
 */
function slesRelease(product: string): string | undefined {
  const m =
    /^Linux Enterprise (?:Server(?: LTSS)?|Module for [A-Za-z0-9 ]+?) (\d+)(?: SP(\d+))?(?:-LTSS)?$/.exec(
      product,
    );
  if (!m) return undefined;
  return m[2] === undefined ? m[1] : `${m[1]}.${m[2]}`;
}

/** "Leap 15.5" → `opensuse-leap:15.5`; "Tumbleweed" is rolling. */
function openSuseRelease(product: string): string | undefined {
  if (product === 'Tumbleweed') return `tumbleweed:${ROLLING_RELEASE}`;
  const leap = /^Leap (\d+\.\d+)$/.exec(product)?.[1];
  return leap === undefined ? undefined : `leap:${leap}`;
}

/** Rolling distros have one stream and no release in the ecosystem name. */
const ROLLING: Readonly<Record<string, { prefix: string; scheme: VersionScheme }>> = {
  Wolfi: { prefix: 'wolfi', scheme: 'apk' },
  Chainguard: { prefix: 'chainguard', scheme: 'apk' },
};

export function mapEcosystem(ecosystem: string): EcosystemMapping | undefined {
  const language = LANGUAGE[ecosystem];
  if (language) return { namespace: `osv:${ecosystem}`, scheme: language };
  const rolling = ROLLING[ecosystem];
  if (rolling) return { namespace: `${rolling.prefix}:${ROLLING_RELEASE}`, scheme: rolling.scheme };
  const colon = ecosystem.indexOf(':');
  if (colon <= 0) return undefined;
  const distro = DISTRO[ecosystem.slice(0, colon)];
  const release = distro?.release(ecosystem.slice(colon + 1));
  if (!distro || release === undefined) return undefined;
  // openSUSE's release carries its os-release ID suffix (leap / tumbleweed).
  const separator = distro.prefix === 'opensuse' ? '-' : ':';
  return { namespace: `${distro.prefix}${separator}${release}`, scheme: distro.scheme };
}

/** The version schemes of the distro ecosystems OSV publishes and we import. */
export function distroSchemes(): VersionScheme[] {
  return [...new Set([...Object.values(DISTRO), ...Object.values(ROLLING)].map((d) => d.scheme))];
}

/**
 * The distro ecosystems this mapping imports, with the namespace prefix of their records
 * (openSUSE's is `opensuse-leap` / `opensuse-tumbleweed`, hence a prefix of the prefix).
 */
export function osvDistroEcosystems(): { ecosystem: string; prefix: string }[] {
  return [...Object.entries(DISTRO), ...Object.entries(ROLLING)].map(([ecosystem, d]) => ({
    ecosystem,
    prefix: d.prefix,
  }));
}
