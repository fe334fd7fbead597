/**
 * The advisory namespace of a distro release, from os-release ID and VERSION_ID. Each distro
 * publishes its advisories per release at its own granularity, and the namespace must meet the
 * feed drivers on exactly that granularity:
 *
 * - Alpine secdb is per minor release (`alpine:3.18` from 3.18.4).
 * - Red Hat, AlmaLinux and Rocky publish per major release (`redhat:9` from 9.3; RHEL and UBI
 *   both carry ID=rhel). Red Hat's PURL and CSAF vendor name is `redhat`, not `rhel`.
 * - Amazon Linux: 2 and 2023 as is; Amazon Linux 1's VERSION_ID is a date (2018.03): `amzn:1`.
 * - SUSE publishes per service pack: SLES 15 SP5 is VERSION_ID 15.5 (`sles:15.5`), Leap 15.5
 *   is `opensuse-leap:15.5`.
 * - Rolling distros (Tumbleweed, Wolfi, Chainguard) have one stream whatever the snapshot date in
 *   VERSION_ID says: `<id>:rolling`.
 * - Everything else (Debian, Ubuntu, ...) uses VERSION_ID as is.
 */
import { ROLLING_RELEASE } from '../advisories/model.js';
import type { SbomDistro } from '../sbom/document.js';
import type { Package } from '../sbom/model.js';

const ROLLING = new Set(['opensuse-tumbleweed', 'wolfi', 'chainguard']);
const MAJOR_ONLY: Readonly<Record<string, string>> = {
  rhel: 'redhat',
  almalinux: 'almalinux',
  rocky: 'rocky',
};

export function distroNamespace(distro: SbomDistro): string | undefined {
  if (ROLLING.has(distro.id)) return `${distro.id}:${ROLLING_RELEASE}`;
  const version = distro.versionId?.trim();
  if (!version) return undefined;
  const prefix = MAJOR_ONLY[distro.id];
  if (prefix) {
    const major = /^(\d+)(?:\.|$)/.exec(version)?.[1];
    return major === undefined ? undefined : `${prefix}:${major}`;
  }
  if (distro.id === 'alpine') return `alpine:${version.split('.').slice(0, 2).join('.')}`;
  if (distro.id === 'amzn') return `amzn:${/^\d{4}\.\d\d$/.test(version) ? '1' : version}`;
  return `${distro.id}:${version}`;
}

/**
 * The version a distro's advisory is compared with when it is keyed on the source package.
 * rpm's SOURCERPM file name carries no epoch, but every subpackage shares its source's epoch,
 * and Red Hat, Amazon and SUSE write fixed versions with it (`1:3.0.7-27.el9`): the binary's
 * epoch is put back, or every epoch-bearing package would compare as older than its fix.
 */
export function sourceLookupVersion(
  type: Package['type'],
  binaryVersion: string,
  sourceVersion: string,
): string {
  if (type !== 'rpm' || sourceVersion.includes(':')) return sourceVersion;
  const epoch = /^(\d+):/.exec(binaryVersion)?.[1];
  return epoch === undefined ? sourceVersion : `${epoch}:${sourceVersion}`;
}

/**
 * Red Hat keys module builds on `<module>:<stream>/<package>` (`nodejs:18/nodejs`): a stream's
 * fix says nothing about another stream's versions. An rpm built in a module carries its
 * MODULARITYLABEL (`nodejs:18:8080020231024104541:63b34585`) in the cataloged metadata.
 */
export function sourceLookupName(namespace: string, pkg: Package, sourceName: string): string {
  if (pkg.type !== 'rpm' || !namespace.startsWith('redhat:')) return sourceName;
  const label = pkg.metadata?.modularityLabel;
  if (typeof label !== 'string') return sourceName;
  const [module, stream] = label.split(':');
  return module && stream ? `${module}:${stream}/${sourceName}` : sourceName;
}
