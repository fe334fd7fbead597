/**
 * Independent expectations for language matching: OSV records read straight from the raw
 * `all.zip` files (Python's zipfile), and range membership decided with each ecosystem's
 * reference comparator — npm `semver`, Python `packaging.version`, RubyGems `Gem::Version` —
 * following the evaluation algorithm of the OSV schema (events sorted by version; the last
 * event at or below the version decides). Nothing here uses Portcullis' own version code.
 */
import { execFileSync } from 'node:child_process';
import semverLib from 'semver';

export interface OsvEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
  limit?: string;
}

export interface OsvAffected {
  package: { ecosystem: string; name: string };
  ranges?: { type: string; events: OsvEvent[] }[];
  versions?: string[];
}

export interface OsvRecord {
  id: string;
  aliases?: string[];
  withdrawn?: string;
  affected: OsvAffected[];
}

const READ_ZIP = `
import json, re, sys, zipfile
path, mode = sys.argv[1], sys.argv[2]
norm = (lambda n: re.sub(r"[-_.]+", "-", n).lower()) if mode == "pep503" else (lambda n: n)
wanted = set(norm(n) for n in json.load(sys.stdin))
out = []
with zipfile.ZipFile(path) as z:
    for name in z.namelist():
        rec = json.loads(z.read(name))
        if any(norm(a.get("package", {}).get("name", "")) in wanted for a in rec.get("affected", [])):
            out.append(rec)
json.dump(out, sys.stdout)
`;

/** Records of `zipPath` that name one of `names` (PEP 503-normalized when asked). */
export function osvRecordsFor(
  zipPath: string,
  names: readonly string[],
  mode: 'pep503' | 'exact',
): OsvRecord[] {
  const out = execFileSync('python3', ['-c', READ_ZIP, zipPath, mode], {
    input: JSON.stringify(names),
    maxBuffer: 256 * 1024 * 1024,
  });
  return JSON.parse(out.toString()) as OsvRecord[];
}

/** cmp(a, b) as -1/0/1, or null when the reference tool rejects either version. */
export type Comparator = (pairs: readonly [string, string][]) => (number | null)[];

export const npmSemver: Comparator = (pairs) =>
  pairs.map(([a, b]) => (semverLib.valid(a) && semverLib.valid(b) ? semverLib.compare(a, b) : null));

const PY_CMP = `
import json, sys
from packaging.version import Version, InvalidVersion
def cmp(a, b):
    try:
        x, y = Version(a), Version(b)
    except InvalidVersion:
        return None
    return (x > y) - (x < y)
json.dump([cmp(a, b) for a, b in json.load(sys.stdin)], sys.stdout)
`;

export const pythonPackaging: Comparator = (pairs) =>
  JSON.parse(execFileSync('python3', ['-c', PY_CMP], { input: JSON.stringify(pairs) }).toString()) as (
    number | null
  )[];

const RB_CMP = `
require "json"
pairs = JSON.parse(STDIN.read)
puts JSON.generate(pairs.map { |a, b|
  Gem::Version.correct?(a) && Gem::Version.correct?(b) ? (Gem::Version.new(a) <=> Gem::Version.new(b)) : nil
})
`;

export const rubyGemVersion: Comparator = (pairs) =>
  JSON.parse(execFileSync('ruby', ['-e', RB_CMP], { input: JSON.stringify(pairs) }).toString()) as (
    number | null
  )[];

function eventVersion(e: OsvEvent): string {
  return (e.introduced ?? e.fixed ?? e.last_affected ?? e.limit) as string;
}

/** Every comparison the evaluation of `version` against `affected` may need. */
export function pairsFor(version: string, affected: readonly OsvAffected[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (const a of affected) {
    for (const r of a.ranges ?? []) {
      if (r.type === 'GIT') continue;
      const vs = r.events.map(eventVersion).filter((v) => v !== '0');
      for (const x of vs) pairs.push([version, x]);
      for (const x of vs) for (const y of vs) pairs.push([x, y]);
    }
  }
  return pairs;
}

/**
 * OSV schema evaluation for one affected entry: listed `versions` match exactly; a range
 * contains `version` when, walking events in version order, the last event that applies
 * (introduced/fixed ≤ v, last_affected < v) is an `introduced`. Returns null when the
 * reference tool could not compare a version the decision needs.
 */
export function isAffected(
  version: string,
  entry: OsvAffected,
  cmp: (a: string, b: string) => number | null,
): boolean | null {
  if (entry.versions?.includes(version)) return true;
  let undecidable = false;
  for (const r of entry.ranges ?? []) {
    if (r.type === 'GIT') continue;
    const events = r.events.filter((e) => e.limit === undefined);
    const order = (x: OsvEvent, y: OsvEvent): number => {
      const a = eventVersion(x);
      const b = eventVersion(y);
      if (a === '0') return b === '0' ? 0 : -1;
      if (b === '0') return 1;
      return cmp(a, b) ?? 0;
    };
    let affected = false;
    for (const e of [...events].sort(order)) {
      const ev = eventVersion(e);
      const c = ev === '0' ? 1 : cmp(version, ev);
      if (c === null) {
        undecidable = true;
        break;
      }
      if (e.introduced !== undefined && c >= 0) affected = true;
      else if (e.fixed !== undefined && c >= 0) affected = false;
      else if (e.last_affected !== undefined && c > 0) affected = false;
    }
    if (affected && !undecidable) return true;
  }
  return undecidable ? null : false;
}
