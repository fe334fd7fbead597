import { readFileSync } from 'node:fs';
import { PackageURL } from 'packageurl-js';
import { describe, expect, it } from 'vitest';
import type { FileResolver, ParseContext } from '../types.js';
import { apkInstalledParser } from './parse-installed.js';

// The fixture is hand-written in the format of apk-tools' installed database (an alpine:3.18
// base plus scanelf); expectations below are read off the fixture text by eye, not produced
// by the parser.
const fixture = readFileSync(new URL('./__fixtures__/installed', import.meta.url));
const noFiles: FileResolver = { read: async () => undefined, glob: async () => [] };
const context: ParseContext = {
  resolver: noFiles,
  foundBy: 'apk-db@1',
  distro: { id: 'alpine', versionId: '3.18.4' },
};
const parse = (contents: Buffer | string) =>
  apkInstalledParser.parse({ path: '/lib/apk/db/installed', contents: Buffer.from(contents) }, context);

describe('apk installed database parser', () => {
  it('reads name, version, origin, arch and licences of every stanza', async () => {
    const result = await parse(fixture);
    expect(result.problems).toEqual([]);
    expect(
      result.packages.map((p) => [p.name, p.version, p.source?.name, p.metadata.architecture, p.licenses]),
    ).toEqual([
      ['musl', '1.2.4-r2', 'musl', 'x86_64', ['MIT']],
      ['busybox', '1.36.1-r5', 'busybox', 'x86_64', ['GPL-2.0-only']],
      ['libcrypto3', '3.1.4-r1', 'openssl', 'x86_64', ['Apache-2.0']],
      ['ssl_client', '1.36.1-r5', 'busybox', 'x86_64', ['GPL-2.0-only']],
      ['scanelf', '1.3.7-r1', 'pax-utils', 'x86_64', ['GPL-2.0-only', 'MIT', 'BSD-2-Clause']],
    ]);
  });

  it('builds apk PURLs with arch, distro and upstream origin', async () => {
    const libcrypto = (await parse(fixture)).packages.find((p) => p.name === 'libcrypto3');
    const purl = PackageURL.fromString(libcrypto?.purl as string);
    expect([purl.type, purl.namespace, purl.name, purl.version]).toEqual([
      'apk',
      'alpine',
      'libcrypto3',
      '3.1.4-r1',
    ]);
    expect(purl.qualifiers).toEqual({ arch: 'x86_64', distro: 'alpine-3.18.4', upstream: 'openssl' });
  });

  it('joins F: directories with R: files and attaches Z: digests', async () => {
    const result = await parse(fixture);
    expect(result.packages.find((p) => p.name === 'busybox')?.metadata.files).toEqual([
      { path: '/bin/busybox', digest: 'Q1FEqJkpN2dMNF1KJeV1Ku2FlTz2k=' },
      { path: '/bin/sh', digest: 'Q1pcfTfDNEbNKQc2s8tUKWbN3bbgw=' },
      { path: '/etc/securetty', digest: 'Q1mB95Hp9CV/xsa2hIO9UOJPbH6p8=' },
      { path: '/etc/logrotate.d/acpid', digest: 'Q1TylyCINVmnS+A/Tead4vZhE7Bks=' },
    ]);
    expect(result.packages.find((p) => p.name === 'libcrypto3')?.metadata.files).toEqual([
      { path: '/lib/libcrypto.so.3', digest: 'Q1Eoe8zLMOhdeIIK0iQy2BukPj5QY=' },
      { path: '/usr/lib/engines-3/afalg.so', digest: 'Q1zHGCQAUCo9kL3DOBBw2OAK6Qhuk=' },
    ]);
  });

  it('keeps metadata: commit, sizes, maintainer, provides, depends', async () => {
    const musl = (await parse(fixture)).packages[0];
    expect(musl?.metadata).toMatchObject({
      commit: 'ec0c0f5bbb7f2b0bd43bdda0d1e9b8fc8b8b6a5a',
      size: 407170,
      installedSize: 663552,
      buildTime: 1695313658,
      maintainer: 'Timo Teräs <timo.teras@iki.fi>',
      provides: ['so:libc.musl-x86_64.so.1=1'],
    });
  });

  it('resolves D: through provides and file paths, skipping conflicts and missing providers', async () => {
    const result = await parse(fixture);
    expect(result.relationships.map((r) => `${r.from} -> ${r.to}`).sort()).toEqual([
      'apk/busybox@1.36.1-r5 -> apk/musl@1.2.4-r2',
      'apk/libcrypto3@3.1.4-r1 -> apk/musl@1.2.4-r2',
      'apk/scanelf@1.3.7-r1 -> apk/busybox@1.36.1-r5',
      'apk/scanelf@1.3.7-r1 -> apk/musl@1.2.4-r2',
      'apk/ssl_client@1.36.1-r5 -> apk/libcrypto3@3.1.4-r1',
      'apk/ssl_client@1.36.1-r5 -> apk/musl@1.2.4-r2',
    ]);
  });

  it('records stanzas without P or V and malformed lines as problems', async () => {
    const result = await parse('P:nover\nA:x86_64\n\nV:1.0-r0\nL:MIT\n\nthis is not a field\nP:ok\nV:1-r0\n');
    expect(result.packages.map((p) => p.name)).toEqual(['ok']);
    expect(result.problems).toEqual([
      '/lib/apk/db/installed:7: not a "X:value" line',
      '/lib/apk/db/installed:1: package nover has no V: (version)',
      '/lib/apk/db/installed:4: stanza without P: (package name)',
    ]);
  });

  it('survives truncation, non-UTF-8 bytes, garbage and empty input', async () => {
    const text = fixture.toString('utf8');
    const truncated = await parse(text.slice(0, text.indexOf('P:ssl_client') + 5));
    expect(truncated.packages.map((p) => p.name)).toEqual(['musl', 'busybox', 'libcrypto3']);
    expect(truncated.problems).toEqual([expect.stringMatching(/package ssl has no V:/)]);
    const latin1 = await parse(Buffer.from('P:x\nV:1-r0\nm:Jos\u00e9\n', 'latin1'));
    expect(latin1.packages[0]?.metadata.maintainer).toBe('Jos\ufffd');
    const garbage = await parse(Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 131) % 256)));
    expect(garbage.problems.length).toBeGreaterThan(0);
    expect(await parse('')).toEqual({ packages: [], relationships: [], problems: [] });
  });
});
