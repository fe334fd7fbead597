/** gem against Debian's Ruby: Gem::Version#<=> and Gem::Requirement#satisfied_by?, one process. */
import { describe, expect, it } from 'vitest';
import { isPortcullisError } from '../../errors.js';
import { Prng } from '../test-support/prng.js';
import { describeMismatches, jsonLine, runBatch, sign } from '../test-support/reference.js';
import { gem } from './index.js';

function generate(rng: Prng): string {
  for (;;) {
    const v = attempt(rng);
    if (gem.isValid(v)) return v;
  }
}

function attempt(rng: Prng): string {
  let v = Array.from({ length: rng.int(1, 4) }, () => rng.number()).join('.');
  if (rng.chance(0.3))
    v +=
      rng.pick(['.', '.', '']) +
      rng.pick(['a', 'b', 'pre', 'rc', 'beta', 'alpha']) +
      (rng.chance(0.5) ? rng.pick(['', '.']) + rng.number() : '');
  if (rng.chance(0.1)) v += `-${rng.pick(['rc1', 'beta.2', 'x-y', '1'])}`;
  if (rng.chance(0.1)) v += '.0';
  return v;
}

function mutate(rng: Prng, v: string): string {
  const edits = [
    () => `${v}.0`,
    () => v.replace(/(\d+)(?=\D*$)/, (d) => String(BigInt(d) + 1n)),
    () => v.replace(/[a-z]+.*$/i, '').replace(/[.-]$/, ''),
    () => v.replace(/\.([a-z])/i, '$1'),
    () => `${v}.a`,
  ];
  const out = rng.pick(edits)();
  return gem.isValid(out) ? out : v;
}

function requirement(rng: Prng, near: string): string {
  return Array.from({ length: rng.int(1, 2) }, () => {
    const base = rng.chance(0.7) ? near : generate(rng);
    return `${rng.pick(['', '= ', '!= ', '> ', '< ', '>= ', '<= ', '~> ', '~> ', '~>'])}${base}`;
  }).join(', ');
}

// A line starting with "[" is a JSON array, for inputs holding tabs or newlines themselves.
const RUBY = String.raw`
require 'json'
out = []
STDIN.each_line do |line|
  kind, a, b = line.start_with?('[') ? JSON.parse(line) : line.chomp.split("\t")
  if kind == 'valid'
    out << (Gem::Version.correct?(a) ? '1' : '0')
  elsif kind == 'cmp'
    out << (Gem::Version.new(a) <=> Gem::Version.new(b)).to_s
  else
    out << (Gem::Requirement.new(*b.split(',')).satisfied_by?(Gem::Version.new(a)) ? '1' : '0')
  end
end
puts out
`;

describe('gem differential', () => {
  const rng = new Prng(0x5eed_0987);
  const pairs = rng.pairs(
    12_000,
    () => generate(rng),
    (v) => mutate(rng, v),
  );

  it('agrees with Gem::Version on 12,000 pairs', () => {
    expect(pairs.every(([a, b]) => gem.isValid(a) && gem.isValid(b))).toBe(true);
    const answers = runBatch(
      'ruby',
      ['-e', RUBY],
      pairs.map(([a, b]) => `cmp\t${a}\t${b}`),
    );
    const mismatches = pairs
      .map(([a, b], i) => ({ a, b, ours: sign(gem.compare(a, b)), ruby: Number(answers[i]) }))
      .filter((m) => m.ours !== m.ruby);
    expect(new Set(answers).size).toBe(3);
    expect(mismatches, describeMismatches(mismatches)).toEqual([]);
  });

  it('agrees with Gem::Requirement on 10,000 cases', () => {
    const cases = Array.from({ length: 10_000 }, () => {
      const v = generate(rng);
      return [rng.chance(0.5) ? v : mutate(rng, v), requirement(rng, v)] as const;
    });
    const answers = runBatch(
      'ruby',
      ['-e', RUBY],
      cases.map(([v, r]) => `in\t${v}\t${r}`),
    );
    const ours = (v: string, r: string): string => {
      try {
        return gem.satisfies?.(v, r) ? '1' : '0';
      } catch (err) {
        if (isPortcullisError(err)) return 'E';
        throw err;
      }
    };
    const mismatches = cases
      .map(([v, r], i) => ({ v, r, ours: ours(v, r), ruby: answers[i] }))
      .filter((m) => m.ours !== m.ruby);
    const matched = answers.filter((a) => a === '1').length;
    expect(matched).toBeGreaterThan(1_000);
    expect(matched).toBeLessThan(9_000);
    expect(mismatches, describeMismatches(mismatches)).toEqual([]);
  });

  it('agrees with Gem::Version.correct? on 5,000 near-misses', () => {
    const inputs = Array.from({ length: 5_000 }, () => {
      const v = generate(rng);
      const i = rng.int(0, v.length - 1);
      return v.slice(0, i) + rng.pick(['', '0', '.', '-', '_', '+', 'a', '..', '--', 'Z']) + v.slice(i + 1);
    }).filter((v) => v !== '');
    const answers = runBatch(
      'ruby',
      ['-e', RUBY],
      inputs.map((v) => `valid\t${v}\t-`),
    );
    const mismatches = inputs
      .map((v, i) => ({ v, ours: gem.isValid(v) ? '1' : '0', ruby: answers[i] }))
      .filter((m) => m.ours !== m.ruby);
    expect(new Set(answers).size).toBe(2);
    expect(mismatches, describeMismatches(mismatches)).toEqual([]);
  });

  it('strips blanks like Gem::Version.new and reads a blank version as 0 (3,000 cases)', () => {
    // Ruby's \s blanks are stripped; NUL, NBSP and other Unicode spaces are not blanks to it.
    const pads = [' ', '  ', '\t', '\n', '\v', '\f', '\r', '\u00a0', '\u3000', '\u0000'];
    const pad = (): string =>
      Array.from({ length: rng.int(0, 2) }, () => rng.pick(rng.chance(0.8) ? pads.slice(0, 7) : pads)).join(
        '',
      );
    const cases = Array.from({ length: 3_000 }, () => {
      const core = rng.chance(0.1) ? '' : generate(rng);
      return [pad() + core + pad(), rng.chance(0.2) ? '0' : generate(rng)] as const;
    });
    const validity = runBatch(
      'ruby',
      ['-e', RUBY],
      cases.map(([v]) => jsonLine(['valid', v, '-'])),
    );
    const rejected = cases.filter(([v], i) => validity[i] !== (gem.isValid(v) ? '1' : '0'));
    expect(rejected, describeMismatches(rejected)).toEqual([]);
    const valid = cases.filter(([v]) => gem.isValid(v));
    expect(valid.length).toBeGreaterThan(2_000);
    expect(valid.length).toBeLessThan(cases.length);
    expect(valid.filter(([v]) => v.trim() === '').length).toBeGreaterThan(50);
    const answers = runBatch(
      'ruby',
      ['-e', RUBY],
      valid.map(([a, b]) => jsonLine(['cmp', a, b])),
    );
    const mismatches = valid
      .map(([a, b], i) => ({ a, b, ours: sign(gem.compare(a, b)), ruby: Number(answers[i]) }))
      .filter((m) => m.ours !== m.ruby);
    expect(mismatches, describeMismatches(mismatches)).toEqual([]);
  });
});
