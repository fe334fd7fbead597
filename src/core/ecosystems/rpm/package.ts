/**
 * One rpm header → an rpm package. The package version is `[epoch:]version-release`, the
 * form rpm's own version comparison and Red Hat's advisories use; the parts stay in metadata.
 */
import { PackageURL } from 'packageurl-js';
import { toSpdx } from '../dpkg/licenses.js';
import type { ParseContext, ParsedPackage } from '../types.js';
import type { RpmHeader } from './header.js';
import { TAG } from './tags.js';

export interface RpmFile {
  path: string;
  digest?: string;
  size?: number;
  mode?: number;
}

/** rpm vendors whose PURL namespace differs from their os-release ID. */
const NAMESPACES: Readonly<Record<string, string>> = {
  rhel: 'redhat',
  ol: 'oracle',
  amzn: 'amazon',
  sles: 'suse',
  'opensuse-leap': 'opensuse',
  'opensuse-tumbleweed': 'opensuse',
};

export function headerToPackage(h: RpmHeader, context: ParseContext): ParsedPackage | string {
  const name = h.string(TAG.NAME);
  const version = h.string(TAG.VERSION);
  const release = h.string(TAG.RELEASE);
  if (!name) return 'header without NAME';
  if (!version || release === undefined) return `package ${name} has no VERSION or RELEASE`;
  const epoch = h.number(TAG.EPOCH);
  const arch = h.string(TAG.ARCH);
  const sourceRpm = h.string(TAG.SOURCERPM);
  const full = `${epoch === undefined ? '' : `${epoch}:`}${version}-${release}`;

  const metadata: Record<string, unknown> = { version, release };
  if (epoch !== undefined) metadata.epoch = epoch;
  if (arch) metadata.architecture = arch;
  if (sourceRpm) metadata.sourceRpm = sourceRpm;
  const texts: [number, string][] = [
    [TAG.VENDOR, 'vendor'],
    [TAG.PACKAGER, 'packager'],
    [TAG.SUMMARY, 'summary'],
    [TAG.URL, 'url'],
    [TAG.MODULARITYLABEL, 'modularityLabel'],
    [TAG.LICENSE, 'license'],
  ];
  for (const [tag, key] of texts) {
    const v = h.string(tag);
    if (v) metadata[key] = v;
  }
  const size = h.number(TAG.LONGSIZE) ?? h.number(TAG.SIZE);
  if (size !== undefined) metadata.size = size;
  const requires = h.strings(TAG.REQUIRENAME);
  if (requires.length > 0) metadata.requires = requires;
  const provides = h.strings(TAG.PROVIDENAME);
  if (provides.length > 0) metadata.provides = provides;
  metadata.files = files(h);

  const qualifiers: Record<string, string> = {};
  if (arch) qualifiers.arch = arch;
  if (epoch !== undefined) qualifiers.epoch = String(epoch);
  const distro = context.distro;
  if (distro?.versionId) qualifiers.distro = `${distro.id}-${distro.versionId}`;
  if (sourceRpm) qualifiers.upstream = sourceRpm;
  const namespace = distro ? (NAMESPACES[distro.id] ?? distro.id) : undefined;
  const pkg: ParsedPackage = {
    name,
    version: full,
    type: 'rpm',
    purl: new PackageURL('rpm', namespace, name, `${version}-${release}`, qualifiers, undefined).toString(),
    licenses: licenses(h.string(TAG.LICENSE)),
    metadata,
  };
  const source = sourceRpm ? parseSourceRpm(sourceRpm) : undefined;
  if (source) pkg.source = source;
  return pkg;
}

/** "openssl-3.0.7-24.el9.src.rpm" → { name: openssl, version: 3.0.7-24.el9 }. */
export function parseSourceRpm(file: string): { name: string; version: string } | undefined {
  const m = /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/.exec(file);
  return m ? { name: m[1] as string, version: `${m[2]}-${m[3]}` } : undefined;
}

/**
 * LICENSE is an SPDX expression on current Fedora/RHEL and a Fedora short name ("GPLv2+")
 * on older ones. Split into ids only when every name is a known SPDX id; otherwise the
 * declared text is kept whole, since half-translating an expression changes its meaning.
 */
function licenses(value: string | undefined): string[] {
  if (!value) return [];
  const names = value
    .replace(/[()]/g, ' ')
    .split(/\s+(?:AND|OR)\s+|\s+WITH\s+\S+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const mapped = names.map((n) => toSpdx(n));
  if (mapped.every((m): m is string => m !== undefined)) return [...new Set(mapped)];
  return [value];
}

/** File paths from BASENAMES/DIRNAMES/DIRINDEXES (or OLDFILENAMES in pre-4.0 headers). */
function files(h: RpmHeader): RpmFile[] {
  const basenames = h.strings(TAG.BASENAMES);
  const dirnames = h.strings(TAG.DIRNAMES);
  const dirindexes = h.numbers(TAG.DIRINDEXES);
  const paths =
    basenames.length > 0
      ? basenames.map((b, i) => `${dirnames[dirindexes[i] ?? -1] ?? ''}${b}`)
      : h.strings(TAG.OLDFILENAMES);
  const digests = h.strings(TAG.FILEDIGESTS);
  const sizes = h.numbers(TAG.FILESIZES);
  const modes = h.numbers(TAG.FILEMODES);
  return paths.map((path, i) => {
    const f: RpmFile = { path };
    if (digests[i]) f.digest = digests[i];
    if (sizes[i] !== undefined) f.size = sizes[i];
    if (modes[i] !== undefined) f.mode = modes[i];
    return f;
  });
}
