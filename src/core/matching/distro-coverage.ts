/**
 * Whether the vulnerability data can say anything about an image's OS packages. They are
 * looked up in one namespace (`distroNamespace`: `amzn:2023`, `debian:12`); when no imported
 * feed holds records there, every OS package comes out clean whatever it is, and a gate must
 * not pass that silently. Images without OS packages (scratch, language-only) need no OS data.
 */
import { distroSource } from '../advisories/feeds/distro-sources.js';
import type { SbomDistro } from '../sbom/document.js';
import type { Package } from '../sbom/model.js';
import { packageTypeInfo } from '../sbom/package-types.js';
import { distroNamespace } from './distro-namespaces.js';

/** One imported feed and the namespaces its records are in. */
export interface FeedCoverage {
  name: string;
  namespaces: readonly string[];
  records: number;
}

/** What OS data is missing for an image, in words a user can act on. */
export interface DistroDataGap {
  /** `amzn:2023` (os-release ID:VERSION_ID), `unknown` when no distro was identified. */
  distro: string;
  /** The namespace its packages are looked up in, when there is one. */
  namespace?: string;
  /** The OS packages no data covers. */
  packages: number;
  message: string;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function missing(namespace: string, feeds: readonly FeedCoverage[]): string {
  const source = distroSource(namespace);
  if (!source) return `Portcullis has no advisory source for ${namespace.split(':')[0] ?? namespace}`;
  const what = source.osvEcosystem
    ? `the ${source.feed} feed (OSV ecosystem ${source.osvEcosystem})`
    : `the ${source.feed} feed`;
  const feed = feeds.find((f) => f.name === source.feed);
  if (!feed) return `${what} was never imported (run \`portcullis db update\`)`;
  if (feed.records === 0) return `${what} holds 0 records (run \`portcullis db update\`)`;
  const others = feed.namespaces.filter(
    (n) => n.startsWith(`${source.prefix}:`) || n.startsWith(`${source.prefix}-`),
  );
  return `${what} holds no advisories for ${namespace}${others.length ? ` (only ${others.join(', ')})` : ''}`;
}

/** The gap for this image's OS packages, or undefined when the data covers them (or there are none). */
export function distroDataGap(
  distro: SbomDistro | undefined,
  packages: readonly Pick<Package, 'type'>[],
  feeds: readonly FeedCoverage[],
): DistroDataGap | undefined {
  const os = packages.filter((p) => packageTypeInfo(p.type).advisories.kind === 'distro').length;
  if (os === 0) return undefined;
  const count = plural(os, 'OS package');
  if (!distro) {
    return {
      distro: 'unknown',
      packages: os,
      message: `No vulnerability data can apply to the image's ${count}: its distro could not be identified (no readable /etc/os-release)`,
    };
  }
  const label = `${distro.id}:${distro.versionId ?? distro.versionCodename ?? 'unknown'}`;
  const namespace = distroNamespace(distro);
  if (!namespace) {
    return {
      distro: label,
      packages: os,
      message: `Vulnerability data not available for the image distro: ${label}: it has no release number to look its ${count} up by`,
    };
  }
  if (feeds.some((f) => f.records > 0 && f.namespaces.includes(namespace))) return undefined;
  return {
    distro: label,
    namespace,
    packages: os,
    message: `Vulnerability data not available for the image distro: ${label}: ${missing(namespace, feeds)}; its ${count} ${os === 1 ? 'was' : 'were'} not checked`,
  };
}
