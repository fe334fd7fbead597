/**
 * Fallback release files of distros that predate os-release or ship it elsewhere. Each maps
 * one line of text to the os-release fields it implies.
 */
import type { Distro } from './types.js';

type Partial = Omit<Distro, 'source'>;

/** /etc/debian_version holds '12.4' on releases and 'bookworm/sid' on testing/unstable. */
export function parseDebianVersion(text: string): Partial | undefined {
  const line = firstLine(text);
  if (!line) return undefined;
  const numeric = /^(\d+)(?:\.\d+)*$/.exec(line);
  // os-release on Debian carries only the major release as VERSION_ID.
  if (numeric) return { id: 'debian', versionId: numeric[1], idLike: [] };
  const codename = /^([a-z]+)(?:\/sid)?$/.exec(line);
  if (codename) return { id: 'debian', versionCodename: codename[1], idLike: [] };
  return undefined;
}

/** /etc/alpine-release holds the full release, which is also Alpine's VERSION_ID. */
export function parseAlpineRelease(text: string): Partial | undefined {
  const line = firstLine(text);
  if (!line || !/^\d+\.\d+(\.\d+)?(_\w+)?$/.test(line)) return undefined;
  return { id: 'alpine', versionId: line, idLike: [] };
}

/** Name prefixes in redhat-release style files and the os-release ID they correspond to. */
const RH_NAMES: readonly [RegExp, string, string[]][] = [
  [/^Red Hat Enterprise Linux/i, 'rhel', ['fedora']],
  [/^CentOS/i, 'centos', ['rhel', 'fedora']],
  [/^Rocky Linux/i, 'rocky', ['rhel', 'centos', 'fedora']],
  [/^AlmaLinux/i, 'almalinux', ['rhel', 'centos', 'fedora']],
  [/^Oracle Linux/i, 'ol', ['fedora']],
  [/^Fedora/i, 'fedora', []],
  [/^Amazon Linux/i, 'amzn', ['centos', 'rhel', 'fedora']],
];

/**
 * redhat-release / centos-release / system-release: "<Name> release <version> (<codename>)".
 * CentOS 7 writes the full build ("7.9.2009") but its os-release VERSION_ID is the major only.
 */
export function parseRedHatRelease(text: string): Partial | undefined {
  const line = firstLine(text);
  if (!line) return undefined;
  const m = /^(.*?)\s+release\s+(\d+(?:\.\d+)*)/i.exec(line);
  if (!m) return undefined;
  const name = m[1] as string;
  let version = m[2] as string;
  const known = RH_NAMES.find(([re]) => re.test(name));
  if (!known) return undefined;
  const [, id, idLike] = known;
  if (id === 'centos') version = version.split('.')[0] as string;
  return { id, versionId: version, idLike: [...idLike], prettyName: line };
}

function firstLine(text: string): string | undefined {
  const line = text.split('\n', 1)[0]?.trim();
  return line ? line : undefined;
}
