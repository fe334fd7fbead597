/**
 * The OSV driver on distro feeds (SUSE, openSUSE, Wolfi, Chainguard): reduced reconstructions of
 * upstream records in `__fixtures__/distros` (see the README there). Raw facts come from jq.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Advisory } from '../../model.js';
import { advisoriesOf, collect, q, sh, type Collected } from '../../test-support/feed-data.js';
import { osvDriver } from './index.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '__fixtures__', 'distros');

/** `ecosystem<TAB>name<TAB>fixed` of every affected entry, straight from the files. */
function rawAffected(): string[] {
  return sh(
    `find ${q(FIXTURES)} -name '*.json' -print0 | xargs -0 jq -r '.affected[] | [.package.ecosystem, .package.name, (.ranges[0].events[] | select(.fixed) | .fixed)] | @tsv'`,
  )
    .trim()
    .split('\n');
}

describe('osv driver on distro records', () => {
  let all: Collected;
  let advisories: Advisory[];
  beforeAll(async () => {
    all = await collect(osvDriver, { dir: FIXTURES });
    advisories = advisoriesOf(all.records);
  });

  const find = (namespace: string, name: string, id: string): Advisory | undefined =>
    advisories.find((a) => a.namespace === namespace && a.packageName === name && a.id === id);

  it('maps SUSE products, LTSS streams and modules onto sles:<major>.<sp> and skips other products', () => {
    const raw = rawAffected();
    const sap = raw.filter((line) => line.startsWith('SUSE:Linux Enterprise Server for SAP'));
    expect(sap).toHaveLength(1);
    expect(all.report.skippedByReason).toEqual({ 'unknown-ecosystem': sap.length });
    expect(advisories).toHaveLength(raw.length - sap.length);
    expect(find('sles:15.5', 'libopenssl3', 'SUSE-SU-2024:0151-1')?.fixedVersions).toEqual([
      '3.0.8-150500.5.20.1',
    ]);
    expect(find('sles:15.5', 'openssl-3', 'SUSE-SU-2024:0151-1')?.versionScheme).toBe('rpm');
    expect(find('sles:15.4', 'libcurl4', 'SUSE-SU-2023:4148-1')).toBeDefined();
    expect(find('opensuse-leap:15.5', 'libopenssl3', 'SUSE-SU-2024:0151-1')).toBeDefined();
  });

  it('keeps every fixed version exactly as upstream wrote it', () => {
    for (const line of rawAffected()) {
      const [, name, fixed] = line.split('\t') as [string, string, string];
      const matching = advisories.filter((a) => a.packageName === name && a.fixedVersions.includes(fixed));
      if (!line.includes('for SAP')) expect(matching.length, line).toBeGreaterThan(0);
    }
  });

  it('takes the CVEs a distro update fixes from `upstream` (OSV 1.7) and from `related`', () => {
    const upstream = sh(`jq -r '.upstream[]' ${q(join(FIXTURES, 'SUSE', 'SUSE-SU-2024_0151-1.json'))}`)
      .trim()
      .split('\n');
    expect(find('sles:15.5', 'libopenssl3', 'SUSE-SU-2024:0151-1')?.aliases).toEqual(upstream);
    expect(find('sles:15.5', 'libcurl4', 'SUSE-SU-2023:4148-1')?.aliases).toEqual([
      'CVE-2023-38545',
      'CVE-2023-38546',
    ]);
  });

  it('maps Tumbleweed, Wolfi and Chainguard onto rolling namespaces with their schemes', () => {
    expect(find('opensuse-tumbleweed:rolling', 'curl', 'openSUSE-SU-2024:13515-1')?.fixedVersions).toEqual([
      '8.5.0-1.1',
    ]);
    const openssl = find('wolfi:rolling', 'openssl', 'CVE-2023-5363');
    expect(openssl).toMatchObject({
      versionScheme: 'apk',
      fixState: 'fixed',
      fixedVersions: ['3.1.4-r0'],
      aliases: ['GHSA-xw78-pcr6-wrg8'],
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.1.4-r0' }] }],
    });
    expect(find('wolfi:rolling', 'glibc', 'CVE-2023-4911')?.fixedVersions).toEqual(['2.38-r2']);
    expect(find('chainguard:rolling', 'curl', 'CVE-2023-38545')?.versionScheme).toBe('apk');
  });
});
