/**
 * `content/os` sizes are bytes, as Anchore Engine reported them: checked against dpkg-query on
 * the machine's own database (Installed-Size is KiB) and against apk's and rpm's byte fields.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dirResolver } from '../../../core/distro/test-support/dir-resolver.js';
import { dpkgStatusParser } from '../../../core/ecosystems/dpkg/parse-status.js';
import type { Package } from '../../../core/sbom/model.js';
import { presentPackage } from './present.js';

describe('content/os size', () => {
  it('is Installed-Size × 1024 for every package dpkg-query lists on this machine', async () => {
    const parsed = await dpkgStatusParser.parse(
      { path: '/var/lib/dpkg/status', contents: readFileSync('/var/lib/dpkg/status') },
      { resolver: dirResolver('/'), foundBy: 'dpkg-db@1', distro: { id: 'debian', versionId: '12' } },
    );
    const expected = new Map(
      execFileSync('dpkg-query', ['-W', '-f', '${Package}\t${Installed-Size}\t${db:Status-Status}\n'], {
        encoding: 'utf8',
        maxBuffer: 256 << 20,
      })
        .split('\n')
        .map((l) => l.split('\t'))
        .filter((c) => c[2] === 'installed')
        .map((c) => [c[0]!, c[1] === '' ? 0 : Number(c[1]) * 1024]),
    );
    const actual = new Map(
      parsed.packages.map((p) => [
        p.name,
        (
          presentPackage({ ...p, id: p.name, foundBy: 'dpkg-db@1', locations: p.locations ?? [] }, 'os') as {
            size: number;
          }
        ).size,
      ]),
    );
    expect(expected.size).toBeGreaterThan(50);
    for (const [name, bytes] of expected) expect(actual.get(name), name).toBe(bytes);
    expect([...actual.values()].filter((b) => b > 0).length).toBeGreaterThan(50);
  });

  it('takes apk and rpm sizes as the bytes they already are, and 0 when nothing is recorded', () => {
    const pkg = (type: Package['type'], metadata: Record<string, unknown>): Package => ({
      id: `${type}-x`,
      name: 'x',
      version: '1',
      type,
      purl: `pkg:${type}/x@1`,
      licenses: [],
      locations: [],
      foundBy: 'test',
      metadata,
    });
    const size = (p: Package) => (presentPackage(p, 'os') as { size: number }).size;
    expect(size(pkg('apk', { installedSize: 4096, size: 1200 }))).toBe(4096);
    expect(size(pkg('rpm', { size: 123_456 }))).toBe(123_456);
    expect(size(pkg('deb', {}))).toBe(0);
  });
});
