/**
 * Whether an operating-system CPE (`cpe:2.3:o:...`) describes the image's distro. NVD's
 * "running on" nodes AND a vulnerable application with a platform; we only consider such a
 * node satisfied when the image's own distro is that platform, which is what keeps a CVE about
 * "X on Windows" or "X on Fedora 38" off a Debian image.
 */
import type { CpeMatch } from '../../advisories/model.js';
import type { SbomDistro } from '../../sbom/document.js';
import { schemeFor } from '../../versioning/registry.js';
import { acceptsValue, type Cpe } from './parse.js';

/** os-release ID → NVD's vendor and product for that distro. */
const DISTRO_CPE: Record<string, { vendor: string; product: string }> = {
  debian: { vendor: 'debian', product: 'debian_linux' },
  ubuntu: { vendor: 'canonical', product: 'ubuntu_linux' },
  alpine: { vendor: 'alpinelinux', product: 'alpine_linux' },
  fedora: { vendor: 'fedoraproject', product: 'fedora' },
  rhel: { vendor: 'redhat', product: 'enterprise_linux' },
  centos: { vendor: 'centos', product: 'centos' },
  rocky: { vendor: 'rockylinux', product: 'rocky_linux' },
  almalinux: { vendor: 'almalinux', product: 'almalinux' },
  opensuse: { vendor: 'opensuse', product: 'leap' },
  amzn: { vendor: 'amazon', product: 'linux' },
};

/** `12.0.0` and `12` name the same release; NVD writes Debian 12 as `12.0`. */
function release(version: string): string {
  return version.replace(/(\.0+)+$/, '');
}

export function distroSatisfies(cpe: Cpe, match: CpeMatch, distro: SbomDistro | undefined): boolean {
  if (!distro) return false;
  const known = DISTRO_CPE[distro.id];
  if (!known || !acceptsValue(cpe.vendor, known.vendor) || !acceptsValue(cpe.product, known.product))
    return false;
  if (cpe.vendor.kind !== 'value' || cpe.product.kind !== 'value') return false;
  if (cpe.version.kind === 'na') return true;
  const installed = distro.versionId;
  if (!installed) return false;
  if (cpe.version.kind === 'value') {
    return !cpe.version.pattern && release(cpe.version.value) === release(installed);
  }
  // Release numbers are dotted integers; Debian's order compares those correctly.
  const deb = schemeFor('deb');
  const checks: [string | undefined, (c: number) => boolean][] = [
    [match.versionStartIncluding, (c) => c >= 0],
    [match.versionStartExcluding, (c) => c > 0],
    [match.versionEndIncluding, (c) => c <= 0],
    [match.versionEndExcluding, (c) => c < 0],
  ];
  for (const [bound, holds] of checks) {
    if (bound === undefined) continue;
    if (!deb.isValid(bound) || !deb.isValid(installed)) return false;
    if (!holds(deb.compare(release(installed), release(bound)))) return false;
  }
  return true;
}
