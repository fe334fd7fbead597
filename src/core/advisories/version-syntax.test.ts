import { describe, it, expect } from 'vitest';
import { isSemverSyntax, isVersionSyntax } from './version-syntax.js';
import { sh } from './test-support/feed-data.js';

describe('version syntax checks agree with the reference tools', () => {
  const pep440 = [
    '1.0',
    '1.0.post1',
    '2.0rc1',
    '1!2.0',
    '1.0+local.7',
    '1.0.dev3',
    'v1.2',
    '2019-09-12',
    '0.2.0-n653',
    '1.0-1',
    'abc',
    '1.0..1',
  ];
  it('PEP 440 against python3-packaging', () => {
    const truth = JSON.parse(
      sh(
        `/usr/bin/python3 -c 'import sys, json
from packaging.version import Version, InvalidVersion
def ok(v):
    try:
        Version(v); return True
    except InvalidVersion:
        return False
print(json.dumps([ok(v) for v in sys.argv[1:]]))' ${pep440.map((v) => `'${v}'`).join(' ')}`,
      ),
    ) as boolean[];
    expect(pep440.map((v) => isVersionSyntax('pep440', v))).toEqual(truth);
  });

  const gems = ['1.0', '1.0.rc1', '5.2.5.A', '1.2.3-beta.1', '1.0.0.pre', 'a1', '1..0', '1.0 beta'];
  it('RubyGems against Gem::Version.correct?', () => {
    const truth = JSON.parse(
      sh(
        `ruby -e 'require "json"; puts JSON.generate(ARGV.map { |v| Gem::Version.correct?(v) ? true : false })' ${gems.map((v) => `'${v}'`).join(' ')}`,
      ),
    ) as boolean[];
    expect(gems.map((v) => isVersionSyntax('gem', v))).toEqual(truth);
  });

  const debs = [
    '1.0-1',
    '1:2.3.4-5+deb12u1',
    '2.4.55-1',
    '0.9~rc1',
    '1.0',
    'a1.0',
    '1.0 1',
    '1:',
    '1.2-',
    '1_2',
    'x:1.0',
    '2:1.0:3-1',
    '1.0-1-2',
    '1.0-a_b',
  ];
  it('Debian against dpkg --validate-version', () => {
    const truth = debs.map((v) => {
      try {
        sh(`dpkg --validate-version '${v}' 2>/dev/null`);
        return true;
      } catch {
        return false;
      }
    });
    expect(debs.map((v) => isVersionSyntax('deb', v))).toEqual(truth);
  });

  it('apk, semver and go by their documented grammars (literal table)', () => {
    const table: [Parameters<typeof isVersionSyntax>[0], string, boolean][] = [
      ['apk', '1.2.4-r1', true],
      ['apk', '2.8.4_p1-r0', true],
      ['apk', '1.0_rc1_p2-r3', true],
      ['apk', '1.1.1k-r0', true],
      ['apk', '6.6.2p1-r0', false],
      ['apk', '4.8.0.-r1', false],
      ['semver', '1.2.3-alpha.1+build', true],
      ['semver', '1.2', false],
      ['go', 'v0.0.0-20210101000000-abcdefabcdef', true],
      ['go', 'v2.0.0+incompatible', true],
      ['go', '1.21.0', true],
      ['go', 'v1', false],
      ['maven', '1.0-SNAPSHOT', true],
      ['maven', '1.0 final', false],
    ];
    for (const [scheme, v, ok] of table) expect(isVersionSyntax(scheme, v), `${scheme} ${v}`).toBe(ok);
    expect(isVersionSyntax('deb', '0')).toBe(true);
    expect(isSemverSyntax('0')).toBe(true);
    expect(isVersionSyntax('semver', 'x'.repeat(300))).toBe(false);
  });
});
