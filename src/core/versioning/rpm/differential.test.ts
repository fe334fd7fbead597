/** rpm against python3-rpm's rpm.labelCompare, all pairs in one Python process. */
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

const PYTHON = String.raw`
import sys, rpm
def evr(s):
    e, _, rest = s.rpartition(':') if ':' in s else ('', '', s)
    v, dash, r = rest.rpartition('-')
    if not dash: v, r = rest, None
    return (e or None, v, r)
out = []
for line in sys.stdin:
    a, b = line.split()
    out.append(str(rpm.labelCompare(evr(a), evr(b))))
print('\n'.join(out))
`;

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
    // Our parser must split exactly as the driver does, or the comparison proves nothing.
    expect(parseRpm('1:2-3')).toEqual({ epoch: '1', version: '2', release: '3' });
    const answers = runBatch(
      '/usr/bin/python3',
      ['-c', PYTHON],
      pairs.map(([a, b]) => `${a} ${b}`),
    );
    const mismatches = pairs
      .map(([a, b], i) => ({ a, b, ours: sign(rpm.compare(a, b)), rpm: Number(answers[i]) }))
      .filter((m) => m.ours !== m.rpm);
    expect(mismatches, describeMismatches(mismatches)).toEqual([]);
  });
});
