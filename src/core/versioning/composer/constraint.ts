/**
 * Composer version constraints (getcomposer.org "Versions and constraints"), parsed the way
 * composer/semver's VersionParser::parseConstraints does: `||` alternatives of comma- or
 * space-separated conjunctions; `^`, `~`, `1.2.*` wildcards and `1.0 - 2.0` hyphen ranges
 * become pairs of bounds with `-dev` lower edges; `@beta` style stability flags apply to
 * ranges. Each bound is then checked with PHP's version_compare on normalized versions.
 */
import { invalidRange } from '../invalid.js';
import { isBranch, MODIFIER, tryNormalize } from './normalize.js';
import { phpVersionCompare } from './php-version-compare.js';

type Op = '==' | '!=' | '<' | '<=' | '>' | '>=';
interface Bound {
  op: Op;
  version: string;
}
/** Alternatives of conjunctions; an empty conjunction matches everything. */
type Parsed = Bound[][];

const VERSION = `v?(\\d+)(?:\\.(\\d+))?(?:\\.(\\d+))?(?:\\.(\\d+))?(?:${MODIFIER}|\\.([xX*][.-]?dev))(?:\\+[^\\s]+)?`;
const TILDE = new RegExp(`^~>?${VERSION}$`, 'i');
const CARET = new RegExp(`^\\^${VERSION}$`, 'i');
const WILDCARD = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.[xX*])+$/;
const HYPHEN = new RegExp(`^(${VERSION}) +- +(${VERSION})$`, 'i');
const AND_SPLIT = /(?<!^|as|[=>< ,]) *(?<!-)[, ](?!-) *(?!,|as|$)/;

class Unparsable extends Error {}

function normalize(text: string): string {
  const out = tryNormalize(text);
  if (out === undefined) throw new Unparsable(`"${text}" is not a version`);
  return out;
}

/** VersionParser::manipulateVersionString: zero everything after `position`, bump it by `increment`. */
function manipulate(parts: (string | undefined)[], position: number, increment = 0): string {
  const out = [0, 1, 2, 3, 4].map((i) => parts[i] ?? '');
  for (let i = 4; i > 0; i--) {
    if (i > position) out[i] = '0';
    else if (i === position && increment !== 0) out[i] = String(BigInt(out[i] || '0') + BigInt(increment));
  }
  return `${out[1]}.${out[2]}.${out[3]}.${out[4]}`;
}

const present = (s: string | undefined): boolean => s !== undefined && s !== '';

