/**
 * composer against Debian's php-composer-semver (composer/semver 3.3): VersionParser::normalize
 * plus Comparator for the order, Semver::satisfies for constraints, in one PHP process.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPortcullisError } from '../../errors.js';
import { Prng } from '../test-support/prng.js';
import { describeMismatches, jsonLine, runBatch, sign } from '../test-support/reference.js';
import { composer, normalizeComposer } from './index.js';

const DRIVER = `<?php
require '/usr/share/php/Composer/Semver/autoload.php';
use Composer\\Semver\\Comparator;
use Composer\\Semver\\Semver;
use Composer\\Semver\\VersionParser;
$p = new VersionParser();
while (($line = fgets(STDIN)) !== false) {
    [$kind, $a, $b] = $line[0] === '[' ? json_decode($line) : explode("\\t", rtrim($line, "\\n"));
    if ($kind === 'valid') {
        try {
            echo $p->normalize($a), "\\n";
        } catch (\\UnexpectedValueException $e) {
            echo "E\\n";
        }
    } elseif ($kind === 'cmp') {
        $x = $p->normalize($a);
        $y = $p->normalize($b);
        // Two different branches are neither less, equal nor greater to Comparator: "N".
        echo Comparator::lessThan($x, $y) ? '-1' : (Comparator::equalTo($x, $y) ? '0' : (Comparator::greaterThan($x, $y) ? '1' : 'N')), "\\n";
    } else {
        try {
            echo Semver::satisfies($a, $b) ? '1' : '0', "\\n";
        } catch (\\UnexpectedValueException $e) {
            echo "E\\n";
        }
    }
}
`;

function generate(rng: Prng): string {
  for (;;) {
    const v = attempt(rng);
    if (composer.isValid(v)) return v;
  }
}

function attempt(rng: Prng): string {
  if (rng.chance(0.04))
    return `20${rng.int(10, 29)}${rng.pick(['-', '.', ''])}${String(rng.int(1, 12)).padStart(2, '0')}${rng.pick(['-', '.', ''])}${String(rng.int(1, 28)).padStart(2, '0')}`;
  let v = (rng.chance(0.1) ? 'v' : '') + String(rng.int(0, rng.pick([3, 30])));
  for (let n = rng.int(0, 3); n > 0; n--) v += `.${rng.number()}`;
  if (rng.chance(0.35)) {
    v +=
      rng.pick(['-', '.', '_', '']) +
      rng.pick(['alpha', 'a', 'beta', 'b', 'RC', 'rc', 'patch', 'pl', 'p', 'stable', 'Beta']);
    if (rng.chance(0.7)) v += rng.pick(['', '.', '-']) + rng.number();
  }
  if (rng.chance(0.1)) v += rng.pick(['-dev', '.dev', 'dev']);
  if (rng.chance(0.05)) v += '+build.1';
  return v;
}

function mutate(rng: Prng, v: string): string {
  const edits = [
    () => v.replace(/(\d+)(?=\D*$)/, (d) => String(BigInt(d) + 1n)),
    () => v.replace(/[-._]?(alpha|a|beta|b|RC|rc|patch|pl|p|stable|Beta)\d*/, ''),
    () => `${v}.0`,
    () => v.replace(/^v/, ''),
    () => `${v}-${rng.pick(['alpha1', 'beta', 'RC2', 'patch1', 'dev'])}`,
  ];
  const out = rng.pick(edits)();
  return composer.isValid(out) ? out : v;
}

