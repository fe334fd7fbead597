/**
 * maven against ComparableVersion and VersionRange from Debian's maven-artifact jar: a small Java
 * driver run as a single-file source program (no build step), once for all cases.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPortcullisError } from '../../errors.js';
import { Prng } from '../test-support/prng.js';
import { describeMismatches, jsonLine, runBatch, sign } from '../test-support/reference.js';
import { maven } from './index.js';

const JAR = '/usr/share/maven/lib/maven-artifact-3.x.jar';
// DefaultArtifactVersion parses numbers with commons-lang3, which Debian's maven ships beside it.
const LANG3 = '/usr/share/maven/lib/commons-lang3.jar';

const DRIVER = `
import java.io.*;
import org.apache.maven.artifact.versioning.*;

public class Driver {
  public static void main(String[] args) throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, "UTF-8"));
    PrintWriter out = new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.out, "UTF-8")));
    String line;
    while ((line = in.readLine()) != null) {
      String[] f = line.startsWith("[") ? fromJson(line) : line.split("\\t", -1);
      if (f[0].equals("cmp")) {
        out.println(Integer.signum(new ComparableVersion(f[1]).compareTo(new ComparableVersion(f[2]))));
      } else {
        try {
          out.println(VersionRange.createFromVersionSpec(f[2]).containsVersion(new DefaultArtifactVersion(f[1])) ? "1" : "0");
        } catch (InvalidVersionSpecificationException e) {
          out.println("E");
        }
      }
    }
    out.flush();
  }

  // The JSON lines jsonLine() writes: an array of three ASCII strings, non-ASCII as u-escapes.
  static String[] fromJson(String line) {
    String[] f = new String[3];
    StringBuilder b = null;
    int n = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (b == null) {
        if (c == '"') b = new StringBuilder();
      } else if (c == '\\\\') {
        char e = line.charAt(++i);
        if (e == 'u') {
          b.append((char) Integer.parseInt(line.substring(i + 1, i + 5), 16));
          i += 4;
        } else {
          b.append(e == 'n' ? '\\n' : e == 't' ? '\\t' : e == 'r' ? '\\r' : e == 'b' ? '\\b' : e == 'f' ? '\\f' : e);
        }
      } else if (c == '"') {
        f[n++] = b.toString();
        b = null;
      } else {
        b.append(c);
      }
    }
    return f;
  }
}
`;

const QUALIFIERS = [
  'alpha',
  'a',
  'b',
  'm',
  'beta',
  'milestone',
  'rc',
  'cr',
  'RC',
  'snapshot',
  'SNAPSHOT',
  'ga',
  'final',
  'Final',
  'release',
  'RELEASE',
  'sp',
  'foo',
  'jre',
  'android',
  'x',
];

function generate(rng: Prng): string {
  let v = rng.number();
  for (let n = rng.int(0, 4); n > 0; n--) {
    const sep = rng.pick(['.', '.', '-', '-', '']);
    const part = rng.chance(0.5) ? rng.number() : rng.pick(QUALIFIERS);
    // Without a separator only a digit/letter transition splits, so keep one there.
    v += sep === '' && /\d$/.test(v) === /^\d/.test(part) ? `.${part}` : sep + part;
  }
  if (rng.chance(0.1)) v += rng.pick(['.0', '-0', '.0.0', '-', '.']);
  return maven.isValid(v) ? v : `${v}0`;
}

function mutate(rng: Prng, v: string): string {
  const edits = [
    () => `${v}${rng.pick(['.0', '-0', '-SNAPSHOT', '.1', '-1', 'a1', '-ga', '-sp'])}`,
    () => v.replace(/(\d+)(?=\D*$)/, (d) => String(BigInt(d) + 1n)),
    () => v.replace(/\./, '-'),
    () => v.replace(/-/, '.'),
    () => v.toUpperCase(),
  ];
  const out = rng.pick(edits)();
  return maven.isValid(out) ? out : v;
}

function range(rng: Prng, near: string): string {
  const versions = [near, generate(rng), mutate(rng, near)].sort((a, b) => maven.compare(a, b));
  const [a, b, c] = versions as [string, string, string];
  const lo = (): string => rng.pick(['[', '(']);
  const hi = (): string => rng.pick([']', ')']);
  switch (rng.int(0, 5)) {
    case 0:
      return `[${a}]`;
    case 1:
      return `${lo()}${a},${c}${hi()}`;
    case 2:
      return `(,${b}${hi()}`;
    case 3:
      return `${lo()}${b},)`;
    case 4:
      return `(,${a}${hi()},${lo()}${c},)`;
    default:
      return `${lo()}${a},${b}${hi()},[${c}]`;
  }
}

describe('maven differential', () => {
  let dir = '';
  beforeAll(() => {
    expect(existsSync(JAR)).toBe(true);
    expect(existsSync(LANG3)).toBe(true);
    dir = mkdtempSync(join(tmpdir(), 'portcullis-maven-'));
    writeFileSync(join(dir, 'Driver.java'), DRIVER);
  });
  afterAll(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });
  const run = (lines: string[]): string[] =>
    runBatch('java', ['-cp', `${JAR}:${LANG3}`, join(dir, 'Driver.java')], lines);

  const rng = new Prng(0x5eed_3a7e);
  const pairs = rng.pairs(
    12_000,
    () => generate(rng),
    (v) => mutate(rng, v),
  );

  it('agrees with ComparableVersion on 12,000 pairs', () => {
    expect(pairs.every(([a, b]) => maven.isValid(a) && maven.isValid(b))).toBe(true);
    const answers = run(pairs.map(([a, b]) => `cmp\t${a}\t${b}`));
    const mismatches = pairs
      .map(([a, b], i) => ({ a, b, ours: sign(maven.compare(a, b)), maven: Number(answers[i]) }))
      .filter((m) => m.ours !== m.maven);
    expect(new Set(answers).size).toBe(3);
    expect(mismatches, describeMismatches(mismatches)).toEqual([]);
  });

  it('agrees with VersionRange.containsVersion on 10,000 cases', () => {
    const cases = Array.from({ length: 10_000 }, () => {
      const v = generate(rng);
      return [rng.chance(0.5) ? v : mutate(rng, v), range(rng, v)] as const;
    });
    const answers = run(cases.map(([v, r]) => `in\t${v}\t${r}`));
    const ours = (v: string, r: string): string => {
      try {
        return maven.satisfies?.(v, r) ? '1' : '0';
      } catch (err) {
        if (isPortcullisError(err, 'INVALID_RANGE')) return 'E';
        throw err;
      }
    };
    const mismatches = cases
      .map(([v, r], i) => ({ v, r, ours: ours(v, r), maven: answers[i] }))
      .filter((m) => m.ours !== m.maven);
    const matched = answers.filter((a) => a === '1').length;
    expect(matched).toBeGreaterThan(1_000);
    expect(matched).toBeLessThan(9_000);
    expect(mismatches, describeMismatches(mismatches)).toEqual([]);
  });

  it('orders what Debian and odd POMs carry like ComparableVersion (4,000 pairs)', () => {
    // Debian's repackaged jars (3.0.0~a3+dfsg), leading separators, other scripts, blanks.
    const odd = [
      '~',
      '+dfsg',
      '~a3',
      '+ds',
      '-',
      '.',
      '_',
      '+',
      ' ',
      'é',
      'Ä',
      'ß',
      'ω',
      'Σ',
      'я',
      '中',
      'İ',
      '🙂',
    ];
    const lenient = (): string => {
      let v = rng.chance(0.3) ? rng.pick(odd) : '';
      for (let n = rng.int(1, 4); n > 0; n--) v += rng.chance(0.5) ? rng.pick(odd) : generate(rng);
      return v;
    };
    const pairs = rng.pairs(4_000, lenient, (v) => (rng.chance(0.5) ? v + rng.pick(odd) : mutate(rng, v)));
    const valid = pairs.filter(([a, b]) => maven.isValid(a) && maven.isValid(b));
    expect(valid.length).toBeGreaterThan(3_500);
    const answers = run(valid.map(([a, b]) => jsonLine(['cmp', a, b])));
    const mismatches = valid
      .map(([a, b], i) => ({ a, b, ours: sign(maven.compare(a, b)), maven: Number(answers[i]) }))
      .filter((m) => m.ours !== m.maven);
    expect(new Set(answers).size).toBe(3);
    expect(mismatches, describeMismatches(mismatches)).toEqual([]);
  });
});
