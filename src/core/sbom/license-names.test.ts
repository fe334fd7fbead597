import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { normalizeLicense, spdxIdForLicenseName } from './license-names.js';

const listedIds = createRequire(import.meta.url)('spdx-license-ids') as string[];

describe('spdxIdForLicenseName', () => {
  it.each([
    // As written in the fixtures' metadata (python requests, gems, poms) and on npm.
    ['Apache 2.0', 'Apache-2.0'],
    ['Apache License, Version 2.0', 'Apache-2.0'],
    ['The Apache License, Version 2.0', 'Apache-2.0'],
    ['Apache License 2.0', 'Apache-2.0'],
    ['The MIT License', 'MIT'],
    ['MIT License', 'MIT'],
    ['mit', 'MIT'],
    ['ruby', 'Ruby'],
    ['BSD 3-Clause', 'BSD-3-Clause'],
    ['MPL 2.0', 'MPL-2.0'],
    ['Eclipse Public License 1.0', 'EPL-1.0'],
    ['GNU General Public License v2.0 only', 'GPL-2.0-only'],
    ['The Unlicense', 'Unlicense'],
  ])('%s → %s', (name, id) => {
    expect(spdxIdForLicenseName(name)).toBe(id);
  });

  it.each([
    // The licence or its version is left open: no id is better than a guessed one.
    'BSD License',
    'BSD',
    'GPL',
    'LGPL',
    'GPLv3',
    'Apache Software License',
    'Apache',
    'Python Software Foundation License',
    'Public Domain',
    'BSDL',
    'PSFL',
    'MIT OR Apache-2.0',
    '',
    '   ',
  ])('%j names no single SPDX licence', (name) => {
    expect(spdxIdForLicenseName(name)).toBeUndefined();
  });

  it('maps every listed id to itself, in any case', () => {
    for (const id of listedIds) {
      expect(spdxIdForLicenseName(id)).toBe(id);
      expect(spdxIdForLicenseName(id.toLowerCase())).toBe(id);
    }
  });
});

describe('normalizeLicense', () => {
  it('keeps expressions and unknown names as written, trimmed', () => {
    expect(normalizeLicense(' MIT OR Apache-2.0 ')).toBe('MIT OR Apache-2.0');
    expect(normalizeLicense('BSD License')).toBe('BSD License');
    expect(normalizeLicense('Apache 2.0')).toBe('Apache-2.0');
  });
});
