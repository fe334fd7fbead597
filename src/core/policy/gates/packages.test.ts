import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { compareLoose } from '../loose-version.js';
import { fire, makeInput, makePackage } from '../test-support.js';

const input = makeInput({
  packages: [
    makePackage('openssl', '3.0.11-1'),
    makePackage('curl', '7.88.1-10'),
    makePackage('express', '4.18.0', 'npm'),
  ],
  packageFileIssues: [
    { package: 'openssl', path: '/usr/lib/ssl/openssl.cnf', issue: 'changed' },
    { package: 'curl', path: '/usr/bin/curl', issue: 'missing' },
  ],
});
const rule = (trigger: string, params: Record<string, string> = {}) => ({
  gate: 'packages',
  trigger,
  params,
});

describe('packages/required_package', () => {
  it('fires when missing or not at the exact / minimum version', () => {
    expect(fire(rule('required_package', { name: 'ca-certificates' }), input).map((t) => t.message)).toEqual([
      'Required package ca-certificates not present in image',
    ]);
    expect(fire(rule('required_package', { name: 'openssl', version: '3.0.12-1' }), input)).toHaveLength(1);
    expect(
      fire(
        rule('required_package', { name: 'openssl', version: '3.0.12-1', version_match_type: 'minimum' }),
        input,
      ),
    ).toHaveLength(1);
    // express is an npm package; this distro-package gate does not see it.
    expect(fire(rule('required_package', { name: 'express' }), input)).toHaveLength(1);
  });
  it('does not fire when present at an acceptable version', () => {
    expect(fire(rule('required_package', { name: 'openssl' }), input)).toEqual([]);
    expect(fire(rule('required_package', { name: 'openssl', version: '3.0.11-1' }), input)).toEqual([]);
    expect(
      fire(
        rule('required_package', { name: 'openssl', version: '3.0.9-1', version_match_type: 'minimum' }),
        input,
      ),
    ).toEqual([]);
  });
});

describe('packages/verify', () => {
  it('fires per changed or missing file, filtered', () => {
    expect(fire(rule('verify'), input)).toHaveLength(2);
    expect(fire(rule('verify', { check: 'missing' }), input).map((t) => t.message)).toEqual([
      'Package curl file /usr/bin/curl is missing compared with the package database',
    ]);
    expect(fire(rule('verify', { only_directories: '/usr/lib' }), input)).toHaveLength(1);
  });
  it('does not fire outside the filters', () => {
    expect(fire(rule('verify', { only_packages: 'bash' }), input)).toEqual([]);
    expect(fire(rule('verify', { only_packages: 'curl', check: 'changed' }), input)).toEqual([]);
  });
});

describe('packages/blacklist', () => {
  it('fires for a listed distro package (and version)', () => {
    expect(fire(rule('blacklist', { name: 'curl' }), input).map((t) => t.message)).toEqual([
      'Package is blacklisted: curl-7.88.1-10',
    ]);
    expect(fire(rule('blacklist', { name: 'curl', version: '7.88.1-10' }), input)).toHaveLength(1);
  });
  it('does not fire for another version or a non-distro package', () => {
    expect(fire(rule('blacklist', { name: 'curl', version: '8.0.0-1' }), input)).toEqual([]);
    expect(fire(rule('blacklist', { name: 'express' }), input)).toEqual([]);
  });
});

describe('compareLoose (fallback order for minimum versions)', () => {
  // Ground truth: dpkg --compare-versions on plain Debian-style versions.
  const pairs: [string, string][] = [
    ['1.0', '1.0.1'],
    ['1.10', '1.9'],
    ['3.0.11-1', '3.0.9-1'],
    ['2.0~rc1', '2.0'],
    ['1.2.3', '1.2.3'],
    ['7.88.1-10', '7.88.1-9'],
    ['1.0a', '1.0b'],
    ['10.0', '9.99.99'],
    ['1.0-1', '1.0-1.1'],
    ['0.9', '0.10'],
  ];
  it.each(pairs)('%s vs %s agrees with dpkg', (a, b) => {
    const dpkg = (op: string) => {
      try {
        execFileSync('dpkg', ['--compare-versions', a, op, b], { stdio: 'pipe' });
        return true;
      } catch {
        return false;
      }
    };
    const expected = dpkg('lt') ? -1 : dpkg('gt') ? 1 : 0;
    expect(compareLoose(a, b)).toBe(expected);
  });
});
