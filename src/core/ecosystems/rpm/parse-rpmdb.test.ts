import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PackageURL } from 'packageurl-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogerParser, FileResolver, ParseContext, ParseResult } from '../types.js';
import { rpmBdbParser, rpmNdbParser, rpmSqliteParser } from './parse-rpmdb.js';
import { buildRpmDb, rpmQuery, type RpmDbFixture } from './test-support/build-rpmdb.js';

const noFiles: FileResolver = { read: async () => undefined, glob: async () => [] };
const context: ParseContext = {
  resolver: noFiles,
  foundBy: 'rpm-db@1',
  distro: { id: 'rhel', versionId: '9.3' },
};

let fx: RpmDbFixture;
beforeAll(async () => {
  fx = await buildRpmDb();
}, 120_000);
afterAll(() => fx?.cleanup());

const QF = '%{NAME}\\t%|EPOCH?{%{EPOCH}}:{}|\\t%{VERSION}-%{RELEASE}\\t%{ARCH}\\t%{SOURCERPM}\\n';

function rows(result: ParseResult): string[] {
  return result.packages
    .map((p) => {
      const m = p.metadata;
      return [
        p.name,
        m.epoch ?? '',
        `${String(m.version)}-${String(m.release)}`,
        m.architecture,
        m.sourceRpm,
      ].join('\t');
    })
    .sort();
}

/**
 * Each back-end with where its file is and which database rpm reads as ground truth. Debian's
 * rpm cannot read NDB, so the hand-built NDB file is checked against the SQLite database whose
 * header blobs it carries.
 */
const BACKENDS: [
  string,
  CatalogerParser,
  (f: RpmDbFixture) => [dir: string, file: string],
  (f: RpmDbFixture) => [dir: string, backend: 'sqlite' | 'bdb_ro'],
][] = [
  ['SQLite', rpmSqliteParser, (f) => [f.sqliteDir, 'rpmdb.sqlite'], (f) => [f.sqliteDir, 'sqlite']],
  ['Berkeley DB', rpmBdbParser, (f) => [f.bdbDir, 'Packages'], (f) => [f.bdbDir, 'bdb_ro']],
  ['big-endian Berkeley DB', rpmBdbParser, (f) => [f.bdbBeDir, 'Packages'], (f) => [f.bdbBeDir, 'bdb_ro']],
  ['NDB', rpmNdbParser, (f) => [f.ndbDir, 'Packages.db'], (f) => [f.sqliteDir, 'sqlite']],
];

for (const [label, parser, where, truth] of BACKENDS) {
  describe(`rpm ${label} database`, () => {
    const parse = async (): Promise<ParseResult> => {
      const [dir, file] = where(fx);
      return parser.parse({ path: `/var/lib/rpm/${file}`, contents: readFileSync(join(dir, file)) }, context);
    };

    it('yields the (name, epoch, version-release, arch, sourcerpm) set rpm -qa reports', async () => {
      const [dir, backend] = truth(fx);
      const expected = rpmQuery(dir, backend, ['-qa', '--qf', QF])
        .split('\n')
        .filter((l) => l !== '')
        .sort();
      const result = await parse();
      expect(expected).toHaveLength(3);
      expect(rows(result)).toEqual(expected);
      expect(result.problems).toEqual([]);
    });

    it('lists each package’s files, LICENSE and requirements as rpm -qa --qf does', async () => {
      const [dir, backend] = truth(fx);
      // -qa with a query format works on every back-end; name lookups need index files that
      // a bare Berkeley DB Packages file does not have.
      const qf = '%{NAME}\\t%{LICENSE}\\t[%{FILENAMES}|]\\t[%{REQUIRENAME}|]\\n';
      const expected = rpmQuery(dir, backend, ['-qa', '--qf', qf])
        .split('\n')
        .filter((l) => l !== '')
        .sort();
      const result = await parse();
      const actual = result.packages.map((p) => {
        const files = (p.metadata.files as { path: string }[]).map((f) => `${f.path}|`).join('');
        const requires = ((p.metadata.requires as string[] | undefined) ?? []).map((r) => `${r}|`).join('');
        return [p.name, p.metadata.license, files, requires].join('\t');
      });
      expect(actual.sort()).toEqual(expected);
    });
  });
}

describe('rpm package model', () => {
  let result: ParseResult;
  beforeAll(async () => {
    result = await rpmSqliteParser.parse(
      { path: '/var/lib/rpm/rpmdb.sqlite', contents: readFileSync(join(fx.sqliteDir, 'rpmdb.sqlite')) },
      context,
    );
  });

  it('uses [epoch:]version-release as the version and the SRPM as the source package', () => {
    const alpha = result.packages.find((p) => p.name === 'alpha');
    expect(alpha?.version).toBe('2:1.2.3-4.el9');
    expect(alpha?.source).toEqual({ name: 'alpha', version: '1.2.3-4.el9' });
    const libs = result.packages.find((p) => p.name === 'alpha-libs');
    expect(libs?.source).toEqual({ name: 'alpha', version: '1.2.3-4.el9' });
    expect(result.packages.find((p) => p.name === 'beta')?.version).toBe('0.9~rc1-1');
  });

  it('builds purl-spec rpm PURLs', () => {
    const alpha = result.packages.find((p) => p.name === 'alpha');
    const purl = PackageURL.fromString(alpha?.purl as string);
    expect([purl.type, purl.namespace, purl.name, purl.version]).toEqual([
      'rpm',
      'redhat',
      'alpha',
      '1.2.3-4.el9',
    ]);
    expect(purl.qualifiers).toMatchObject({
      epoch: '2',
      distro: 'rhel-9.3',
      upstream: 'alpha-1.2.3-4.el9.src.rpm',
    });
  });

  it('names the PURL namespace by vendor, not os-release ID, on SUSE and Amazon', async () => {
    const contents = readFileSync(join(fx.sqliteDir, 'rpmdb.sqlite'));
    for (const [id, versionId, vendor] of [
      ['sles', '15.5', 'suse'],
      ['opensuse-leap', '15.5', 'opensuse'],
      ['opensuse-tumbleweed', '20231201', 'opensuse'],
      ['amzn', '2023', 'amazon'],
    ] as const) {
      const other = await rpmSqliteParser.parse(
        { path: '/var/lib/rpm/rpmdb.sqlite', contents },
        { ...context, distro: { id, versionId } },
      );
      const purl = PackageURL.fromString(other.packages.find((p) => p.name === 'alpha')?.purl as string);
      expect([purl.namespace, purl.qualifiers?.distro], id).toEqual([vendor, `${id}-${versionId}`]);
    }
  });

  it('splits SPDX expressions into ids and keeps legacy Fedora names whole', () => {
    expect(result.packages.find((p) => p.name === 'alpha')?.licenses).toEqual([
      'MIT',
      'GPL-2.0-or-later',
      'BSD-3-Clause',
    ]);
    expect(result.packages.find((p) => p.name === 'alpha-libs')?.licenses).toEqual(['GPLv2+ and LGPLv2+']);
  });

  it('resolves Requires through provides and package names', () => {
    expect(result.relationships).toEqual([
      { from: 'rpm/alpha@2:1.2.3-4.el9', to: 'rpm/beta@0.9~rc1-1', type: 'depends-on' },
    ]);
  });
});
