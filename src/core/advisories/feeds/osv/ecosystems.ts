/**
 * OSV ecosystem → Portcullis namespace and version scheme. Language ecosystems keep OSV's
 * spelling under `osv:`; distro ecosystems (`Debian:12`, `Alpine:v3.18`) map onto the same
 * namespaces the distro trackers use, so a matcher sees one namespace per release.
 * Ecosystems whose version scheme we do not implement are unknown on purpose: importing them
 * would produce advisories nothing can evaluate.
 */
import { osvEcosystems } from '../../../sbom/package-types.js';
import type { VersionScheme } from '../../model.js';

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

/** `<Distro>:<release>` prefixes; the release is kept without a leading `v`. */
const DISTRO: Readonly<Record<string, { prefix: string; scheme: VersionScheme; release: RegExp }>> = {
  Debian: { prefix: 'debian', scheme: 'deb', release: /^\d+$/ },
  Ubuntu: { prefix: 'ubuntu', scheme: 'deb', release: /^\d\d\.\d\d(?::LTS)?$/ },
  Alpine: { prefix: 'alpine', scheme: 'apk', release: /^v?\d+\.\d+$/ },
  AlmaLinux: { prefix: 'almalinux', scheme: 'rpm', release: /^\d+$/ },
  'Rocky Linux': { prefix: 'rocky', scheme: 'rpm', release: /^\d+$/ },
};

export function mapEcosystem(ecosystem: string): EcosystemMapping | undefined {
  const language = LANGUAGE[ecosystem];
  if (language) return { namespace: `osv:${ecosystem}`, scheme: language };
  const colon = ecosystem.indexOf(':');
  if (colon <= 0) return undefined;
  const distro = DISTRO[ecosystem.slice(0, colon)];
  const release = ecosystem.slice(colon + 1);
  if (!distro || !distro.release.test(release)) return undefined;
  const version = release.replace(/^v/, '').replace(/:LTS$/, '');
  return { namespace: `${distro.prefix}:${version}`, scheme: distro.scheme };
}

/** The version schemes of the distro ecosystems OSV publishes and we import. */
export function distroSchemes(): VersionScheme[] {
  return [...new Set(Object.values(DISTRO).map((d) => d.scheme))];
}