/** Constraints around a version, covering every documented form. */
function constraint(rng: Prng, near: string): string {
  const base = near.replace(/\+.*$/, '');
  const short =
    base
      .replace(/^v/, '')
      .split(/[-_]|(?<=\d)(?=[a-z])/i)[0]
      ?.split('.')
      .slice(0, rng.int(1, 3))
      .join('.') ?? '1';
  const one = (): string => {
    switch (rng.int(0, 10)) {
      case 0:
        return `^${rng.chance(0.5) ? short : base}`;
      case 1:
        return `~${rng.chance(0.5) ? short : base}`;
      case 2:
        return `${short}.*`;
      case 3:
        return `${short} - ${mutate(rng, base)}`;
      case 4:
        return `${rng.pick(['>=', '>', '<', '<=', '!=', '==', '=', ''])}${rng.pick(['', ' '])}${rng.chance(0.5) ? base : short}`;
      case 5:
        return `${rng.pick(['>=', '<', '>'])}${short}@${rng.pick(['dev', 'alpha', 'beta', 'RC', 'stable'])}`;
      case 6:
        return rng.pick(['*', 'x', '*.*', '@dev']);
      case 7:
        return `>=${short} <${mutate(rng, short)}`;
      default:
        return `${rng.pick(['>=', '<'])}${base}`;
    }
  };
  const conj = (): string => Array.from({ length: rng.int(1, 2) }, one).join(rng.pick([', ', ' ', ',']));
  return Array.from({ length: rng.int(1, 2) }, conj).join(rng.pick([' || ', '||', ' | ']));
}

