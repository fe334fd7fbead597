/**
 * Ground truth on the harness's real Debian fixture images (debootstrap + umoci unpack): the
 * parser over each rootfs must equal dpkg-query --admindir on the same rootfs, and the distro
 * must equal what sh reads from the image's os-release.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE_NAMES, getFixtureImage } from '../../../../test/harness/fixtures/index.js';
import { detectDistro } from '../../distro/detect.js';
import { dirResolver } from '../../distro/test-support/dir-resolver.js';
import { dpkgStatusParser } from './parse-status.js';

const ABSENT_STATES = new Set(['not-installed', 'config-files']);

describe.each(FIXTURE_NAMES)('fixture image %s', (name) => {
  it('dpkg packages and sources equal dpkg-query --admindir on its rootfs', async () => {
    const { rootfsDir } = await getFixtureImage(name);
    const admin = join(rootfsDir, 'var/lib/dpkg');
    const fmt = '${Package}\t${Version}\t${source:Package}\t${source:Version}\t${db:Status-Status}\n';
    const expected = execFileSync('dpkg-query', [`--admindir=${admin}`, '-W', '-f', fmt], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    })
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.split('\t'))
      .filter((c) => !ABSENT_STATES.has(c[4] as string))
      .map((c) => c.slice(0, 4).join('\t'))
      .sort();
    const distro = await detectDistro(dirResolver(rootfsDir));
    const result = await dpkgStatusParser.parse(
      { path: '/var/lib/dpkg/status', contents: readFileSync(join(admin, 'status')) },
      {
        resolver: dirResolver(rootfsDir),
        foundBy: 'dpkg-db@1',
        ...(distro ? { distro: { id: distro.id, versionId: distro.versionId } } : {}),
      },
    );
    expect(expected.length).toBeGreaterThan(50);
    expect(
      result.packages.map((p) => [p.name, p.version, p.source?.name, p.source?.version].join('\t')).sort(),
    ).toEqual(expected);
    expect(result.problems).toEqual([]);
    // Every package of a debootstrapped image has an info/*.list file.
    for (const p of result.packages) expect((p.metadata.files as unknown[]).length).toBeGreaterThan(0);
  });

  it('distro equals the os-release sh reads in the rootfs', async () => {
    const { rootfsDir } = await getFixtureImage(name);
    const script = '. "$1"; printf "%s\\0" "$ID" "${VERSION_ID-}" "${VERSION_CODENAME-}"';
    const file = join(rootfsDir, 'usr/lib/os-release');
    const [id, versionId, codename] = execFileSync('sh', ['-c', script, 'sh', file], {
      encoding: 'utf8',
    }).split('\0');
    const distro = await detectDistro(dirResolver(rootfsDir));
    expect([distro?.id, distro?.versionId ?? '', distro?.versionCodename ?? '']).toEqual([
      id,
      versionId,
      codename,
    ]);
  });
});

describe('fixture image base against the shared minbase listing', () => {
  it('has exactly the binary packages of a real bookworm minbase', async () => {
    // /work/shared/data/debian/minbase-dpkg-status.tsv: binary (with :arch for Multi-Arch:
    // same, as dpkg-query's binary:Package prints it), version, source, source version.
    // Names only: point releases move versions, but not the minbase package set.
    const listing = readFileSync(
      new URL('../../../../../shared/data/debian/minbase-dpkg-status.tsv', import.meta.url),
      'utf8',
    );
    const expected = listing
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.split('\t')[0])
      .sort();
    const { rootfsDir } = await getFixtureImage('base');
    const result = await dpkgStatusParser.parse(
      { path: '/var/lib/dpkg/status', contents: readFileSync(join(rootfsDir, 'var/lib/dpkg/status')) },
      { resolver: dirResolver(rootfsDir), foundBy: 'dpkg-db@1' },
    );
    const actual = result.packages
      .map((p) => (p.metadata.multiArch === 'same' ? `${p.name}:${String(p.metadata.architecture)}` : p.name))
      .sort();
    expect(actual).toEqual(expected);
  });
});
