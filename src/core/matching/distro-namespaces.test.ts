import { describe, expect, it } from 'vitest';
import { fromOsRelease } from '../distro/detect.js';
import type { Package } from '../sbom/model.js';
import { distroNamespace } from './distro-namespaces.js';
import { lookupsFor } from './namespaces.js';

/** os-release files as the distributions ship them (trimmed to the identifying lines). */
const OS_RELEASES: [string, string, string | undefined][] = [
  [
    'RHEL 9.3 / UBI 9',
    'NAME="Red Hat Enterprise Linux"\nVERSION="9.3 (Plow)"\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="9.3"\nPLATFORM_ID="platform:el9"\nCPE_NAME="cpe:/o:redhat:enterprise_linux:9::baseos"\n',
    'redhat:9',
  ],
  [
    'RHEL 8.9',
    'NAME="Red Hat Enterprise Linux"\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="8.9"\n',
    'redhat:8',
  ],
  [
    'Amazon Linux 2',
    'NAME="Amazon Linux"\nVERSION="2"\nID="amzn"\nID_LIKE="centos rhel fedora"\nVERSION_ID="2"\nPRETTY_NAME="Amazon Linux 2"\n',
    'amzn:2',
  ],
  [
    'Amazon Linux 2023',
    'NAME="Amazon Linux"\nVERSION="2023"\nID="amzn"\nID_LIKE="fedora"\nVERSION_ID="2023"\nPLATFORM_ID="platform:al2023"\n',
    'amzn:2023',
  ],
  [
    'Amazon Linux AMI 2018.03',
    'NAME="Amazon Linux AMI"\nVERSION="2018.03"\nID="amzn"\nID_LIKE="rhel fedora"\nVERSION_ID="2018.03"\n',
    'amzn:1',
  ],
  [
    'SLES 15 SP5',
    'NAME="SLES"\nVERSION="15-SP5"\nVERSION_ID="15.5"\nPRETTY_NAME="SUSE Linux Enterprise Server 15 SP5"\nID="sles"\nID_LIKE="suse"\nCPE_NAME="cpe:/o:suse:sles:15:sp5"\n',
    'sles:15.5',
  ],
  [
    'openSUSE Leap 15.5',
    'NAME="openSUSE Leap"\nVERSION="15.5"\nID="opensuse-leap"\nID_LIKE="suse opensuse"\nVERSION_ID="15.5"\n',
    'opensuse-leap:15.5',
  ],
  [
    'openSUSE Tumbleweed',
    'NAME="openSUSE Tumbleweed"\n# VERSION="20231201"\nID="opensuse-tumbleweed"\nID_LIKE="opensuse suse"\nVERSION_ID="20231201"\n',
    'opensuse-tumbleweed:rolling',
  ],
  ['Wolfi', 'ID=wolfi\nNAME="Wolfi"\nPRETTY_NAME="Wolfi"\nVERSION_ID="20230201"\n', 'wolfi:rolling'],
  ['Chainguard', 'ID=chainguard\nNAME="Chainguard"\nVERSION_ID="20230214"\n', 'chainguard:rolling'],
  ['AlmaLinux 9.3', 'ID="almalinux"\nVERSION_ID="9.3"\n', 'almalinux:9'],
  ['Rocky Linux 8.9', 'ID="rocky"\nVERSION_ID="8.9"\n', 'rocky:8'],
  ['Alpine 3.18.4', 'ID=alpine\nVERSION_ID=3.18.4\n', 'alpine:3.18'],
  ['Debian 12', 'ID=debian\nVERSION_ID="12"\n', 'debian:12'],
  ['Ubuntu 22.04', 'ID=ubuntu\nVERSION_ID="22.04"\n', 'ubuntu:22.04'],
  ['RHEL without VERSION_ID', 'ID="rhel"\n', undefined],
];

describe('distroNamespace', () => {
  for (const [name, text, expected] of OS_RELEASES) {
    it(`${name} → ${expected ?? 'no namespace'}`, () => {
      const distro = fromOsRelease(text, '/etc/os-release');
      expect(distro).toBeDefined();
      expect(distroNamespace(distro!)).toBe(expected);
    });
  }
});

function rpm(name: string, version: string, source: { name: string; version: string }): Package {
  return {
    id: `rpm-${name}`,
    name,
    version,
    type: 'rpm',
    purl: `pkg:rpm/redhat/${name}@${version.replace(/^\d+:/, '')}`,
    licenses: [],
    locations: [{ path: '/var/lib/rpm/rpmdb.sqlite' }],
    foundBy: 'test@1',
    source,
    metadata: {},
  };
}

describe('lookupsFor on rpm distros', () => {
  it('looks a RHEL subpackage up by its SOURCERPM name with the binary epoch restored', () => {
    const pkg = rpm('openssl-libs', '1:3.0.7-24.el9', { name: 'openssl', version: '3.0.7-24.el9' });
    expect(lookupsFor(pkg, { id: 'rhel', versionId: '9.3' })).toEqual([
      {
        namespace: 'redhat:9',
        packageName: 'openssl',
        version: '1:3.0.7-24.el9',
        scheme: 'rpm',
        strategy: 'distro-source-package',
        confidence: 1,
      },
      {
        namespace: 'redhat:9',
        packageName: 'openssl-libs',
        version: '1:3.0.7-24.el9',
        scheme: 'rpm',
        strategy: 'distro-binary-package',
        confidence: 1,
      },
    ]);
  });

  it('keeps an epoch-less source version as is', () => {
    const pkg = rpm('curl', '8.3.0-1.amzn2023.0.4', { name: 'curl', version: '8.3.0-1.amzn2023.0.4' });
    expect(lookupsFor(pkg, { id: 'amzn', versionId: '2023' })).toEqual([
      {
        namespace: 'amzn:2023',
        packageName: 'curl',
        version: '8.3.0-1.amzn2023.0.4',
        scheme: 'rpm',
        strategy: 'distro-source-package',
        confidence: 1,
      },
    ]);
  });

  it('looks an apk on Wolfi up by its origin in the rolling namespace', () => {
    const pkg: Package = {
      ...rpm('libcrypto3', '3.1.4-r0', { name: 'openssl', version: '3.1.4-r0' }),
      type: 'apk',
      purl: 'pkg:apk/wolfi/libcrypto3@3.1.4-r0',
    };
    expect(lookupsFor(pkg, { id: 'wolfi', versionId: '20230201' }).map((l) => l.namespace)).toEqual([
      'wolfi:rolling',
      'wolfi:rolling',
    ]);
  });
});
