/**
 * Parser for apk-tools' installed database, /lib/apk/db/installed (Alpine wiki "Apk spec"):
 * stanzas of `X:value` lines separated by blank lines. Package fields: P name, V version,
 * A arch, S size, I installed size, T description, U url, L licence, o origin (the APKBUILD
 * that produced the package: its source), m maintainer, t build time, c commit, D depends,
 * p provides, i install_if, r replaces, C control checksum. File fields: F directory, M its
 * acl, R file in the last F, a its acl, Z its checksum.
 */
import { PackageURL } from 'packageurl-js';
import { toSpdx } from '../dpkg/licenses.js';
import type { CatalogerParser, FileInput, ParseContext, ParsedPackage, ParseResult } from '../types.js';
import { apkDependencyEdges } from './relationships.js';

export interface ApkFile {
  path: string;
  /** apk's "Q1"-prefixed base64 SHA-1 (or "Q2" SHA-256) of the file. */
  digest?: string;
}

interface Draft {
  line: number;
  fields: Map<string, string>;
  files: ApkFile[];
  dir: string;
}

export const apkInstalledParser: CatalogerParser = {
  globs: ['/lib/apk/db/installed'],
  async parse(file, context) {
    return parseInstalled(file, context);
  },
};

export function parseInstalled(file: FileInput, context: ParseContext): ParseResult {
  const problems: string[] = [];
  const drafts: Draft[] = [];
  let draft: Draft | undefined;
  // The database is written by apk as UTF-8; invalid bytes become U+FFFD rather than failing.
  const lines = file.contents.toString('utf8').split('\n');
  lines.forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line === '') {
      draft = undefined;
      return;
    }
    if (line.length < 2 || line[1] !== ':') {
      problems.push(`${file.path}:${i + 1}: not a "X:value" line`);
      return;
    }
    if (!draft) {
      draft = { line: i + 1, fields: new Map(), files: [], dir: '' };
      drafts.push(draft);
    }
    applyField(draft, line[0] as string, line.slice(2));
  });

  const packages: ParsedPackage[] = [];
  for (const d of drafts) {
    const pkg = toPackage(d, file, context);
    if (typeof pkg === 'string') problems.push(`${file.path}:${d.line}: ${pkg}`);
    else packages.push(pkg);
  }
  return { packages, relationships: apkDependencyEdges(packages), problems };
}

function applyField(d: Draft, key: string, value: string): void {
  switch (key) {
    case 'F':
      d.dir = value.replace(/^\/+|\/+$/g, '');
      return;
    case 'R':
      d.files.push({ path: `/${d.dir ? `${d.dir}/` : ''}${value}` });
      return;
    case 'Z': {
      const last = d.files[d.files.length - 1];
      if (last) last.digest = value;
      return;
    }
    case 'M':
    case 'a':
      return;
    default:
      // Single-valued fields; a repeated key keeps its first value, as apk reads it.
      if (!d.fields.has(key)) d.fields.set(key, value);
  }
}

function toPackage(d: Draft, file: FileInput, context: ParseContext): ParsedPackage | string {
  const f = d.fields;
  const name = f.get('P')?.trim();
  const version = f.get('V')?.trim();
  if (!name) return 'stanza without P: (package name)';
  if (!version) return `package ${name} has no V: (version)`;
  if (/\s/.test(name) || /\s/.test(version)) return `package ${name} has an invalid name or version`;
  const arch = f.get('A')?.trim() || undefined;
  const origin = f.get('o')?.trim() || name;
  const metadata: Record<string, unknown> = {};
  if (arch) metadata.architecture = arch;
  const text: [string, string][] = [
    ['T', 'description'],
    ['U', 'url'],
    ['m', 'maintainer'],
    ['c', 'commit'],
    ['C', 'checksum'],
  ];
  for (const [key, target] of text) if (f.get(key)) metadata[target] = f.get(key);
  for (const [key, target] of [
    ['S', 'size'],
    ['I', 'installedSize'],
    ['t', 'buildTime'],
  ] as const) {
    const n = Number.parseInt(f.get(key) ?? '', 10);
    if (Number.isFinite(n)) metadata[target] = n;
  }
  for (const [key, target] of [
    ['D', 'depends'],
    ['p', 'provides'],
    ['i', 'installIf'],
    ['r', 'replaces'],
  ] as const) {
    const list = (f.get(key) ?? '').split(/\s+/).filter((s) => s !== '');
    if (list.length > 0) metadata[target] = list;
  }
  metadata.files = d.files;

  const qualifiers: Record<string, string> = {};
  if (arch) qualifiers.arch = arch;
  const release = context.distro?.versionId;
  if (context.distro && release) qualifiers.distro = `${context.distro.id}-${release}`;
  qualifiers.upstream = origin;
  const namespace = context.distro?.id ?? 'alpine';
  const location = file.layerDiffId
    ? { path: file.path, layerDiffId: file.layerDiffId, annotation: 'primary' as const }
    : { path: file.path, annotation: 'primary' as const };
  return {
    name,
    version,
    type: 'apk',
    purl: new PackageURL('apk', namespace, name, version, qualifiers, undefined).toString(),
    licenses: licenses(f.get('L')),
    // Subpackages share their origin's APKBUILD, so the origin's version is the package's.
    source: { name: origin, version },
    locations: [location],
    metadata,
  };
}

/** `L:` is an SPDX expression on current Alpine and space-separated names on old releases. */
function licenses(value: string | undefined): string[] {
  const names = (value ?? '')
    .replace(/[()]/g, ' ')
    .split(/\s+/)
    .filter((s) => s !== '' && !/^(AND|OR|WITH)$/i.test(s));
  return [...new Set(names.map((n) => toSpdx(n) ?? n))];
}
