/** pep440 against python3-packaging (Version and SpecifierSet), in one Python process. */
import { describe, expect, it } from 'vitest';
import { isPortcullisError } from '../../errors.js';
import { Prng } from '../test-support/prng.js';
import { describeMismatches, jsonLine, runBatch, sign } from '../test-support/reference.js';
import { pep440 } from './index.js';

function sep(rng: Prng): string {
  return rng.pick(['', '', '.', '-', '_']);
}

function generate(rng: Prng): string {
  let v = rng.chance(0.05) ? 'v' : '';
  if (rng.chance(0.08)) v += `${rng.pick(['0', '1', '2'])}!`;
  v += Array.from({ length: rng.int(1, 4) }, () => rng.number()).join('.');
  if (rng.chance(0.3))
    v +=
      sep(rng) +
      rng.pick(['a', 'b', 'rc', 'c', 'alpha', 'beta', 'pre', 'preview']) +
      sep(rng) +
      (rng.chance(0.8) ? rng.number() : '');
  if (rng.chance(0.2))
    v += rng.chance(0.3)
      ? `-${rng.number()}`
      : sep(rng) + rng.pick(['post', 'rev', 'r']) + (rng.chance(0.8) ? rng.number() : '');
  if (rng.chance(0.2)) v += sep(rng) + 'dev' + (rng.chance(0.8) ? rng.number() : '');
  if (rng.chance(0.15))
    v += `+${rng.pick(['ubuntu', 'abc', '5', 'local', 'cu118'])}${rng.chance(0.5) ? rng.pick(['.1', '-2', '_x', '.07']) : ''}`;
  return v;
}

function mutate(rng: Prng, v: string): string {
  const edits = [
    () => v.replace(/\+.*$/, ''),
    () => v.replace(/(\d+)(?=\D*$)/, (d) => String(BigInt(d) + 1n)),
    () => `${v}.0`.replace(/(\+.*)\.0$/, '$1'),
    () => v.replace(/(a|b|rc|dev|post)/, rng.pick(['a', 'b', 'rc', 'dev', 'post'])),
    () => v.replace(/^v?(\d+!)?/, ''),
  ];
  const out = rng.pick(edits)();
  return pep440.isValid(out) ? out : v;
}

/** A specifier set built around a version, so that bounds actually bite. */
function specifierSet(rng: Prng, near: string): string {
  const specs = Array.from({ length: rng.int(1, 3) }, () => {
    const base = rng.chance(0.7) ? near.replace(/^v/, '') : generate(rng).replace(/^v/, '');
    const noLocal = base.replace(/\+.*$/, '');
    const release = noLocal.replace(/^(\d+!)?([\d.]+?)(?:[-_.]?[a-z].*|-\d+)?$/i, '$1$2');
    switch (rng.int(0, 8)) {
      case 0:
        return `==${rng.chance(0.5) ? base : noLocal}`;
      case 1:
        return `!=${noLocal}`;
      case 2:
        return `==${release.split('.').slice(0, rng.int(1, 3)).join('.')}.*`;
      case 3:
        return `!=${release}.*`;
      case 4:
        return /\./.test(release) ? `~=${rng.chance(0.7) ? release : noLocal}` : `>=${noLocal}`;
      case 5:
        return `<${noLocal}`;
      case 6:
        return `>${noLocal}`;
      case 7:
        return `${rng.pick(['<=', '>='])} ${noLocal}`;
      default:
        return `===${noLocal}`;
    }
  });
  return specs.join(rng.pick([',', ', ']));
}

// A line starting with "[" is a JSON array, for inputs holding tabs or newlines themselves.
const PYTHON = String.raw`
import sys, json
from packaging.version import Version, InvalidVersion
from packaging.specifiers import SpecifierSet, InvalidSpecifier
out = []
for line in sys.stdin:
    kind, a, b = json.loads(line) if line.startswith('[') else line.rstrip('\n').split('\t')
    if kind == 'valid':
        try:
            Version(a)
            out.append('1')
        except InvalidVersion:
            out.append('0')
    elif kind == 'cmp':
        x, y = Version(a), Version(b)
        out.append('-1' if x < y else '1' if x > y else '0')
    else:
        try:
            out.append('1' if SpecifierSet(b).contains(a) else '0')
        except InvalidSpecifier:
            out.append('E')
print('\n'.join(out))
`;

