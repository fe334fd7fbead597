import { describe, it, expect } from 'vitest';
import type { Package, PackageType } from '../../sbom/model.js';
import { cpeCandidates } from './candidates.js';

const pkg = (type: PackageType, name: string, purl: string, extra: Partial<Package> = {}): Package => ({
  id: name,
  name,
  version: '1.0.0',
  type,
  purl,
  licenses: [],
  locations: [],
  foundBy: 'test',
  metadata: {},
  ...extra,
});

describe('cpeCandidates', () => {
  it('npm: scope is a vendor, the name without scope the product, node.js the runtime', () => {
    const c = cpeCandidates(pkg('npm', '@hapi/hoek', 'pkg:npm/%40hapi/hoek@1.0.0'));
    expect(c?.products).toEqual(['hoek']);
    expect(c?.vendors).toEqual(expect.arrayContaining(['hapi', 'hoek', 'hoek_project']));
    expect(c?.targetSw).toContain('node.js');
    expect(c?.scheme).toBe('semver');
  });

  it('npm names with dashes also try underscores, as NVD writes them', () => {
    const c = cpeCandidates(pkg('npm', 'node-fetch', 'pkg:npm/node-fetch@2.6.0'));
    expect(c?.products).toEqual(['node-fetch', 'node_fetch']);
    expect(c?.vendors).toEqual(expect.arrayContaining(['node-fetch_project', 'node_fetch_project']));
  });

  it('Maven: artifactId is the product, the groupId organisation and last segment are vendors', () => {
    const c = cpeCandidates(
      pkg('java', 'log4j-core', 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1'),
    );
    expect(c?.products).toEqual(['log4j-core', 'log4j_core']);
    expect(c?.vendors).toEqual(expect.arrayContaining(['apache', 'log4j']));
    expect(c?.vendors).not.toContain('org');
    expect(c?.scheme).toBe('maven');
  });

  it('Go: the last module path segment is the product, the host owner a vendor', () => {
    const c = cpeCandidates(
      pkg('go', 'github.com/gin-gonic/gin', 'pkg:golang/github.com/gin-gonic/gin@v1.9.0'),
    );
    expect(c?.products).toEqual(['gin']);
    expect(c?.vendors).toEqual(expect.arrayContaining(['gin-gonic', 'gin', 'gin_project']));
  });

  it('binary: the PURL namespace is a vendor; Debian order compares the versions', () => {
    const c = cpeCandidates(pkg('binary', 'openssl', 'pkg:generic/openssl/openssl@3.0.2'));
    expect(c?.vendors).toContain('openssl');
    expect(c?.scheme).toBe('deb');
    expect(c?.targetSw).toEqual([]);
  });

  it('distro packages get no candidates at all', () => {
    for (const type of ['deb', 'apk', 'rpm'] as const) {
      expect(cpeCandidates(pkg(type, 'openssl', `pkg:${type}/debian/openssl@3.0.2`))).toBeUndefined();
    }
  });
});
