/** rpm against python3-rpm (rpm.ver to split, rpm.labelCompare to order), in one Python process per batch. */
import { describe, expect, it } from 'vitest';
import { Prng } from '../test-support/prng.js';
import { describeMismatches, runBatch, sign } from '../test-support/reference.js';
import { parseRpm, rpm } from './index.js';

function field(rng: Prng): string {
  let out = rng.number();
  for (let n = rng.int(0, 3); n > 0; n--) {
    out +=
      rng.pick(['.', '.', '_', '+', '~', '^', '']) +
      rng.pick([rng.number(), 'a', 'b', 'rc', 'git', 'el9', 'fc38']);
  }
  return out;
}

function generate(rng: Prng): string {
  const epoch = rng.chance(0.15) ? `${rng.pick(['0', '1', '2', '00', '10'])}:` : '';
  const release = rng.chance(0.7) ? `-${field(rng)}` : '';
  return epoch + field(rng) + release;
}

function mutate(rng: Prng, v: string): string {
  const edits = [
    () => v + rng.pick(['~rc1', '^git1', 'a', '.0', '-1', '.1']),
    () => v.replace(/\d+/, (d) => (rng.chance(0.5) ? `0${d}` : String(BigInt(d) + 1n))),
    () => v.replace(/[~^]/, rng.pick(['.', '~', '^'])),
    () => (v.includes(':') ? v.replace(/^\d+:/, '') : `1:${v}`),
    () => v.replace(/\./, rng.pick(['_', '+', '..'])),
  ];
  const out = rng.pick(edits)();
  return rpm.isValid(out) ? out : v;
}

// rpm.ver is rpm's own EVR parser (parseEVR); labelCompare orders the parts, a missing
// release below any release. "valid" asks whether both take the string (labelCompare refuses
// an empty version part, as rpm's rpmverNew does).
const PYTHON = String.raw`
import sys, rpm
def evr(s):
    v = rpm.ver(s)
    return (v.e, v.v, v.r)
out = []
for line in sys.stdin:
    kind, a, b = line.rstrip('\n').split('\t')
    if kind == 'valid':
        try:
            rpm.labelCompare(evr(a), evr(a))
            out.append('1')
        except Exception:
            out.append('0')
    else:
        out.append(str(rpm.labelCompare(evr(a), evr(b))))
print('\n'.join(out))
`;

/** What real spec files leave in a version: unexpanded macros, odd separators, stray text. */
function lenient(rng: Prng): string {
  const pieces = [
    '%{?dist}',
    '%{version}',
    '%{?_isa}',
    '..',
    '--',
    '-',
    ':',
    '::',
    ' ',
    '_',
    '+',
    '~',
    '^',
    'é',
    'ß',
    '{}',
    '%',
    '@',
  ];
  let out = rng.chance(0.3) ? rng.pick(pieces) : '';
  for (let n = rng.int(1, 4); n > 0; n--) out += rng.chance(0.5) ? rng.pick(pieces) : field(rng);
  return out === '' ? '.' : out;
}

describe('rpm differential', () => {
  const rng = new Prng(0x5eed_0919);
  const pairs = rng.pairs(
    12_000,
    () => generate(rng),
    (v) => mutate(rng, v),
  );

  it('generates valid, varied versions', () => {
    expect(pairs.every(([a, b]) => rpm.isValid(a) && rpm.isValid(b))).toBe(true);
    expect(new Set(pairs.map(([a, b]) => sign(rpm.compare(a, b)))).size).toBe(3);
  });

  it('agrees with rpm.labelCompare on 12,000 pairs', () => {
    expect(parseRpm('1:2-3')).toEqual({ epoch: '1', version: '2', release: '3' });
    const answers = runBatch(
      '/usr/bin/python3',
      ['-c', PYTHON],
      pairs.map(([a, b]) => `cmp\t${a}\t${b}`),
    );
    const mismatches = pairs
      .map(([a, b], i) => ({ a, b, ours: sign(rpm.compare(a, b)), rpm: Number(answers[i]) }))
      .filter((m) => m.ours !== m.rpm);
    expect(mismatches, describeMismatches(mismatches)).toEqual([]);
  });

  it('accepts and orders every string rpm.ver parses: macros, separators, blanks (4,000 pairs)', () => {
    const lenientPairs = rng.pairs(
      4_000,
      () => (rng.chance(0.7) ? lenient(rng) : generate(rng)),
      (v) => (rng.chance(0.5) ? v + lenient(rng) : lenient(rng) + v),
    );
    const values = [...new Set(lenientPairs.flat())];
    const accepted = runBatch(
      '/usr/bin/python3',
      ['-c', PYTHON],
      values.map((v) => `valid\t${v}\t-`),
    );
    const rejected = values.filter((v, i) => accepted[i] !== (rpm.isValid(v) ? '1' : '0'));
    expect(rejected, describeMismatches(rejected)).toEqual([]);
    expect(accepted.filter((a) => a === '0').length).toBeGreaterThan(10);
    const valid = lenientPairs.filter(([a, b]) => rpm.isValid(a) && rpm.isValid(b));
    expect(valid.length).toBeGreaterThan(3_000);
    const answers = runBatch(
      '/usr/bin/python3',
      ['-c', PYTHON],
      valid.map(([a, b]) => `cmp\t${a}\t${b}`),
    );
    const mismatches = valid
      .map(([a, b], i) => ({ a, b, ours: sign(rpm.compare(a, b)), rpm: Number(answers[i]) }))
      .filter((m) => m.ours !== m.rpm);
    expect(new Set(answers).size).toBe(3);
    expect(mismatches, describeMismatches(mismatches)).toEqual([]);
  });
});
