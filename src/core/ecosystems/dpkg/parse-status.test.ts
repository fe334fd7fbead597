import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PackageURL } from 'packageurl-js';
import { afterAll, describe, expect, it } from 'vitest';
import { dirResolver } from '../../distro/test-support/dir-resolver.js';
import { tempRoots } from '../../distro/test-support/temp-rootfs.js';
import type { ParseContext } from '../types.js';
import { dpkgStatusDParser, dpkgStatusParser } from './parse-status.js';
import { DPKG_STATES } from './status.js';

const roots = tempRoots('portcullis-dpkg-');
afterAll(() => roots.cleanup());

function context(root: string): ParseContext {
  return { resolver: dirResolver(root), foundBy: 'dpkg-db@1', distro: { id: 'debian', versionId: '12' } };
}

async function parseStatus(status: string | Buffer, extra: Record<string, string | Buffer> = {}) {
  const root = roots.make({ '/var/lib/dpkg/status': status, ...extra });
  const contents = Buffer.isBuffer(status) ? status : Buffer.from(status);
  return dpkgStatusParser.parse({ path: '/var/lib/dpkg/status', contents }, context(root));
}

/** dpkg-query over a throw-away admin dir holding `status`: the reference reading of the file. */
function dpkgQuery(status: string | Buffer): string[][] {
  const admin = mkdtempSync(join(tmpdir(), 'portcullis-dpkg-admin-'));
  try {
    mkdirSync(join(admin, 'info'));
    mkdirSync(join(admin, 'updates'));
    writeFileSync(join(admin, 'status'), status);
    const fmt = '${Package}\t${Version}\t${source:Package}\t${source:Version}\t${db:Status-Status}\n';
    return execFileSync('dpkg-query', [`--admindir=${admin}`, '-W', '-f', fmt], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.split('\t'));
  } finally {
    rmSync(admin, { recursive: true, force: true });
  }
}

const stanza = (name: string, status: string, more = ''): string =>
  `Package: ${name}\nStatus: ${status}\nVersion: 1.${name.length}-1\nArchitecture: amd64\nMaintainer: M <m@example.org>\nDescription: d\n${more}`;

