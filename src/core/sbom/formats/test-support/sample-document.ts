/** A small native SBOM with one package of each kind the exporters treat differently. */
import { createHash } from 'node:crypto';
import type { SbomDocument } from '../../document.js';

export const layer0 = 'sha256:' + '1'.repeat(64);
export const layer1 = 'sha256:' + '2'.repeat(64);

/** An npm Subresource Integrity string: base64 of a SHA-512 digest (of a stand-in text). */
export const SAMPLE_INTEGRITY = `sha512-${createHash('sha512').update('@babel/core@7.24.0').digest('base64')}`;

export function sampleDocument(): SbomDocument {
  return {
    schemaVersion: '1.0.0',
    descriptor: { name: 'portcullis', version: '0.1.0' },
    createdAt: '2026-01-02T03:04:05.000Z',
    source: {
      type: 'image',
      input: 'oci-dir:/tmp/layout:app',
      digest: 'sha256:' + 'a'.repeat(64),
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      platform: 'linux/amd64',
      layers: [
        {
          index: 0,
          digest: 'sha256:' + 'b'.repeat(64),
          diffId: layer0,
          size: 100,
          mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        },
        {
          index: 1,
          digest: 'sha256:' + 'c'.repeat(64),
          diffId: layer1,
          size: 200,
          mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        },
      ],
    },
    distro: { id: 'debian', versionId: '12', versionCodename: 'bookworm' },
    packages: [
      {
        id: 'deb-libssl3',
        name: 'libssl3',
        version: '3.0.11-1~deb12u2',
        type: 'deb',
        purl: 'pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl',
        licenses: ['Apache-2.0'],
        locations: [{ path: '/var/lib/dpkg/status', layerDiffId: layer0, annotation: 'primary' }],
        foundBy: 'dpkg-db@1',
        source: { name: 'openssl', version: '3.0.11-1~deb12u2' },
        originLayer: layer0,
        inSquashed: true,
        metadata: {
          architecture: 'amd64',
          maintainer: 'Debian OpenSSL Team <pkg-openssl-devel@alioth-lists.debian.net>',
        },
      },
      {
        id: 'npm-babel-core',
        name: '@babel/core',
        version: '7.24.0',
        type: 'npm',
        purl: 'pkg:npm/%40babel/core@7.24.0',
        licenses: ['MIT'],
        locations: [{ path: '/app/node_modules/@babel/core/package.json', layerDiffId: layer1 }],
        foundBy: 'npm-installed@1',
        originLayer: layer1,
        metadata: {
          resolved: 'https://registry.npmjs.org/@babel/core/-/core-7.24.0.tgz',
          integrity: SAMPLE_INTEGRITY,
          homepage: 'https://babel.dev/docs/en/next/babel-core',
        },
      },
      {
        id: 'python-requests',
        name: 'requests',
        version: '2.28.1',
        type: 'python',
        purl: 'pkg:pypi/requests@2.28.1',
        licenses: [
          'Apache 2.0 (see LICENSE)',
          'GPL-2.0-or-later WITH Libtool-exception',
          'MIT OR Apache-2.0',
        ],
        locations: [
          { path: '/usr/lib/python3/dist-packages/requests-2.28.1.egg-info/PKG-INFO', layerDiffId: layer1 },
        ],
        foundBy: 'python-installed@1',
        ownedBy: { type: 'deb', name: 'python3-requests', version: '2.28.1+dfsg-1' },
        originLayer: layer1,
        metadata: { author: 'Kenneth Reitz <me@kennethreitz.org>' },
      },
      {
        id: 'gem-rake',
        name: 'rake',
        version: '13.0.1',
        type: 'gem',
        purl: 'pkg:gem/rake@13.0.1',
        licenses: [],
        locations: [{ path: '/src/Gemfile.lock', annotation: 'primary' }],
        foundBy: 'ruby-gemfile-lock@1',
        declaredOnly: true,
        metadata: {},
      },
    ],
    relationships: [{ from: 'npm-babel-core', to: 'deb-libssl3', type: 'depends-on' }],
    files: [],
    secrets: [],
    unknowns: [
      { path: '/app/broken/package.json', cataloger: 'npm-installed', reason: 'not valid JSON' },
      {
        path: '/var/lib/dpkg/status',
        cataloger: 'dpkg-db',
        reason: 'package database unreadable: symlink loop',
        code: 'PACKAGE_DB_UNREADABLE',
      },
    ],
  };
}
