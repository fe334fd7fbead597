/**
 * Ground truth: the dpkg database of the machine running the tests (Debian), read by our parser
 * and by dpkg-query itself.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { dirResolver } from '../../distro/test-support/dir-resolver.js';
import type { ParseResult } from '../types.js';
import { dpkgStatusParser } from './parse-status.js';

const ADMIN = '/var/lib/dpkg';
const ABSENT_STATES = new Set(['not-installed', 'config-files']);

function dpkgQuery(args: string[]): string {
  return execFileSync('dpkg-query', [`--admindir=${ADMIN}`, ...args], {
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
}

let result: ParseResult;
beforeAll(async () => {
  const contents = readFileSync(`${ADMIN}/status`);
  result = await dpkgStatusParser.parse(
    { path: `${ADMIN}/status`, contents },
    { resolver: dirResolver('/'), foundBy: 'dpkg-db@1', distro: { id: 'debian', versionId: '12' } },
  );
});

describe('dpkg status parser on the host database', () => {
  it('finds exactly the packages dpkg-query reports as present, with their source packages', () => {
    const expected = dpkgQuery([
      '-W',
      '-f',
      '${Package}\t${Version}\t${source:Package}\t${source:Version}\t${db:Status-Status}\n',
    ])
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.split('\t'))
      .filter((cols) => !ABSENT_STATES.has(cols[4] as string))
      .map((cols) => cols.slice(0, 4).join('\t'))
      .sort();
    const actual = result.packages
      .map((p) => [p.name, p.version, p.source?.name, p.source?.version].join('\t'))
      .sort();
    expect(expected.length).toBeGreaterThan(50);
    expect(actual).toEqual(expected);
    expect(result.problems).toEqual([]);
  });

  it('reads architecture, multi-arch and installed size as dpkg-query does', () => {
    const expected = dpkgQuery([
      '-W',
      '-f',
      '${binary:Package}\t${Architecture}\t${Multi-Arch}\t${Installed-Size}\n',
    ])
      .split('\n')
      .filter((l) => l !== '')
      .sort();
    const actual = result.packages
      .map((p) => {
        const m = p.metadata;
        // dpkg-query qualifies the name with :arch only for Multi-Arch: same packages and prints
        // the default "no" for an absent Multi-Arch field.
        const binary = m.multiArch === 'same' ? `${p.name}:${String(m.architecture)}` : p.name;
        return [binary, m.architecture ?? '', m.multiArch ?? 'no', m.installedSizeKiB ?? ''].join('\t');
      })
      .sort();
    expect(actual).toEqual(expected);
  });

  it('lists owned files exactly as dpkg-query -L, including Multi-Arch: same packages', () => {
    const multiArch = result.packages.filter((p) => p.metadata.multiArch === 'same').slice(0, 5);
    const sample = [
      ...result.packages.filter((p) => ['dpkg', 'bash', 'coreutils'].includes(p.name)),
      ...multiArch,
    ];
    expect(multiArch.length).toBeGreaterThan(0);
    for (const pkg of sample) {
      const query =
        pkg.metadata.multiArch === 'same' ? `${pkg.name}:${String(pkg.metadata.architecture)}` : pkg.name;
      const expected = dpkgQuery(['-L', query])
        .split('\n')
        .filter((l) => l !== '' && l !== '/.');
      const files = pkg.metadata.files as { path: string }[];
      expect(files.map((f) => f.path)).toEqual(expected);
    }
  });

  it('attaches md5 digests that match the files on disk', () => {
    const dpkg = result.packages.find((p) => p.name === 'dpkg');
    const files = (dpkg?.metadata.files as { path: string; md5?: string }[]).filter(
      (f) => f.md5 && f.path.startsWith('/usr/bin/') && statSync(f.path, { throwIfNoEntry: false })?.isFile(),
    );
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) expect(createHash('md5').update(readFileSync(f.path)).digest('hex')).toBe(f.md5);
  });

  it('resolves every dependency edge to a package named in its Depends or Pre-Depends or providing one', () => {
    expect(result.relationships.length).toBeGreaterThan(100);
    const byKey = new Map(result.packages.map((p) => [`deb/${p.name}@${p.version}`, p]));
    for (const edge of result.relationships) {
      const from = byKey.get(edge.from);
      const to = byKey.get(edge.to);
      expect(from && to).toBeTruthy();
      const named = `${String(from?.metadata.depends ?? '')},${String(from?.metadata.preDepends ?? '')}`;
      const names = new Set(named.split(/[,|]/).map((a) => a.trim().split(/[\s:(]/)[0]));
      const provides = String(to?.metadata.provides ?? '')
        .split(',')
        .map((a) => a.trim().split(/[\s(]/)[0]);
      expect(names.has(to?.name) || provides.some((p) => names.has(p))).toBe(true);
    }
  });
});