describe('dpkg status parser', () => {
  it('reports exactly the states whose files can be on disk (documented in status.ts)', async () => {
    // dpkg insists that the trigger states name their triggers.
    const extra: Record<string, string> = {
      'triggers-awaited': 'Triggers-Awaited: pkg-installed\n',
      'triggers-pending': 'Triggers-Pending: ldconfig\n',
    };
    const text = DPKG_STATES.map((s, i) =>
      stanza(`pkg-${s}`, `${i % 2 ? 'deinstall' : 'install'} ok ${s}`, extra[s]),
    ).join('\n');
    const present = new Set([
      'half-installed',
      'unpacked',
      'half-configured',
      'triggers-awaited',
      'triggers-pending',
      'installed',
    ]);
    const expected = dpkgQuery(text)
      .filter((cols) => present.has(cols[4] as string))
      .map((cols) => `${cols[0]}@${cols[1]}`)
      .sort();
    const result = await parseStatus(text);
    expect(expected).toHaveLength(6);
    expect(result.packages.map((p) => `${p.name}@${p.version}`).sort()).toEqual(expected);
    expect(result.problems).toEqual([]);
  });

  it('reads Source with and without a version the way dpkg-query does', async () => {
    const text = [
      stanza('libc6', 'install ok installed', 'Source: glibc (2.36-9+deb12u4)\n'),
      stanza('bash', 'hold ok installed', 'Source: bash\n'),
      stanza('zlib1g', 'install ok installed'),
    ].join('\n');
    const expected = dpkgQuery(text)
      .map((c) => c.slice(0, 4).join('\t'))
      .sort();
    const result = await parseStatus(text);
    expect(
      result.packages.map((p) => [p.name, p.version, p.source?.name, p.source?.version].join('\t')).sort(),
    ).toEqual(expected);
  });

  it('builds purl-spec deb PURLs with arch, distro and upstream qualifiers', async () => {
    const result = await parseStatus(
      stanza('libssl3', 'install ok installed', 'Source: openssl (3.0.11-1~deb12u2)\n'),
    );
    const purl = PackageURL.fromString(result.packages[0]?.purl as string);
    expect([purl.type, purl.namespace, purl.name, purl.version]).toEqual([
      'deb',
      'debian',
      'libssl3',
      '1.7-1',
    ]);
    expect(purl.qualifiers).toEqual({
      arch: 'amd64',
      distro: 'debian-12',
      upstream: 'openssl@3.0.11-1~deb12u2',
    });
  });

  it('resolves Depends alternatives and virtual packages to what is installed', async () => {
    const text = [
      stanza(
        'app',
        'install ok installed',
        'Depends: missing | libb (>= 1), mail-transport-agent, libc6:any\nPre-Depends: libb\n',
      ),
      stanza('libb', 'install ok installed'),
      stanza('postfix', 'install ok installed', 'Provides: mail-transport-agent\n'),
      stanza('libc6', 'install ok installed'),
    ].join('\n');
    const result = await parseStatus(text);
    expect(result.relationships.map((r) => `${r.from} ${r.type} ${r.to}`).sort()).toEqual([
      'deb/app@1.3-1 depends-on deb/libb@1.4-1',
      'deb/app@1.3-1 depends-on deb/libc6@1.5-1',
      'deb/app@1.3-1 depends-on deb/postfix@1.7-1',
    ]);
  });

  it('decodes latin-1 maintainer names without disturbing UTF-8 stanzas', async () => {
    const text = Buffer.concat([
      Buffer.from(stanza('old', 'install ok installed').replace('M <m', 'Jos\u00e9 <m'), 'latin1'),
      Buffer.from('\n' + stanza('new', 'install ok installed').replace('M <m', 'Zo\u00eb \u2603 <m'), 'utf8'),
    ]);
    const result = await parseStatus(text);
    expect(result.packages.map((p) => p.name).sort()).toEqual(
      dpkgQuery(text)
        .map((c) => c[0])
        .sort(),
    );
    expect(result.packages.map((p) => p.metadata.maintainer)).toEqual([
      'Jos\u00e9 <m@example.org>',
      'Zo\u00eb \u2603 <m@example.org>',
    ]);
  });

  it('records stanzas without Package or Version as problems and keeps the rest', async () => {
    const text = `${stanza('good', 'install ok installed')}\nStatus: install ok installed\nVersion: 1\n\nPackage: nover\nStatus: install ok installed\n\nPackage: badstatus\nVersion: 1\nStatus: install ok sideways\n`;
    const result = await parseStatus(text);
    expect(result.packages.map((p) => p.name)).toEqual(['good']);
    expect(result.problems).toEqual([
      '/var/lib/dpkg/status:8: stanza without Package field',
      '/var/lib/dpkg/status:11: package nover has no Version field',
      '/var/lib/dpkg/status:14: package badstatus has an invalid Status field',
    ]);
  });

  it('keeps complete stanzas of a truncated file and reports the cut one', async () => {
    const full = [
      stanza('one', 'install ok installed'),
      stanza('two', 'install ok installed'),
      stanza('three', 'install ok installed'),
    ].join('\n');
    const cut = full.slice(0, full.lastIndexOf('Version:') + 4);
    const result = await parseStatus(cut);
    expect(result.packages.map((p) => p.name)).toEqual(['one', 'two']);
    expect(result.problems).toEqual([
      '/var/lib/dpkg/status:17: not a "Field: value" line',
      '/var/lib/dpkg/status:15: package three has no Version field',
    ]);
  });

  it('returns a problem, not an exception, for binary garbage and nothing for an empty file', async () => {
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
    const result = await parseStatus(garbage);
    expect(result.packages).toEqual([]);
    expect(result.problems.length).toBeGreaterThan(0);
    expect(await parseStatus('')).toEqual({ packages: [], relationships: [], problems: [] });
  });

  it('reads owned files from <pkg>:<arch>.list with md5sums, and licences from copyright', async () => {
    const result = await parseStatus(stanza('libz', 'install ok installed', 'Multi-Arch: same\n'), {
      '/var/lib/dpkg/info/libz:amd64.list': '/.\n/usr\n/usr/lib/libz.so.1\n',
      '/var/lib/dpkg/info/libz:amd64.md5sums': 'd41d8cd98f00b204e9800998ecf8427e  usr/lib/libz.so.1\n',
      '/usr/share/doc/libz/copyright':
        'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nCopyright: x\nLicense: Zlib\n',
    });
    const pkg = result.packages[0];
    expect(pkg?.metadata.files).toEqual([
      { path: '/usr' },
      { path: '/usr/lib/libz.so.1', md5: 'd41d8cd98f00b204e9800998ecf8427e' },
    ]);
    expect(pkg?.licenses).toEqual(['Zlib']);
    expect(pkg?.locations?.map((l) => `${l.annotation} ${l.path}`)).toEqual([
      'primary /var/lib/dpkg/status',
      'supporting /var/lib/dpkg/info/libz:amd64.list',
      'supporting /var/lib/dpkg/info/libz:amd64.md5sums',
      'supporting /usr/share/doc/libz/copyright',
    ]);
  });
});

