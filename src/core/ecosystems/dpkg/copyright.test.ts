import { createRequire } from 'node:module';
import parseSpdxExpression from 'spdx-expression-parse';
import { describe, expect, it } from 'vitest';
import { licensesFromCopyright } from './copyright.js';
import { licensesFromExpression, toSpdx, withExceptionToSpdx } from './licenses.js';

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

/**
 * Every distinct "with" phrase of the `License:` fields in /usr/share/doc/<package>/copyright of a
 * Debian 12 development machine and of the fixture images (46 distinct lines). Mapped only
 * where the exception text in those files is the SPDX exception's; the rest stay as written.
 */
const REAL_WITH_PHRASES: [string, string | undefined][] = [
  ['GPL-2 with Linux-syscall-note exception', 'GPL-2.0-only WITH Linux-syscall-note'],
  ['Apache-2.0 with LLVM exception', 'Apache-2.0 WITH LLVM-exception'],
  ['Apache-2.0-with-LLVM-exception', 'Apache-2.0 WITH LLVM-exception'],
  ['GPL-2+ with Libtool exception', 'GPL-2.0-or-later WITH Libtool-exception'],
  ['GPL-2+ with LibTool exception', 'GPL-2.0-or-later WITH Libtool-exception'],
  ['GPL-2+ with libtool exception', 'GPL-2.0-or-later WITH Libtool-exception'],
  ['GPL-3+ with Libtool exception', 'GPL-3.0-or-later WITH Libtool-exception'],
  ['GPL-3+ with Bison exception', 'GPL-3.0-or-later WITH Bison-exception-2.2'],
  ['GPL-3+-WITH-BISON-EXCEPTION', 'GPL-3.0-or-later WITH Bison-exception-2.2'],
  ['GPL-3+ with Bison-2.2 exception', 'GPL-3.0-or-later WITH Bison-exception-2.2'],
  ['GPL-3+ with GCC-Runtime-3.1 exception', 'GPL-3.0-or-later WITH GCC-exception-3.1'],
  ['GPL-2+ with Font exception', 'GPL-2.0-or-later WITH Font-exception-2.0'],
  ['GPL-3+ with texinfo exception', 'GPL-3.0-or-later WITH Texinfo-exception'],
  // GPL-2 Bison skeletons carried either the 1.24 or the 2.2 exception.
  ['GPL-2+ with Bison exception', undefined],
  // The GPL-2 texinfo.tex exception lacks the GPL-3 sentence of SPDX's Texinfo-exception.
  ['GPL-2+ with Texinfo exception', undefined],
  ['GPL-2.0+ with Texinfo exception', undefined],
  // Debian's "Autoconf exception" covers the generic, the 2.0 and the macro-archive texts.
  ['GPL-2+ with Autoconf exception', undefined],
  ['GPL-3+ with Autoconf exception', undefined],
  ['GPL-2+ with AutoConf exception', undefined],
  ['GPL-3+ with autoconf exception', undefined],
  ['GPL3+ with autoconf exception', undefined],
  ['GPL-2+ with Autoconf-data exception', undefined],
  ['GPL-3+ with Autoconf-data exception', undefined],
  // No SPDX exception for these texts, or no SPDX id for the licence.
  ['GPL-2+ with OpenSSL exception', undefined],
  ['LGPL-2.1+ with OpenSSL exception', undefined],
  ['GPL-2+ with distribution exception', undefined],
  ['GPL with automake exception', undefined],
  ['GPL with Classpath exception', undefined],
  ['GPL-2 with linking exception', undefined],
  ['BSD-3-clause-Cambridge with BINARY LIBRARY-LIKE PACKAGES exception', undefined],
  ['Apache-2.0-with-GPL2-LGPL2-Exception', undefined],
  ['BSD-3-clause-with-weird-numbering', undefined],
  ['MIT-Old-Style-with-legal-disclaimer-2', undefined],
  ['BSD-like-with-advertising-clause', undefined],
  ['Expat-with-advertising-restriction', undefined],
];

describe('withExceptionToSpdx on the phrases Debian really uses', () => {
  for (const [name, spdx] of REAL_WITH_PHRASES) {
    it(`maps "${name}" to ${spdx ?? 'nothing'}`, () => expect(withExceptionToSpdx(name)).toBe(spdx));
  }

  it('produces only expressions that parse under SPDX Annex D with listed exception ids', () => {
    const exceptions = new Set(createRequire(import.meta.url)('spdx-exceptions') as string[]);
    for (const [, spdx] of REAL_WITH_PHRASES) {
      if (spdx === undefined) continue;
      const parsed = parseSpdxExpression(spdx);
      expect(
        'exception' in parsed && parsed.exception !== undefined && exceptions.has(parsed.exception),
      ).toBe(true);
    }
  });

  it('takes an SPDX exception id written out in full', () => {
    expect(withExceptionToSpdx('GPL-2+ with Classpath-exception-2.0')).toBe(
      'GPL-2.0-or-later WITH Classpath-exception-2.0',
    );
    expect(withExceptionToSpdx('GPL-2 with Linux-syscall-note')).toBe('GPL-2.0-only WITH Linux-syscall-note');
  });
});

describe('licensesFromExpression', () => {
  it('splits or/and/comma, maps exceptions with an SPDX id and keeps the others as written', () => {
    expect(licensesFromExpression('GPL-1+ or Artistic')).toEqual(['GPL-1.0-or-later', 'Artistic-1.0']);
    expect(licensesFromExpression('Expat and BSD-3-clause')).toEqual(['MIT', 'BSD-3-Clause']);
    expect(licensesFromExpression('GPL-2+ with OpenSSL exception')).toEqual([
      'GPL-2+ with OpenSSL exception',
    ]);
    expect(licensesFromExpression('Apache-2.0 with LLVM exception or Apache-2.0 or MIT')).toEqual([
      'Apache-2.0 WITH LLVM-exception',
      'Apache-2.0',
      'MIT',
    ]);
    expect(licensesFromExpression('FSF-unlimited and GPL-2+ with Libtool exception')).toEqual([
      'FSF-unlimited',
      'GPL-2.0-or-later WITH Libtool-exception',
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