describe('composer differential', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'portcullis-composer-'));
    writeFileSync(join(dir, 'driver.php'), DRIVER);
  });
  afterAll(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });
  const run = (lines: string[]): string[] => runBatch('php', [join(dir, 'driver.php')], lines);

  const rng = new Prng(0x5eed_c0de);
  const pairs = rng.pairs(
    12_000,
    () => generate(rng),
    (v) => mutate(rng, v),
  );

  it('agrees with VersionParser::normalize + Comparator on 12,000 pairs', () => {
    const answers = run(pairs.map(([a, b]) => `cmp\t${a}\t${b}`));
    const mismatches = pairs
      .map(([a, b], i) => ({ a, b, ours: sign(composer.compare(a, b)), composer: Number(answers[i]) }))
      .filter((m) => m.ours !== m.composer);
    expect(new Set(answers).size).toBe(3);
    expect(mismatches, describeMismatches(mismatches)).toEqual([]);
  });

  it('agrees with Semver::satisfies on 10,000 constraints', () => {
    const cases = Array.from({ length: 10_000 }, () => {
      const v = generate(rng);
      return [rng.chance(0.5) ? v : mutate(rng, v), constraint(rng, v)] as const;
    });
    const answers = run(cases.map(([v, c]) => `in\t${v}\t${c}`));
    const ours = (v: string, c: string): string => {
      try {
        return composer.satisfies?.(v, c) ? '1' : '0';
      } catch (err) {
        if (isPortcullisError(err, 'INVALID_RANGE')) return 'E';
        throw err;
      }
    };
    const mismatches = cases
      .map(([v, c], i) => ({ v, c, ours: ours(v, c), composer: answers[i] }))
      .filter((m) => m.ours !== m.composer);
    const matched = answers.filter((a) => a === '1').length;
    expect(matched).toBeGreaterThan(1_000);
    expect(matched).toBeLessThan(9_000);
    expect(mismatches, describeMismatches(mismatches)).toEqual([]);
  });

  it('agrees with VersionParser::normalize on 5,000 near-misses', () => {
    const inputs = Array.from({ length: 5_000 }, () => {
      const v = generate(rng);
      const i = rng.int(0, v.length - 1);
      return v.slice(0, i) + rng.pick(['', '0', '.', '-', '_', '+', 'a', '..', 'x', 'dev']) + v.slice(i + 1);
    }).filter((v) => v !== '');
    const answers = run(inputs.map((v) => `valid\t${v}\t-`));
    const mismatches = inputs
      .map((v, i) => ({ v, ours: normalizeOrE(v), composer: answers[i] }))
      .filter((m) => m.ours !== m.composer);
    expect(answers.filter((a) => a === 'E').length).toBeGreaterThan(100);
    expect(mismatches, describeMismatches(mismatches)).toEqual([]);
  });

  describe('branches, branch aliases and inline aliases', () => {
    const names = ['main', 'master', 'feature/x', 'Fix-1', '1.0', 'release-2', 'x'];
    const branch = (): string => {
      switch (rng.int(0, 7)) {
        case 0:
          return `${rng.pick(['dev-', 'DEV-', 'Dev-'])}${rng.pick(names)}`;
        case 1:
          return rng.pick(['master', 'trunk', 'default']);
        case 2:
          return `${rng.pick(['', 'v'])}${rng.int(0, 3)}${rng.pick(['.x', '.X', '.*', '.1.x', '.0.*', ''])}${rng.pick(['-dev', '.x-dev', '-DEV', 'dev'])}`;
        case 3:
          return `${generate(rng)} as ${generate(rng)}`;
        case 4:
          return `${rng.pick(['dev-main', '1.x-dev'])} as ${generate(rng)}`;
        case 5:
          return `${rng.pick([' ', '\t', '\n', '\u0000', '\u00a0'])}${generate(rng)}${rng.pick([' ', '\n', ''])}`;
        default:
          return generate(rng);
      }
    };

    it('normalizes 3,000 of them like VersionParser::normalize', () => {
      const inputs = Array.from({ length: 3_000 }, branch);
      const answers = run(inputs.map((v) => jsonLine(['valid', v, '-'])));
      const mismatches = inputs
        .map((v, i) => ({ v, ours: normalizeOrE(v), composer: answers[i] }))
        .filter((m) => m.ours !== m.composer);
      expect(answers.filter((a) => a.startsWith('dev-')).length).toBeGreaterThan(300);
      expect(answers.filter((a) => a.includes('9999999')).length).toBeGreaterThan(300);
      expect(mismatches, describeMismatches(mismatches)).toEqual([]);
    });

    it('orders 4,000 pairs like Comparator, and totally where it has no answer', () => {
      const pairs = rng.pairs(4_000, branch, (v) => (rng.chance(0.5) ? branch() : v));
      const valid = pairs.filter(([a, b]) => composer.isValid(a) && composer.isValid(b));
      expect(valid.length).toBeGreaterThan(3_000);
      const answers = run(valid.map(([a, b]) => jsonLine(['cmp', a, b])));
      const mismatches = valid
        .map(([a, b], i) => ({ a, b, ours: sign(composer.compare(a, b)), composer: answers[i] }))
        .filter((m) => (m.composer === 'N' ? m.ours === 0 : m.ours !== Number(m.composer)));
      expect(answers.filter((a) => a === 'N').length).toBeGreaterThan(100);
      expect(mismatches, describeMismatches(mismatches)).toEqual([]);
    });

    it('matches constraints like Semver::satisfies on 3,000 cases', () => {
      const cases = Array.from({ length: 3_000 }, () => {
        const v = branch();
        const near = generate(rng);
        return [v, constraint(rng, near)] as const;
      }).filter(([v]) => composer.isValid(v));
      const answers = run(cases.map(([v, c]) => jsonLine(['in', v, c])));
      const ours = (v: string, c: string): string => {
        try {
          return composer.satisfies?.(v, c) ? '1' : '0';
        } catch (err) {
          if (isPortcullisError(err, 'INVALID_RANGE')) return 'E';
          throw err;
        }
      };
      const mismatches = cases
        .map(([v, c], i) => ({ v, c, ours: ours(v, c), composer: answers[i] }))
        .filter((m) => m.ours !== m.composer);
      expect(answers.filter((a) => a === '1').length).toBeGreaterThan(300);
      expect(mismatches, describeMismatches(mismatches)).toEqual([]);
    });
  });
});

function normalizeOrE(version: string): string {
  try {
    return normalizeComposer(version);
  } catch (err) {
    if (isPortcullisError(err, 'INVALID_VERSION')) return 'E';
    throw err;
  }
}