function parseSingle(input: string): Bound[] {
  let constraint = input;
  let stabilityModifier: string | undefined;
  const flag = /^([^,\s]*?)@(stable|RC|beta|alpha|dev)$/i.exec(constraint);
  if (flag) {
    constraint = flag[1] !== '' ? (flag[1] as string) : '*';
    if (flag[2] !== 'stable') stabilityModifier = flag[2];
  }
  if (/^dev-|#|\s+as\s+/i.test(constraint))
    throw new Unparsable('branch and alias constraints are not version ranges');
  const star = /^(v)?[xX*](\.[xX*])*$/i.exec(constraint);
  if (star) return star[1] || star[2] ? [{ op: '>=', version: '0.0.0.0-dev' }] : [];

  let m = TILDE.exec(constraint);
  if (m) {
    if (constraint.startsWith('~>')) throw new Unparsable('"~>" is not a Composer operator, "~" is');
    let position = present(m[4]) ? 4 : present(m[3]) ? 3 : present(m[2]) ? 2 : 1;
    if (m[8]) position++;
    const suffix = !m[5] && !m[7] && !m[8] ? '-dev' : '';
    const low = normalize((constraint + suffix).slice(1));
    return [
      { op: '>=', version: low },
      { op: '<', version: `${manipulate(m as unknown as string[], Math.max(1, position - 1), 1)}-dev` },
    ];
  }
  m = CARET.exec(constraint);
  if (m) {
    const position = m[1] !== '0' || !present(m[2]) ? 1 : m[2] !== '0' || !present(m[3]) ? 2 : 3;
    const suffix = !m[5] && !m[7] && !m[8] ? '-dev' : '';
    const low = normalize((constraint + suffix).slice(1));
    return [
      { op: '>=', version: low },
      { op: '<', version: `${manipulate(m as unknown as string[], position, 1)}-dev` },
    ];
  }
  m = WILDCARD.exec(constraint);
  if (m) {
    const position = present(m[3]) ? 3 : present(m[2]) ? 2 : 1;
    const low = `${manipulate(m as unknown as string[], position)}-dev`;
    const high = `${manipulate(m as unknown as string[], position, 1)}-dev`;
    return low === '0.0.0.0-dev'
      ? [{ op: '<', version: high }]
      : [
          { op: '>=', version: low },
          { op: '<', version: high },
        ];
  }
  m = HYPHEN.exec(constraint);
  if (m) {
    // Groups: 1 = from (2-9 its parts), 10 = to (11-18 its parts).
    const lowSuffix = !m[6] && !m[8] && !m[9] ? '-dev' : '';
    const low = { op: '>=' as const, version: normalize(m[1] as string) + lowSuffix };
    const filled = (x: string | undefined): boolean => x === '0' || !!x;
    if ((filled(m[12]) && filled(m[13])) || m[15] || m[17] || m[18]) {
      return [low, { op: '<=', version: normalize(m[10] as string) }];
    }
    normalize(m[10] as string);
    const parts = ['', m[11], m[12], m[13], m[14]];
    return [low, { op: '<', version: `${manipulate(parts, filled(m[12]) ? 2 : 1, 1)}-dev` }];
  }
  m = /^(<>|!=|>=?|<=?|==?)?\s*(.*)$/.exec(constraint);
  if (m) {
    const raw = m[2] as string;
    let version = normalize(raw);
    const op = (m[1] ?? '=') as string;
    if (op !== '==' && op !== '=' && stabilityModifier !== undefined && isStable(version)) {
      version += `-${stabilityModifier}`;
    } else if (op === '<' || op === '>=') {
      if (!new RegExp(`-${MODIFIER}$`).test(raw.toLowerCase())) version += '-dev';
    }
    const ops: Record<string, Op> = {
      '<>': '!=',
      '!=': '!=',
      '>': '>',
      '>=': '>=',
      '<': '<',
      '<=': '<=',
      '=': '==',
      '==': '==',
    };
    return [{ op: ops[op] as Op, version }];
  }
  throw new Unparsable('no operator and version');
}

/** VersionParser::parseStability() === 'stable' for a normalized version. */
function isStable(version: string): boolean {
  if (version.endsWith('-dev')) return false;
  const m = new RegExp(`${MODIFIER}(?:\\+.*)?$`, 'i').exec(version.toLowerCase());
  if (m?.[3]) return false;
  return !['beta', 'b', 'alpha', 'a', 'rc'].includes(m?.[1] ?? '');
}

export function parseComposerConstraint(range: string): Parsed {
  if (range.length > 4096) throw invalidRange('composer', range, 'longer than 4096 characters');
  try {
    return range
      .trim()
      .split(/\s*\|\|?\s*/)
      .map((alternative) => alternative.split(AND_SPLIT).flatMap(parseSingle));
  } catch (err) {
    if (err instanceof Unparsable) throw invalidRange('composer', range, err.message);
    throw err;
  }
}

function test(version: string, { op, version: bound }: Bound): boolean {
  // Constraint::versionCompare: a branch is unequal to every version and matches nothing else.
  if (isBranch(version)) return op === '!=';
  const c = phpVersionCompare(version, bound);
  switch (op) {
    case '==':
      return c === 0;
    case '!=':
      return c !== 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
  }
}

export function matchesConstraint(normalizedVersion: string, parsed: Parsed): boolean {
  return parsed.some((conjunction) => conjunction.every((bound) => test(normalizedVersion, bound)));
}
