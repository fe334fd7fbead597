import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Package } from '../model.js';
import { checksumsOf, downloadLocationOf, spdxActor, supplierOf } from './spdx-package-facts.js';

const pkg = (type: Package['type'], metadata: Record<string, unknown>): Package => ({
  id: 'x',
  name: 'x',
  version: '1',
  type,
  purl: `pkg:${type}/x@1`,
  licenses: [],
  locations: [],
  foundBy: 'test@1',
  metadata,
});

describe('spdxActor', () => {
  it.each([
    [
      'GNU Libc Maintainers <debian-glibc@lists.debian.org>',
      'Organization: GNU Libc Maintainers (debian-glibc@lists.debian.org)',
    ],
    ['Guillem Jover <guillem@debian.org>', 'Person: Guillem Jover (guillem@debian.org)'],
    ['Laszlo Boszormenyi (GCS) <gcs@debian.org>', 'Person: Laszlo Boszormenyi GCS (gcs@debian.org)'],
    [
      'Debian Python Team <team+python@tracker.debian.org>',
      'Organization: Debian Python Team (team+python@tracker.debian.org)',
    ],
    ['Kenneth Reitz', 'Person: Kenneth Reitz'],
    ['<only@mail.example>', undefined],
    ['   ', undefined],
  ])('writes %j as %j', (text, actor) => expect(spdxActor(text)).toBe(actor));
});

describe('package facts', () => {
  it('decodes every SRI digest npm recorded and the Cargo.lock checksum, dropping malformed ones', () => {
    const sha1 = createHash('sha1').update('a').digest();
    const sha512 = createHash('sha512').update('a').digest();
    const npm = pkg('npm', {
      integrity: `sha512-${sha512.toString('base64')} sha1-${sha1.toString('base64')} md5-AAAA sha256-short`,
    });
    expect(checksumsOf(npm)).toEqual([
      { algorithm: 'SHA1', checksumValue: sha1.toString('hex') },
      { algorithm: 'SHA512', checksumValue: sha512.toString('hex') },
    ]);
    const cargo = createHash('sha256').update('crate').digest('hex');
    expect(checksumsOf(pkg('rust', { checksum: cargo.toUpperCase() }))).toEqual([
      { algorithm: 'SHA256', checksumValue: cargo },
    ]);
    expect(checksumsOf(pkg('rust', { checksum: 'not-hex' }))).toEqual([]);
  });

  it('takes only http(s) download locations and RPM vendors as organizations', () => {
    expect(downloadLocationOf(pkg('npm', { resolved: 'file:../local.tgz' }))).toBe('NOASSERTION');
    expect(downloadLocationOf(pkg('npm', { resolved: 'https://r.example/x.tgz' }))).toBe(
      'https://r.example/x.tgz',
    );
    expect(supplierOf(pkg('rpm', { vendor: 'Red Hat, Inc.' }))).toBe('Organization: Red Hat, Inc.');
    expect(supplierOf(pkg('npm', { maintainer: 'Someone' }))).toBeUndefined();
  });
});