/** '1' / '0' for in / out, 'E' when the specifier set is rejected (as the driver prints). */
function ours(version: string, range: string): string {
  try {
    return pep440.satisfies?.(version, range) ? '1' : '0';
  } catch (err) {
    if (isPortcullisError(err, 'INVALID_RANGE')) return 'E';
    throw err;
  }
}

const run = (lines: string[]): string[] => runBatch('/usr/bin/python3', ['-c', PYTHON], lines);

describe('pep440 differential', () => {
  const rng = new Prng(0x5eed_0440);
  const pairs = rng.pairs(
    12_000,
    () => generate(rng),
    (v) => mutate(rng, v),
  );

  it('agrees with packaging.version.Version on 12,000 pairs', () => {
    expect(pairs.every(([a, b]) => pep440.isValid(a) && pep440.isValid(b))).toBe(true);
    const answers = run(pairs.map(([a, b]) => `cmp\t${a}\t${b}`));
    const mismatches = pairs
      .map(([a, b], i) => ({ a, b, ours: sign(pep440.compare(a, b)), packaging: Number(answers[i]) }))
      .filter((m) => m.ours !== m.packaging);
    expect(new Set(answers).size).toBe(3);
    expect(mismatches, describeMismatches(mismatches)).toEqual([]);
  });

  it('agrees with packaging.specifiers.SpecifierSet on 10,000 cases', () => {
    const cases = Array.from({ length: 10_000 }, () => {
      const v = generate(rng);
      return [rng.chance(0.5) ? v : mutate(rng, v), specifierSet(rng, v)] as const;
    });
    const answers = run(cases.map(([v, s]) => `in\t${v}\t${s}`));
    const mismatches = cases
      .map(([v, s], i) => ({ v, s, ours: ours(v, s), packaging: answers[i] }))
      .filter((m) => m.ours !== m.packaging);
    const matched = answers.filter((a) => a === '1').length;
    expect(matched).toBeGreaterThan(1_000);
    expect(matched).toBeLessThan(9_000);
    expect(answers.filter((a) => a === 'E').length).toBeLessThan(1_000);
    expect(mismatches, describeMismatches(mismatches)).toEqual([]);
  });

  it('agrees with packaging.version.Version on which of 5,000 near-misses are versions', () => {
    const inputs = Array.from({ length: 5_000 }, () => {
      const v = generate(rng);
      const i = rng.int(0, v.length - 1);
      return (
        v.slice(0, i) + rng.pick(['', '0', '.', '-', '_', '+', 'a', '..', '!', 'post', 'x']) + v.slice(i + 1)
      );
    });
    const answers = run(inputs.map((v) => `valid\t${v}\t-`));
    const mismatches = inputs
      .map((v, i) => ({ v, ours: pep440.isValid(v) ? '1' : '0', packaging: answers[i] }))
      .filter((m) => m.ours !== m.packaging);
    expect(new Set(answers).size).toBe(2);
    expect(mismatches, describeMismatches(mismatches)).toEqual([]);
  });

  it('strips the whitespace packaging strips, and only that (3,000 cases)', () => {
    // Python's \s (Unicode spaces, U+001C–U+001F, U+0085) and characters it does not strip.
    const spaces = [' ', '\t', '\n', '\r', '\v', '\f', '\u001c', '\u0085', '\u00a0', '\u2003', '\u3000'];
    const others = ['\ufeff', '\u200b', '\u0000', '_'];
    const pad = (): string =>
      Array.from({ length: rng.int(0, 2) }, () => rng.pick(rng.chance(0.85) ? spaces : others)).join('');
    const cases = Array.from(
      { length: 3_000 },
      () => [pad() + generate(rng) + pad(), generate(rng)] as const,
    );
    const validity = run(cases.map(([v]) => jsonLine(['valid', v, '-'])));
    const rejected = cases.filter(([v], i) => validity[i] !== (pep440.isValid(v) ? '1' : '0'));
    expect(rejected, describeMismatches(rejected)).toEqual([]);
    const valid = cases.filter(([v]) => pep440.isValid(v));
    expect(valid.filter(([v]) => v !== v.trim()).length).toBeGreaterThan(1_000);
    expect(valid.length).toBeLessThan(cases.length);
    const answers = run(valid.map(([a, b]) => jsonLine(['cmp', a, b])));
    const mismatches = valid
      .map(([a, b], i) => ({ a, b, ours: sign(pep440.compare(a, b)), packaging: Number(answers[i]) }))
      .filter((m) => m.ours !== m.packaging);
    expect(mismatches, describeMismatches(mismatches)).toEqual([]);
  });
});
