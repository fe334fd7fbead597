/**
 * Where each distro's advisories come from: the namespace prefix the matcher looks distro
 * packages up in (`distroNamespace`) → the feed that imports them, and for OSV-published
 * distros the OSV ecosystem `db update` downloads (`<Ecosystem>/all.zip`). A distro missing
 * here has no data at all; one listed here has data only once its feed was imported and holds
 * records for the image's release. The contract test checks that every entry is downloadable.
 */

export interface DistroSource {
  /** Namespace prefix (`amzn` of `amzn:2023`). */
  prefix: string;
  /** The feed driver id that imports it. */
  feed: string;
  /** The OSV ecosystem, when the feed is `osv`. */
  osvEcosystem?: string;
}

export const DISTRO_SOURCES: readonly DistroSource[] = Object.freeze([
  { prefix: 'debian', feed: 'debian-tracker' },
  { prefix: 'ubuntu', feed: 'osv', osvEcosystem: 'Ubuntu' },
  { prefix: 'alpine', feed: 'alpine-secdb' },
  { prefix: 'almalinux', feed: 'osv', osvEcosystem: 'AlmaLinux' },
  { prefix: 'rocky', feed: 'osv', osvEcosystem: 'Rocky Linux' },
  { prefix: 'redhat', feed: 'redhat-csaf' },
  { prefix: 'amzn', feed: 'amazon-alas' },
  { prefix: 'sles', feed: 'osv', osvEcosystem: 'SUSE' },
  { prefix: 'opensuse-leap', feed: 'osv', osvEcosystem: 'openSUSE' },
  { prefix: 'opensuse-tumbleweed', feed: 'osv', osvEcosystem: 'openSUSE' },
  { prefix: 'wolfi', feed: 'osv', osvEcosystem: 'Wolfi' },
  { prefix: 'chainguard', feed: 'osv', osvEcosystem: 'Chainguard' },
]);

/** The source of a distro namespace (`ubuntu:22.04` → the osv feed, ecosystem Ubuntu). */
export function distroSource(namespace: string): DistroSource | undefined {
  const prefix = namespace.slice(0, namespace.indexOf(':'));
  return DISTRO_SOURCES.find((s) => s.prefix === prefix);
}

/** The OSV distro ecosystems a live `db update` downloads, each once. */
export function osvDistroDownloads(): string[] {
  return [...new Set(DISTRO_SOURCES.flatMap((s) => (s.osvEcosystem ? [s.osvEcosystem] : [])))];
}
