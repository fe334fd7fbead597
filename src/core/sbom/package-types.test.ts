/**
 * Contract of the package-type table: every package type a cataloger can emit has a registered
 * version scheme and an advisory source that is actually imported, and the matcher looks it up
 * in the namespace the importer writes. A type without one must say why (binary). Adding a row
 * without either fails here.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_UPSTREAM_OPTIONS } from '../advisories/feed.js';
import { distroSchemes, mapEcosystem } from '../advisories/feeds/osv/ecosystems.js';
import { osvDriver } from '../advisories/feeds/osv/index.js';
import { lookupsFor } from '../matching/namespaces.js';
import { parseIgnoreFile } from '../suppression/ignore-file.js';
import { compareByPackageType } from '../versioning/by-package-type.js';
import { isSchemeId, schemeFor } from '../versioning/registry.js';
import { SCHEME_TABLES } from '../versioning/test-support/tables.js';
import type { Package } from './model.js';
import { PACKAGE_TYPES, packageTypeInfo, packageTypeOfPurl, type PackageType } from './package-types.js';

// Types allowed to have no advisory ecosystem; each carries its reason in the table.
const WITHOUT_ADVISORIES: readonly PackageType[] = ['binary'];

const pkg = (type: PackageType, name: string, version: string): Package => ({
  id: `${type}-${name}`,
  name,
  version,
  type,
  purl: `pkg:${packageTypeInfo(type).purlType}/${name}@${version}`,
  licenses: [],
  locations: [],
  foundBy: 'contract-test@1',
  metadata: {},
});

describe.each(PACKAGE_TYPES.map((t) => [t]))('package type %s', (type) => {
  const info = packageTypeInfo(type);

  it('has a version scheme, or no advisories for a documented reason', () => {
    if (info.advisories.kind === 'none') {
      expect(WITHOUT_ADVISORIES).toContain(type);
      expect(info.advisories.reason.length).toBeGreaterThan(40);
      return;
    }
    expect(info.scheme !== undefined && isSchemeId(info.scheme)).toBe(true);
  });

  it('has an advisory source that is imported, under the namespace the matcher looks up', () => {
    const scheme = info.scheme as NonNullable<typeof info.scheme>;
    const sample = SCHEME_TABLES[scheme]?.ascending[0]?.[0] ?? '1.0';
    if (info.advisories.kind === 'osv') {
      const ecosystem = info.advisories.ecosystem;
      const mapping = mapEcosystem(ecosystem);
      expect(mapping).toEqual({ namespace: `osv:${ecosystem}`, scheme });
      expect(DEFAULT_UPSTREAM_OPTIONS.osvEcosystems).toContain(ecosystem);
      expect(osvDriver.upstream(DEFAULT_UPSTREAM_OPTIONS).map((f) => f.path)).toContain(
        `${ecosystem}/all.zip`,
      );
      const [lookup] = lookupsFor(pkg(type, 'example', sample), undefined);
      expect(lookup).toMatchObject({ namespace: mapping?.namespace, scheme });
    } else if (info.advisories.kind === 'distro') {
      expect(distroSchemes()).toContain(scheme);
      const [lookup] = lookupsFor(pkg(type, 'example', sample), { id: 'debian', versionId: '12' });
      expect(lookup).toMatchObject({ namespace: 'debian:12', scheme });
    } else {
      expect(lookupsFor(pkg(type, 'example', '1.0'), undefined)).toEqual([]);
    }
  });

  it('is orderable by type with its own scheme', () => {
    if (info.scheme === undefined) {
      expect(compareByPackageType(type, '1.0', '2.0')).toBeUndefined();
      return;
    }
    const [a, b] = SCHEME_TABLES[info.scheme].ascending[0] as readonly [string, string];
    expect(compareByPackageType(type, a, b)).toBe(schemeFor(info.scheme).compare(a, b));
  });

  it('round-trips its PURL type and is accepted by that name in the ignore file', () => {
    expect(packageTypeOfPurl(info.purlType)).toBe(type);
    for (const name of new Set([type, info.purlType])) {
      const { rules } = parseIgnoreFile(
        'ignore.yaml',
        `- package: { type: ${name} }\n  reason: contract test\n`,
      );
      expect(rules[0]?.package?.type).toBe(type);
    }
  });

  it('names a registered scheme for the CPE fallback', () => {
    if (info.cpe) expect(isSchemeId(info.cpe.scheme)).toBe(true);
    else expect(info.advisories.kind).toBe('distro');
  });
});

it('gives every package type its own PURL type', () => {
  const purlTypes = PACKAGE_TYPES.map((t) => packageTypeInfo(t).purlType);
  expect(new Set(purlTypes).size).toBe(purlTypes.length);
});
