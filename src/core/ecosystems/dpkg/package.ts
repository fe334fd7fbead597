/**
 * One dpkg status stanza → a deb package (without owned files and licences, which need
 * sibling files). Field meanings follow deb-control(5) and dpkg-query(1).
 */
import { PackageURL } from 'packageurl-js';
import type { ParseContext, ParsedPackage } from '../types.js';
import type { Stanza } from './control.js';
import { isPresent, parseStatusField, type DpkgStatus } from './status.js';

export type StanzaResult =
  { package: ParsedPackage; status: DpkgStatus } | { skip: string } | { problem: string };

const NAME = /^[a-z0-9][a-z0-9+.-]*$/;
const VERSION = /^[^\s]+$/;

export function stanzaToPackage(
  stanza: Stanza,
  path: string,
  context: ParseContext,
  /** Distroless status.d stanzas may omit Status: being in status.d means installed. */
  defaultStatus?: DpkgStatus,
): StanzaResult {
  const at = `${path}:${stanza.line}`;
  const f = stanza.fields;
  const name = f.get('package')?.trim();
  const version = f.get('version')?.trim();
  if (!name) return { problem: `${at}: stanza without Package field` };
  if (!NAME.test(name)) return { problem: `${at}: invalid package name "${name}"` };
  if (!version) return { problem: `${at}: package ${name} has no Version field` };
  if (!VERSION.test(version))
    return { problem: `${at}: package ${name} has an invalid Version "${version}"` };
  const rawStatus = f.get('status');
  const status = rawStatus === undefined ? defaultStatus : parseStatusField(rawStatus);
  if (!status) {
    return {
      problem: `${at}: package ${name} has ${rawStatus === undefined ? 'no' : 'an invalid'} Status field`,
    };
  }
  if (!isPresent(status)) return { skip: `${name} is ${status.state}` };

  const source = parseSource(f.get('source'), name, version);
  const arch = f.get('architecture')?.trim() || undefined;
  const metadata: Record<string, unknown> = { status: status.state, want: status.want };
  if (arch) metadata.architecture = arch;
  setIf(metadata, 'multiArch', f.get('multi-arch'));
  setIf(metadata, 'maintainer', f.get('maintainer'));
  setIf(metadata, 'depends', f.get('depends'));
  setIf(metadata, 'preDepends', f.get('pre-depends'));
  setIf(metadata, 'provides', f.get('provides'));
  const size = Number.parseInt(f.get('installed-size') ?? '', 10);
  if (Number.isFinite(size)) metadata.installedSizeKiB = size;

  return {
    status,
    package: {
      name,
      version,
      type: 'deb',
      purl: debPurl(name, version, arch, source, context),
      licenses: [],
      source,
      metadata,
    },
  };
}

/** `Source: name` or `Source: name (version)`; the version defaults to the binary's. */
export function parseSource(
  value: string | undefined,
  name: string,
  version: string,
): { name: string; version: string } {
  const m = value === undefined ? null : /^\s*(\S+)(?:\s+\(\s*([^)\s]+)\s*\))?\s*$/.exec(value);
  if (!m) return { name, version };
  return { name: m[1] as string, version: m[2] ?? version };
}

function debPurl(
  name: string,
  version: string,
  arch: string | undefined,
  source: { name: string; version: string },
  context: ParseContext,
): string {
  const qualifiers: Record<string, string> = {};
  if (arch) qualifiers.arch = arch;
  const distro = context.distro;
  const release = distro?.versionId ?? distro?.codename;
  if (distro && release) qualifiers.distro = `${distro.id}-${release}`;
  // Version is appended only for binNMUs and the like, where it differs from the binary's.
  qualifiers.upstream = source.version === version ? source.name : `${source.name}@${source.version}`;
  return new PackageURL('deb', distro?.id ?? 'debian', name, version, qualifiers, undefined).toString();
}

function setIf(target: Record<string, unknown>, key: string, value: string | undefined): void {
  const v = value?.trim();
  if (v) target[key] = v;
}
