import { describe, expect, it } from 'vitest';
import { licensesFromCopyright } from './copyright.js';
import { licensesFromExpression, toSpdx } from './licenses.js';

// Literal table from the DEP-5 short-name list (copyright-format 1.0) and the SPDX list.
const SHORT_NAMES: [string, string | undefined][] = [
  ['GPL-2', 'GPL-2.0-only'],
  ['GPL-2+', 'GPL-2.0-or-later'],
  ['GPL-3+', 'GPL-3.0-or-later'],
  ['LGPL-2.1', 'LGPL-2.1-only'],
  ['LGPL-2.1+', 'LGPL-2.1-or-later'],
  ['LGPL-2', 'LGPL-2.0-only'],
  ['AGPL-3+', 'AGPL-3.0-or-later'],
  ['GFDL-1.3+', 'GFDL-1.3-or-later'],
  ['Expat', 'MIT'],
  ['BSD-3-clause', 'BSD-3-Clause'],
  ['BSD-2-clause', 'BSD-2-Clause'],
  ['Apache-2.0', 'Apache-2.0'],
  ['Artistic', 'Artistic-1.0'],
  ['Artistic-2.0', 'Artistic-2.0'],
  ['MPL-2.0', 'MPL-2.0'],
  ['Zlib', 'Zlib'],
  ['ISC', 'ISC'],
  ['CC0-1.0', 'CC0-1.0'],
  ['Zope-2.1', 'ZPL-2.1'],
  ['public-domain', undefined],
  ['permissive', undefined],
  ['GPL', undefined],
];

describe('toSpdx', () => {
  for (const [name, spdx] of SHORT_NAMES) {
    it(`maps ${name} to ${spdx ?? 'nothing'}`, () => expect(toSpdx(name)).toBe(spdx));
  }
});

describe('licensesFromExpression', () => {
  it('splits or/and/comma and keeps exception clauses as written', () => {
    expect(licensesFromExpression('GPL-1+ or Artistic')).toEqual(['GPL-1.0-or-later', 'Artistic-1.0']);
    expect(licensesFromExpression('Expat and BSD-3-clause')).toEqual(['MIT', 'BSD-3-Clause']);
    expect(licensesFromExpression('GPL-2+ with OpenSSL exception')).toEqual([
      'GPL-2+ with OpenSSL exception',
    ]);
    expect(licensesFromExpression('LGPL-2.1+, public-domain')).toEqual([
      'LGPL-2.1-or-later',
      'public-domain',
    ]);
  });
});

describe('licensesFromCopyright', () => {
  it('reads every License field of a machine-readable file, first line only, de-duplicated', () => {
    const text = `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: demo

Files: *
Copyright: 2020 A
License: GPL-2+
 This program is free software; see /usr/share/common-licenses/GPL-3.

Files: lib/*
Copyright: 2021 B
License: Expat or Apache-2.0

Files: debian/*
Copyright: 2022 C
License: GPL-2+

License: Expat
 Permission is hereby granted ...
`;
    expect(licensesFromCopyright(Buffer.from(text))).toEqual(['GPL-2.0-or-later', 'MIT', 'Apache-2.0']);
  });

  it('takes only explicit common-licenses references from free-form files', () => {
    const gpl = `This is bash, packaged by X.\n\nBash is free software; you can redistribute it under the GPL version 3\nor (at your option) any later version.\n\nOn Debian systems see /usr/share/common-licenses/GPL-3.\n`;
    expect(licensesFromCopyright(Buffer.from(gpl))).toEqual(['GPL-3.0-or-later']);
    const only =
      'Licensed under version 2.1 only.\nSee /usr/share/common-licenses/LGPL-2.1 and /usr/share/common-licenses/Apache-2.0.\n';
    expect(licensesFromCopyright(Buffer.from(only))).toEqual(['LGPL-2.1-only', 'Apache-2.0']);
    expect(licensesFromCopyright(Buffer.from('Do what you like, it is yours.\n'))).toEqual([]);
  });

  it('does not guess a version for the unversioned GPL symlink', () => {
    expect(licensesFromCopyright(Buffer.from('See /usr/share/common-licenses/GPL for details.\n'))).toEqual([
      'GPL',
    ]);
  });

  it('survives latin-1 bytes and garbage', () => {
    const latin1 = Buffer.from('Copyright Jos\u00e9\nSee /usr/share/common-licenses/BSD.\n', 'latin1');
    expect(licensesFromCopyright(latin1)).toEqual(['BSD']);
    expect(licensesFromCopyright(Buffer.from([0xff, 0xfe, 0x00, 0x01]))).toEqual([]);
  });
});
