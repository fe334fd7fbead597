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
