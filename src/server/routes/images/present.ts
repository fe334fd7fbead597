/** Anchore shapes of image records, vulnerabilities and content, from our stored records. */
import type { Finding } from '../../../core/matching/types.js';
import {
  ANCHORE_PACKAGE_TYPE,
  anchoreVulnerability,
  nvdData,
  vendorCvss,
} from '../../../core/report/anchore-vulnerability.js';
import type { Package, PackageType } from '../../../core/sbom/model.js';
import type { ImageRecord } from '../../../store/repositories/images.js';
import { isoTime } from '../../schemas.js';

export const fullTag = (t: { registry: string; repo: string; tag: string }) =>
  `${t.registry}/${t.repo}:${t.tag}`;

export function presentImage(image: ImageRecord) {
  const metadata = image.analysisStatus === 'analyzed' ? image.analysisSummary : null;
  const imageId = image.imageId ?? '';
  const details = image.tags.length
    ? image.tags
    : [
        {
          registry: '',
          repo: '',
          tag: '',
          createdAt: image.createdAt,
          lastUpdated: image.lastUpdated,
          tagDetectedAt: image.createdAt,
        },
      ];
  return {
    imageDigest: image.imageDigest,
    parentDigest: image.parentDigest ?? image.imageDigest,
    userId: image.accountName,
    image_type: image.imageType,
    analysis_status: image.analysisStatus,
    analysis_error: image.analysisError,
    image_status: image.imageStatus,
    analyzed_at: isoTime(image.analyzedAt),
    created_at: isoTime(image.createdAt),
    last_updated: isoTime(image.lastUpdated),
    record_version: 'v1',
    annotations: image.annotations,
    image_content: {
      metadata: metadata
        ? {
            arch: metadata.arch,
            distro: metadata.distro,
            distro_version: metadata.distroVersion,
            dockerfile_mode: image.dockerfile ? 'Actual' : 'Guessed',
            image_size: metadata.imageSize,
            layer_count: metadata.layerCount,
          }
        : {},
    },
    image_detail: details.map((t) => ({
      fulltag: t.registry ? fullTag(t) : null,
      fulldigest: t.registry ? `${t.registry}/${t.repo}@${image.imageDigest}` : null,
      registry: t.registry,
      repo: t.repo,
      tag: t.tag,
      digest: image.imageDigest,
      imageId,
      imageDigest: image.imageDigest,
      userId: image.accountName,
      dockerfile: image.dockerfile,
      created_at: isoTime(t.createdAt),
      last_updated: isoTime(t.lastUpdated),
      tag_detected_at: isoTime(t.tagDetectedAt),
    })),
  };
}

/** Package types Anchore files under `non-os`; everything else is `os`. */
const NON_OS: ReadonlySet<PackageType> = new Set<PackageType>([
  'npm',
  'python',
  'java',
  'gem',
  'go',
  'rust',
  'dotnet',
  'php',
  'binary',
]);

export const VULN_TYPES = ['os', 'non-os', 'all'] as const;
export type VulnType = (typeof VULN_TYPES)[number];

export { ANCHORE_PACKAGE_TYPE, nvdData, vendorCvss };

export function presentVulnerabilities(findings: readonly Finding[], type: VulnType, vendorOnly: boolean) {
  return findings
    .filter((f) => type === 'all' || NON_OS.has(f.package.type) === (type === 'non-os'))
    .filter((f) => !f.suppressed && (!vendorOnly || f.fixState !== 'wont-fix'))
    .map((f) => ({ ...anchoreVulnerability(f), origin_layer: f.originLayer ?? null, origin: f.origin }));
}

/** Content types the catalogers can fill, with the package types each lists. */
export const CONTENT_TYPES: Readonly<Record<string, readonly PackageType[] | 'files'>> = {
  os: ['deb', 'apk', 'rpm'],
  files: 'files',
  npm: ['npm'],
  gem: ['gem'],
  python: ['python'],
  java: ['java'],
  go: ['go'],
  binary: ['binary'],
  nuget: ['dotnet'],
  rust: ['rust'],
  php: ['php'],
};

/**
 * Installed size in bytes, as Anchore Engine reported it: dpkg records KiB (`Installed-Size`),
 * apk (`I:`) and rpm (`SIZE`) record bytes. 0 when the package database says nothing.
 */
function installedBytes(p: Package): number {
  const { installedSizeKiB, installedSize, size } = p.metadata;
  if (typeof installedSizeKiB === 'number') return installedSizeKiB * 1024;
  if (typeof installedSize === 'number') return installedSize;
  if (p.type === 'rpm' && typeof size === 'number') return size;
  return 0;
}

export function presentPackage(p: Package, contentType: string) {
  const location = p.locations[0]?.path ?? '';
  const common = {
    package: p.name,
    version: p.version,
    type: contentType === 'os' ? ANCHORE_PACKAGE_TYPE[p.type] : ANCHORE_PACKAGE_TYPE[p.type].toUpperCase(),
    origin: typeof p.metadata.maintainer === 'string' ? p.metadata.maintainer : 'N/A',
    license: p.licenses.join(' ') || 'Unknown',
    licenses: p.licenses.length ? p.licenses : ['Unknown'],
    cpes: [] as string[],
    purl: p.purl,
    origin_layer: p.originLayer ?? null,
  };
  if (contentType === 'os') {
    return {
      ...common,
      size: installedBytes(p),
      sourcepkg: p.source?.name ?? p.name,
    };
  }
  if (contentType === 'java') {
    return {
      ...common,
      location,
      'specification-version': 'N/A',
      'implementation-version': 'N/A',
      'maven-version': p.version,
      metadata: p.metadata,
    };
  }
  return { ...common, location };
}