describe('dpkg distroless status.d parser', () => {
  const files = {
    '/var/lib/dpkg/status.d/libc6':
      'Package: libc6\nVersion: 2.36-9+deb12u4\nArchitecture: amd64\nSource: glibc\n',
    '/var/lib/dpkg/status.d/libc6.md5sums':
      '0123456789abcdef0123456789abcdef  lib/x86_64-linux-gnu/libc.so.6\n',
    '/var/lib/dpkg/status.d/libssl3':
      'Package: libssl3\nVersion: 3.0.11-1~deb12u2\nArchitecture: amd64\nSource: openssl\nDepends: libc6 (>= 2.34)\n',
  };

  it('parses one stanza per file, files from md5sums, Depends across files', async () => {
    const root = roots.make(files);
    const path = '/var/lib/dpkg/status.d/libssl3';
    const result = await dpkgStatusDParser.parse({ path, contents: Buffer.from(files[path]) }, context(root));
    expect(result.packages.map((p) => [p.name, p.version, p.source?.name, p.source?.version])).toEqual([
      ['libssl3', '3.0.11-1~deb12u2', 'openssl', '3.0.11-1~deb12u2'],
    ]);
    expect(result.relationships).toEqual([
      { from: 'deb/libssl3@3.0.11-1~deb12u2', to: 'deb/libc6@2.36-9+deb12u4', type: 'depends-on' },
    ]);
    const libc = await dpkgStatusDParser.parse(
      { path: '/var/lib/dpkg/status.d/libc6', contents: Buffer.from(files['/var/lib/dpkg/status.d/libc6']) },
      context(root),
    );
    expect(libc.packages[0]?.metadata.files).toEqual([
      { path: '/lib/x86_64-linux-gnu/libc.so.6', md5: '0123456789abcdef0123456789abcdef' },
    ]);
  });

  it('ignores md5sums files and empty stanza files', async () => {
    const root = roots.make({ '/var/lib/dpkg/status.d/empty': '' });
    const ctx = context(root);
    const empty = await dpkgStatusDParser.parse(
      { path: '/var/lib/dpkg/status.d/empty', contents: Buffer.alloc(0) },
      ctx,
    );
    expect(empty).toEqual({ packages: [], relationships: [], problems: [] });
    const md5 = await dpkgStatusDParser.parse(
      { path: '/var/lib/dpkg/status.d/x.md5sums', contents: Buffer.from('zz') },
      ctx,
    );
    expect(md5.packages).toEqual([]);
  });

  it('resolves Depends across hundreds of status.d files, reading the folder once per resolver', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 300; i++) {
      const depends = i > 0 ? `Depends: pkg${i - 1}\n` : '';
      files[`/var/lib/dpkg/status.d/pkg${i}`] = `Package: pkg${i}\nVersion: 1.${i}\n${depends}`;
    }
    const root = roots.make(files);
    const base = dirResolver(root);
    let reads = 0;
    const ctx: ParseContext = {
      ...context(root),
      resolver: { glob: (p) => base.glob(p), read: (p) => (reads++, base.read(p)) },
    };
    const edges: string[] = [];
    for (const [path, text] of Object.entries(files)) {
      const result = await dpkgStatusDParser.parse({ path, contents: Buffer.from(text) }, ctx);
      edges.push(...result.relationships.map((r) => `${r.from}>${r.to}`));
    }
    expect(edges.sort()).toEqual(
      Array.from({ length: 299 }, (_, i) => `deb/pkg${i + 1}@1.${i + 1}>deb/pkg${i}@1.${i}`).sort(),
    );
    // One pass over the folder plus each package's md5sums and copyright lookups.
    expect(reads).toBeLessThanOrEqual(300 * 3);
  });

  it('an empty status.d offers the parser nothing to read', async () => {
    const root = roots.make({ '/var/lib/dpkg/status.d/': '' });
    expect(await dirResolver(root).glob(dpkgStatusDParser.globs[0] as string)).toEqual([]);
  });
});
