import { describe, it, expect } from 'vitest';
import { mapEcosystem } from './ecosystems.js';

describe('OSV ecosystem mapping (literal table from the OSV ecosystem list)', () => {
  const table: [string, { namespace: string; scheme: string } | undefined][] = [
    ['PyPI', { namespace: 'osv:PyPI', scheme: 'pep440' }],
    ['npm', { namespace: 'osv:npm', scheme: 'semver' }],
    ['Go', { namespace: 'osv:Go', scheme: 'go' }],
    ['crates.io', { namespace: 'osv:crates.io', scheme: 'semver' }],
    ['RubyGems', { namespace: 'osv:RubyGems', scheme: 'gem' }],
    ['Maven', { namespace: 'osv:Maven', scheme: 'maven' }],
    ['Packagist', { namespace: 'osv:Packagist', scheme: 'composer' }],
    ['NuGet', { namespace: 'osv:NuGet', scheme: 'nuget' }],
    ['Debian:12', { namespace: 'debian:12', scheme: 'deb' }],
    ['Debian:11', { namespace: 'debian:11', scheme: 'deb' }],
    ['Alpine:v3.18', { namespace: 'alpine:3.18', scheme: 'apk' }],
    ['Ubuntu:22.04:LTS', { namespace: 'ubuntu:22.04', scheme: 'deb' }],
    ['Rocky Linux:9', { namespace: 'rocky:9', scheme: 'rpm' }],
    ['AlmaLinux:8', { namespace: 'almalinux:8', scheme: 'rpm' }],
    ['SUSE:Linux Enterprise Server 15 SP5', { namespace: 'sles:15.5', scheme: 'rpm' }],
    ['SUSE:Linux Enterprise Server 15', { namespace: 'sles:15', scheme: 'rpm' }],
    ['SUSE:Linux Enterprise Server 12 SP5', { namespace: 'sles:12.5', scheme: 'rpm' }],
    ['SUSE:Linux Enterprise Server 15 SP3-LTSS', { namespace: 'sles:15.3', scheme: 'rpm' }],
    ['SUSE:Linux Enterprise Server LTSS 15 SP4', { namespace: 'sles:15.4', scheme: 'rpm' }],
    ['SUSE:Linux Enterprise Module for Basesystem 15 SP5', { namespace: 'sles:15.5', scheme: 'rpm' }],
    [
      'SUSE:Linux Enterprise Module for Server Applications 15 SP6',
      { namespace: 'sles:15.6', scheme: 'rpm' },
    ],
    ['SUSE:Linux Enterprise Server for SAP Applications 15 SP5', undefined],
    ['SUSE:Linux Enterprise High Performance Computing 15 SP5', undefined],
    ['SUSE:Linux Enterprise Micro 5.5', undefined],
    ['SUSE:Package Hub 15 SP5', undefined],
    ['openSUSE:Leap 15.5', { namespace: 'opensuse-leap:15.5', scheme: 'rpm' }],
    ['openSUSE:Tumbleweed', { namespace: 'opensuse-tumbleweed:rolling', scheme: 'rpm' }],
    ['openSUSE:Leap Micro 5.5', undefined],
    ['Wolfi', { namespace: 'wolfi:rolling', scheme: 'apk' }],
    ['Chainguard', { namespace: 'chainguard:rolling', scheme: 'apk' }],
    ['SUSE', undefined],
    ['Debian', undefined],
    ['Debian:bookworm', undefined],
    ['nuget', undefined],
    ['Pub', undefined],
    ['pypi', undefined],
    ['Bogus:1', undefined],
    ['', undefined],
  ];
  it.each(table)('%s', (ecosystem, expected) => {
    expect(mapEcosystem(ecosystem)).toEqual(expected);
  });
});
