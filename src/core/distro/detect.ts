/**
 * Distro detection. Order follows os-release(5): /etc/os-release wins over /usr/lib/os-release;
 * only when neither names an ID do the older release files count; an image with neither but a
 * distroless dpkg status.d is Debian (Google's distroless images are built from Debian).
 */
import type { FileResolver } from '../ecosystems/types.js';
import { parseOsRelease } from './os-release.js';
import { parseAlpineRelease, parseDebianVersion, parseRedHatRelease } from './release-files.js';
import type { Distro } from './types.js';

/** Release files are a few hundred bytes; anything beyond this is not one. */
const MAX_RELEASE_FILE = 64 * 1024;

const OS_RELEASE_PATHS = ['/etc/os-release', '/usr/lib/os-release'] as const;

const FALLBACKS: readonly [string, (text: string) => Omit<Distro, 'source'> | undefined][] = [
  ['/etc/alpine-release', parseAlpineRelease],
  ['/etc/redhat-release', parseRedHatRelease],
  ['/etc/centos-release', parseRedHatRelease],
  ['/etc/system-release', parseRedHatRelease],
  ['/etc/debian_version', parseDebianVersion],
];

export async function detectDistro(resolver: FileResolver): Promise<Distro | undefined> {
  for (const path of OS_RELEASE_PATHS) {
    const text = await readText(resolver, path);
    if (text === undefined) continue;
    const distro = fromOsRelease(text, path);
    if (distro) return distro;
  }
  for (const [path, parse] of FALLBACKS) {
    const text = await readText(resolver, path);
    const found = text === undefined ? undefined : parse(text);
    if (found) return { ...found, source: path };
  }
  return distroless(resolver);
}

export function fromOsRelease(text: string, path: string): Distro | undefined {
  const { fields } = parseOsRelease(text, path);
  const id = fields.ID?.trim().toLowerCase();
  if (!id) return undefined;
  const distro: Distro = {
    id,
    idLike: (fields.ID_LIKE ?? '').split(/\s+/).filter((s) => s !== ''),
    source: path,
  };
  if (fields.VERSION_ID) distro.versionId = fields.VERSION_ID;
  if (fields.VERSION_CODENAME) distro.versionCodename = fields.VERSION_CODENAME;
  if (fields.PRETTY_NAME) distro.prettyName = fields.PRETTY_NAME;
  return distro;
}

/**
 * Distroless images have /var/lib/dpkg/status.d/<pkg> stanzas and often no release file; the
 * base-files package version ("12.4+deb12u5") carries the Debian release.
 */
async function distroless(resolver: FileResolver): Promise<Distro | undefined> {
  const entries = await resolver.glob('/var/lib/dpkg/status.d/*');
  if (entries.length === 0) return undefined;
  const distro: Distro = { id: 'debian', idLike: [], source: '/var/lib/dpkg/status.d' };
  const baseFiles = entries.find((p) => /\/base-files(?:_[^/]*)?$/.test(p));
  const text = baseFiles === undefined ? undefined : await readText(resolver, baseFiles);
  const version = text === undefined ? undefined : /^Version:\s*(\d+)\./m.exec(text)?.[1];
  if (version !== undefined && baseFiles !== undefined) {
    distro.versionId = version;
    distro.source = baseFiles;
  }
  return distro;
}

async function readText(resolver: FileResolver, path: string): Promise<string | undefined> {
  const buf = await resolver.read(path);
  if (buf === undefined) return undefined;
  return buf.subarray(0, MAX_RELEASE_FILE).toString('utf8');
}

/** The distro as catalogers' ParseContext wants it (PURL `distro=` qualifiers). */
export function distroForContext(distro: Distro): { id: string; versionId?: string; codename?: string } {
  const out: { id: string; versionId?: string; codename?: string } = { id: distro.id };
  if (distro.versionId) out.versionId = distro.versionId;
  if (distro.versionCodename) out.codename = distro.versionCodename;
  return out;
}
