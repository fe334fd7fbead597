/**
 * deb against Debian's own implementations: Dpkg::Version (libdpkg-perl) for every pair in one
 * Perl process, and the dpkg binary itself (`dpkg --compare-versions`) for a large sample in
 * one shell loop.
 */
import { describe, expect, it } from 'vitest';
import { Prng } from '../test-support/prng.js';
import { describeMismatches, runBatch, sign } from '../test-support/reference.js';
import { deb } from './index.js';

function generate(rng: Prng): string {
  const epoch = rng.chance(0.15) ? `${rng.pick(['0', '1', '2', '01', '10'])}:` : '';
  const parts = [rng.number()];
  for (let n = rng.int(0, 3); n > 0; n--)
    parts.push(
      rng.pick(['.', '.', '+', '~', '-']) + rng.pick([rng.number(), 'a', 'b', 'rc1', 'dfsg', 'really']),
    );
  let upstream = parts.join('').replace(/-/g, '.');
  if (rng.chance(0.2)) upstream += rng.pick(['~rc1', '~beta2', '~~', '~', '+dfsg', 'a', '+git20240101']);
  const revision = rng.chance(0.7)
    ? `-${rng.number()}${rng.chance(0.3) ? rng.pick(['+deb12u1', '~deb11u2', '+b1', 'ubuntu1', '.1', '~bpo12+1', '+really']) : ''}`
    : '';
  return epoch + upstream + revision;
}

function mutate(rng: Prng, v: string): string {
  const edits = [
    () => v + rng.pick(['~', '+b1', 'a', '.0', '-1', '~rc1']),
    () => v.replace(/\d+/, (d) => (rng.chance(0.5) ? `0${d}` : String(BigInt(d) + 1n))),
    () => v.replace(/~/, '+'),
    () => (v.includes(':') ? v.replace(/^\d+:/, '') : `1:${v}`),
    () => v.replace(/\d(?=\D*$)/, (d) => String((Number(d) + 1) % 10)),
  ];
  const out = rng.pick(edits)();
  return deb.isValid(out) ? out : v;
}

const PERL = String.raw`
use strict; use Dpkg::Version;
while (my $line = <STDIN>) { chomp $line; my ($a, $b) = split / /, $line;
  print version_compare($a, $b) <=> 0, "\n"; }`;

const DPKG_LOOP = `while read a b; do
  if dpkg --compare-versions "$a" lt "$b"; then echo -1;
  elif dpkg --compare-versions "$a" eq "$b"; then echo 0; else echo 1; fi
done`;

const VALIDATE_LOOP = `while IFS= read -r v; do
  if dpkg --validate-version "$v" >/dev/null 2>&1; then echo 1; else echo 0; fi
done`;

describe('deb differential', () => {
  const rng = new Prng(0x5eed_deb);
  const pairs = rng.pairs(
    12_000,
    () => generate(rng),
    (v) => mutate(rng, v),
  );

  it('generates valid, varied versions', () => {
    expect(pairs.every(([a, b]) => deb.isValid(a) && deb.isValid(b))).toBe(true);
    expect(new Set(pairs.map(([a, b]) => sign(deb.compare(a, b)))).size).toBe(3);
  });

  // Dpkg::Version compares digit runs as Perl numbers (doubles), so it is only a reference for
  // runs that fit in 15 digits; the dpkg binary (exact, like us) judges every longer one below.
  const long = (v: string): boolean => /\d{16}/.test(v);
  const short = pairs.filter(([a, b]) => !long(a) && !long(b));

  it('agrees with Dpkg::Version on the pairs without 16+ digit runs', () => {
    expect(short.length).toBeGreaterThan(10_000);
    const answers = runBatch(
      'perl',
      ['-e', PERL],
      short.map(([a, b]) => `${a} ${b}`),
    );
    const mismatches = short
      .map(([a, b], i) => ({ a, b, ours: sign(deb.compare(a, b)), dpkg: Number(answers[i]) }))
      .filter((m) => m.ours !== m.dpkg);
    expect(mismatches, describeMismatches(mismatches)).toEqual([]);
  });

  it('agrees with dpkg --compare-versions on 2,000 pairs plus every long-number pair', () => {
    const sample = pairs.filter(([a, b], i) => i < 2_000 || long(a) || long(b));
    const answers = runBatch(
      'sh',
      ['-c', DPKG_LOOP],
      sample.map(([a, b]) => `${a} ${b}`),
    );
    const mismatches = sample
      .map(([a, b], i) => ({ a, b, ours: sign(deb.compare(a, b)), dpkg: Number(answers[i]) }))
      .filter((m) => m.ours !== m.dpkg);
    expect(mismatches, describeMismatches(mismatches)).toEqual([]);
  });

  it('agrees with dpkg --validate-version on 2,000 near-misses', () => {
    const inputs = Array.from({ length: 2_000 }, () => {
      const v = generate(rng);
      const i = rng.int(0, v.length - 1);
      return v.slice(0, i) + rng.pick(['', ':', '-', '_', 'a', '~', '::', '--', 'A', '#']) + v.slice(i + 1);
    }).filter((v) => v !== '');
    const answers = runBatch('sh', ['-c', VALIDATE_LOOP], inputs);
    const mismatches = inputs
      .map((v, i) => ({ v, ours: deb.isValid(v) ? '1' : '0', dpkg: answers[i] }))
      .filter((m) => m.ours !== m.dpkg);
    expect(new Set(answers).size).toBe(2);
    expect(mismatches, describeMismatches(mismatches)).toEqual([]);
  });
});
