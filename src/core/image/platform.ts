import { PortcullisError } from '../errors.js';
import type { Descriptor, Platform } from './types.js';

/** Parses `os/arch[/variant]` as given to --platform. */
export function parsePlatform(text: string): Platform {
  const parts = text.trim().split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '' || /\s/.test(p))) {
    throw new PortcullisError('INVALID_ARGUMENT', `platform "${text}" is not of the form os/arch[/variant]`);
  }
  const [os, architecture, variant] = parts as [string, string, string | undefined];
  return normalizePlatform(variant ? { os, architecture, variant } : { os, architecture });
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** Normalizes aliases the way containerd's platforms package does (x86_64→amd64, aarch64→arm64, arm64/v8 ≡ arm64). */
export function normalizePlatform(p: Platform): Platform {
  const aliases: Record<string, string> = {
    x86_64: 'amd64',
    'x86-64': 'amd64',
    aarch64: 'arm64',
    armhf: 'arm',
    armel: 'arm',
    i386: '386',
  };
  const architecture = aliases[p.architecture] ?? p.architecture;
  let variant = p.variant;
  if (architecture === 'arm64' && (variant === 'v8' || variant === '8')) variant = undefined;
  if (architecture === 'amd64' && variant === 'v1') variant = undefined;
  if (p.architecture === 'armhf') variant = variant ?? 'v7';
  if (p.architecture === 'armel') variant = variant ?? 'v6';
  const out: Platform = { os: p.os.toLowerCase(), architecture };
  if (variant) out.variant = variant;
  if (p.osVersion) out.osVersion = p.osVersion;
  return out;
}

/** The platform of the machine we run on, as Go/OCI names it. */
export function hostPlatform(
  nodeArch: string = process.arch,
  nodePlatform: string = process.platform,
): Platform {
  const arch: Record<string, Platform> = {
    x64: { os: 'linux', architecture: 'amd64' },
    arm64: { os: 'linux', architecture: 'arm64' },
    arm: { os: 'linux', architecture: 'arm', variant: 'v7' },
    ia32: { os: 'linux', architecture: '386' },
    ppc64: { os: 'linux', architecture: 'ppc64le' },
    s390x: { os: 'linux', architecture: 's390x' },
    riscv64: { os: 'linux', architecture: 'riscv64' },
  };
  const base = arch[nodeArch] ?? { os: 'linux', architecture: nodeArch };
  // Container images are Linux images even when the scanner runs on macOS or Windows.
  return { ...base, os: nodePlatform === 'win32' ? 'windows' : 'linux' };
}

export function platformMatches(wanted: Platform, candidate: Platform | undefined): boolean {
  if (!candidate) return false;
  const w = normalizePlatform(wanted);
  const c = normalizePlatform(candidate);
  if (w.os !== c.os || w.architecture !== c.architecture) return false;
  return w.variant === undefined || w.variant === c.variant;
}

/** Index children that are images (not attestations or other artifacts). */
export function imageDescriptors(manifests: readonly Descriptor[]): Descriptor[] {
  return manifests.filter(
    (d) =>
      d.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest' &&
      !(d.platform?.os === 'unknown' && d.platform.architecture === 'unknown'),
  );
}

/** Picks the child of an index for `wanted`; prefers an exact variant match, then the first compatible one. */
export function selectPlatform(
  manifests: readonly Descriptor[],
  wanted: Platform,
  source: string,
): Descriptor {
  const images = imageDescriptors(manifests);
  const w = normalizePlatform(wanted);
  const compatible = images.filter((d) => platformMatches(w, d.platform));
  const exact = compatible.find((d) => normalizePlatform(d.platform as Platform).variant === w.variant);
  const chosen = exact ?? compatible[0];
  if (chosen) return chosen;
  const available = images.map((d) => (d.platform ? formatPlatform(d.platform) : 'unknown')).join(', ');
  throw new PortcullisError(
    'PLATFORM_NOT_FOUND',
    `${source} has no image for platform ${formatPlatform(w)} (available: ${available || 'none'})`,
    { details: { source, wanted: formatPlatform(w), available } },
  );
}

/**
 * A single (non-index) image opened with an explicit --platform must be of that platform:
 * analysing an amd64 image when arm64 was asked for would answer the wrong question. Images
 * whose config names no platform (`unknown`) are accepted as they are.
 */
export function checkSinglePlatform(image: { platform: Platform; source: string }, wanted: Platform): void {
  const actual = image.platform;
  if (actual.os === 'unknown' || actual.architecture === 'unknown') return;
  if (platformMatches(wanted, actual)) return;
  const available = formatPlatform(actual);
  throw new PortcullisError(
    'PLATFORM_NOT_FOUND',
    `${image.source} is a single-platform image: no image for platform ${formatPlatform(normalizePlatform(wanted))} (available: ${available})`,
    { details: { source: image.source, wanted: formatPlatform(normalizePlatform(wanted)), available } },
  );
}
