/**
 * go against golang.org/x/mod/semver as vendored in Debian's Go toolchain: the test copies that
 * source into its temp dir, builds a tiny driver offline, and runs it once for all pairs.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prng } from '../test-support/prng.js';
import { describeMismatches, runBatch, sign } from '../test-support/reference.js';
import { go } from './index.js';

const DRIVER = `package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"refdriver/semver"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		f := strings.Split(in.Text(), " ")
		if f[0] == "valid" {
			fmt.Fprintln(out, semver.IsValid(f[1]))
		} else {
			fmt.Fprintln(out, semver.Compare(f[0], f[1]))
		}
	}
}
`;

function num(rng: Prng): string {
  return rng.chance(0.03)
    ? '1' + '0'.repeat(rng.int(18, 25)) + String(rng.int(0, 9))
    : String(rng.int(0, rng.pick([3, 12])));
}

function generate(rng: Prng): string {
  const core = `v${num(rng)}.${num(rng)}.${num(rng)}`;
  const stamp = `20${rng.int(10, 29)}${String(rng.int(1, 12)).padStart(2, '0')}${String(rng.int(10, 28))}${String(rng.int(100000, 235959))}`;
  const rev = rng.pick(['daa7c04131f5', '000000000000', 'abcdefabcdef']);
  const r = rng.next();
  let v =
    r < 0.15
      ? `v${num(rng)}.0.0-${stamp}-${rev}`
      : r < 0.3
        ? `${core}-0.${stamp}-${rev}`
        : r < 0.4
          ? `${core}-${rng.pick(['pre', 'rc.1', 'beta'])}.0.${stamp}-${rev}`
          : r < 0.65
            ? `${core}-${rng.pick(['alpha', 'alpha.1', 'beta.2', 'beta.11', 'rc.1', '1', 'x-y', '0.a'])}`
            : r < 0.75
              ? rng.pick([`v${num(rng)}`, `v${num(rng)}.${num(rng)}`])
              : core;
  if (rng.chance(0.1) && !/^v\d+(\.\d+)?$/.test(v)) v += rng.pick(['+incompatible', '+build.01']);
  return v;
}

function mutate(rng: Prng, v: string): string {
  const edits = [
    () => v.replace(/\d+/, (d) => String(BigInt(d) + 1n)),
    () => v.replace(/\+.*$/, ''),
    () => v.replace(/-.*$/, ''),
    () => v.replace(/(\d{14})/, (t) => String(BigInt(t) + 1n)),
    () => v.replace(/\.(\d+)$/, '.$1.1'),
  ];
  const out = rng.pick(edits)();
  return go.isValid(out) ? out : v;
}

/** Near-misses for the validity check: each is a valid version with one character changed. */
function nearMiss(rng: Prng): string {
  const v = generate(rng);
  const i = rng.int(0, v.length - 1);
  return v.slice(0, i) + rng.pick(['', '0', '.', '-', '+', 'a', '..', 'v']) + v.slice(i + 1);
}

describe('go differential', () => {
  let dir = '';
  let driver = '';

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'portcullis-go-semver-'));
    const goroot = execFileSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).trim();
    mkdirSync(join(dir, 'semver'));
    copyFileSync(
      join(goroot, 'src/cmd/vendor/golang.org/x/mod/semver/semver.go'),
      join(dir, 'semver/semver.go'),
    );
    writeFileSync(join(dir, 'go.mod'), 'module refdriver\n\ngo 1.19\n');
    writeFileSync(join(dir, 'main.go'), DRIVER);
    driver = join(dir, 'driver');
    execFileSync('go', ['build', '-o', driver, '.'], {
      cwd: dir,
      env: {
        ...process.env,
        GOCACHE: join(dir, 'cache'),
        GOPATH: join(dir, 'gopath'),
        GOPROXY: 'off',
        GOFLAGS: '-mod=mod',
        GOTOOLCHAIN: 'local',
      },
    });
  });

  afterAll(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  const rng = new Prng(0x5eed_0060);
  const pairs = rng.pairs(
    12_000,
    () => generate(rng),
    (v) => mutate(rng, v),
  );

  it('agrees with x/mod/semver.Compare on 12,000 pairs', () => {
    expect(pairs.every(([a, b]) => go.isValid(a) && go.isValid(b))).toBe(true);
    const answers = runBatch(
      driver,
      [],
      pairs.map(([a, b]) => `${a} ${b}`),
    );
    const mismatches = pairs
      .map(([a, b], i) => ({ a, b, ours: sign(go.compare(a, b)), go: Number(answers[i]) }))
      .filter((m) => m.ours !== m.go);
    expect(new Set(answers).size).toBe(3);
    expect(mismatches, describeMismatches(mismatches)).toEqual([]);
  });

  it('agrees with x/mod/semver.IsValid on 5,000 near-misses', () => {
    // x/mod insists on the "v"; we also accept OSV's v-less form, so compare only v-prefixed input.
    const inputs = Array.from({ length: 5_000 }, () => nearMiss(rng)).filter(
      (v) => v.startsWith('v') && !v.includes(' '),
    );
    const answers = runBatch(
      driver,
      [],
      inputs.map((v) => `valid ${v}`),
    );
    const mismatches = inputs
      .map((v, i) => ({ v, ours: go.isValid(v), go: answers[i] === 'true' }))
      .filter((m) => m.ours !== m.go);
    expect(new Set(answers).size).toBe(2);
    expect(mismatches, describeMismatches(mismatches)).toEqual([]);
  });
});
