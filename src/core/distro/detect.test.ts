import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { detectDistro, distroForContext } from './detect.js';
import { dirResolver } from './test-support/dir-resolver.js';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

function rootfs(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(join(tmpdir(), 'portcullis-distro-'));
  roots.push(root);
  for (const [path, contents] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), contents);
  }
  return root;
}

describe('detectDistro', () => {
  it('reads the host /etc/os-release the way sh sources it', async () => {
    const script =
      '. /etc/os-release; printf "%s\\0" "$ID" "${VERSION_ID-}" "${VERSION_CODENAME-}" "${ID_LIKE-}" "${PRETTY_NAME-}"';
    const [id, versionId, codename, idLike, pretty] = execFileSync('sh', ['-c', script], {
      encoding: 'utf8',
    }).split('\0');
    const distro = await detectDistro(dirResolver('/'));
    expect(distro?.id).toBe(id);
    expect(distro?.versionId ?? '').toBe(versionId);
    expect(distro?.versionCodename ?? '').toBe(codename);
    expect(distro?.idLike.join(' ')).toBe(idLike);
    expect(distro?.prettyName ?? '').toBe(pretty);
    expect(distro?.source).toBe('/etc/os-release');
  });

  it('prefers /etc/os-release over /usr/lib/os-release', async () => {
    const root = rootfs({
      '/etc/os-release': 'ID=ubuntu\nID_LIKE=debian\n',
      '/usr/lib/os-release': 'ID=debian\n',
    });
    expect(await detectDistro(dirResolver(root))).toEqual({
      id: 'ubuntu',
      idLike: ['debian'],
      source: '/etc/os-release',
    });
  });

  it('falls back to /usr/lib/os-release', async () => {
    const root = rootfs({
      '/usr/lib/os-release':
        'ID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.3"\nPRETTY_NAME="Rocky Linux 9.3 (Blue Onyx)"\n',
    });
    expect(await detectDistro(dirResolver(root))).toEqual({
      id: 'rocky',
      versionId: '9.3',
      idLike: ['rhel', 'centos', 'fedora'],
      prettyName: 'Rocky Linux 9.3 (Blue Onyx)',
      source: '/usr/lib/os-release',
    });
  });

  it('skips an os-release without ID and uses the release files', async () => {
    const root = rootfs({ '/etc/os-release': 'NAME=x\n', '/etc/alpine-release': '3.18.4\n' });
    expect(await detectDistro(dirResolver(root))).toEqual({
      id: 'alpine',
      versionId: '3.18.4',
      idLike: [],
      source: '/etc/alpine-release',
    });
  });

  // Literal table: release-file contents as the distros ship them, and their os-release IDs.
  const FALLBACKS: [string, string, { id: string; versionId?: string; versionCodename?: string }][] = [
    ['/etc/debian_version', '12.4\n', { id: 'debian', versionId: '12' }],
    ['/etc/debian_version', 'bookworm/sid\n', { id: 'debian', versionCodename: 'bookworm' }],
    [
      '/etc/redhat-release',
      'Red Hat Enterprise Linux release 8.9 (Ootpa)\n',
      { id: 'rhel', versionId: '8.9' },
    ],
    ['/etc/centos-release', 'CentOS Linux release 7.9.2009 (Core)\n', { id: 'centos', versionId: '7' }],
    ['/etc/redhat-release', 'CentOS Stream release 9\n', { id: 'centos', versionId: '9' }],
    ['/etc/redhat-release', 'Fedora release 39 (Thirty Nine)\n', { id: 'fedora', versionId: '39' }],
    ['/etc/system-release', 'Amazon Linux release 2 (Karoo)\n', { id: 'amzn', versionId: '2' }],
    [
      '/etc/redhat-release',
      'AlmaLinux release 9.3 (Shamrock Pampas Cat)\n',
      { id: 'almalinux', versionId: '9.3' },
    ],
  ];
  for (const [path, text, expected] of FALLBACKS) {
    it(`detects ${expected.id} from ${path} "${text.trim()}"`, async () => {
      const distro = await detectDistro(dirResolver(rootfs({ [path]: text })));
      expect(distro).toMatchObject({ ...expected, source: path });
      if (!expected.versionId) expect(distro?.versionId).toBeUndefined();
    });
  }

  it('detects distroless Debian from status.d and the base-files version', async () => {
    const root = rootfs({
      '/var/lib/dpkg/status.d/base-files':
        'Package: base-files\nVersion: 12.4+deb12u5\nStatus: install ok installed\n',
      '/var/lib/dpkg/status.d/libc6': 'Package: libc6\nVersion: 2.36-9+deb12u4\n',
    });
    expect(await detectDistro(dirResolver(root))).toEqual({
      id: 'debian',
      versionId: '12',
      idLike: [],
      source: '/var/lib/dpkg/status.d/base-files',
    });
  });

  it('returns undefined for an image with no distro', async () => {
    expect(await detectDistro(dirResolver(rootfs({ '/app/main': 'binary' })))).toBeUndefined();
  });

  it('ignores unrecognised release files instead of guessing', async () => {
    const root = rootfs({
      '/etc/redhat-release': 'Something Else release 1\n',
      '/etc/alpine-release': 'garbage\n',
    });
    expect(await detectDistro(dirResolver(root))).toBeUndefined();
  });

  it('tolerates non-UTF-8 bytes and huge files without failing', async () => {
    const latin1 = Buffer.concat([
      Buffer.from('ID=debian\nPRETTY_NAME="D'),
      Buffer.from([0xe9]),
      Buffer.from('bian"\n'),
    ]);
    expect((await detectDistro(dirResolver(rootfs({ '/etc/os-release': latin1 }))))?.prettyName).toBe(
      'D\ufffdbian',
    );
    const huge = 'ID=alpine\n' + '#'.repeat(8 * 1024 * 1024);
    expect((await detectDistro(dirResolver(rootfs({ '/etc/os-release': huge }))))?.id).toBe('alpine');
  });
});

describe('distroForContext', () => {
  it('maps VERSION_CODENAME to the ParseContext codename and drops absent fields', () => {
    expect(
      distroForContext({
        id: 'debian',
        versionId: '12',
        versionCodename: 'bookworm',
        idLike: [],
        source: '/etc/os-release',
      }),
    ).toEqual({
      id: 'debian',
      versionId: '12',
      codename: 'bookworm',
    });
    expect(
      distroForContext({
        id: 'debian',
        versionCodename: 'trixie',
        idLike: [],
        source: '/etc/debian_version',
      }),
    ).toEqual({
      id: 'debian',
      codename: 'trixie',
    });
  });
});
