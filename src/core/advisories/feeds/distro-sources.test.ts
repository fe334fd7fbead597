/**
 * Contract over the distro table: every distro the matcher can look packages up for has a live
 * download in `db update`, and every distro ecosystem the OSV importer maps is in the table. A
 * distro whose data is mapped but never downloaded leaves its images silently clean.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_UPSTREAM_OPTIONS } from '../feed.js';
import { distroNamespace } from '../../matching/distro-namespaces.js';
import { DISTRO_SOURCES, distroSource } from './distro-sources.js';
import { osvDistroEcosystems } from './osv/ecosystems.js';
import { feedDriver } from './registry.js';

const OSV_ZIP = 'https://osv-vulnerabilities.storage.googleapis.com/';

/** os-release ID and VERSION_ID of a real image of each distro in the table. */
const IMAGES: readonly [string, string, string][] = [
  ['debian', '12', 'debian'],
  ['ubuntu', '22.04', 'ubuntu'],
  ['alpine', '3.20.3', 'alpine'],
  ['almalinux', '9.4', 'almalinux'],
  ['rocky', '8.10', 'rocky'],
  ['rhel', '9.3', 'redhat'],
  ['amzn', '2023', 'amzn'],
  ['amzn', '2', 'amzn'],
  ['sles', '15.5', 'sles'],
  ['opensuse-leap', '15.5', 'opensuse-leap'],
  ['opensuse-tumbleweed', '20240101', 'opensuse-tumbleweed'],
  ['wolfi', '20230201', 'wolfi'],
  ['chainguard', '20230214', 'chainguard'],
];

describe('distro sources', () => {
  it.each(DISTRO_SOURCES.map((s) => [s.prefix, s] as const))(
    '%s has a live download in db update',
    (_prefix, source) => {
      const driver = feedDriver(source.feed);
      expect(driver, source.feed).toBeDefined();
      const urls = driver?.upstream(DEFAULT_UPSTREAM_OPTIONS).map((f) => f.url) ?? [];
      expect(urls.length).toBeGreaterThan(0);
      if (source.osvEcosystem) {
        expect(DEFAULT_UPSTREAM_OPTIONS.osvEcosystems).toContain(source.osvEcosystem);
        expect(urls).toContain(`${OSV_ZIP}${encodeURIComponent(source.osvEcosystem)}/all.zip`);
      }
    },
  );

  it('downloads Ubuntu, AlmaLinux and Rocky Linux from OSV under their exact names', () => {
    const urls = feedDriver('osv')
      ?.upstream(DEFAULT_UPSTREAM_OPTIONS)
      .map((f) => f.url);
    expect(urls).toEqual(
      expect.arrayContaining([
        `${OSV_ZIP}Ubuntu/all.zip`,
        `${OSV_ZIP}AlmaLinux/all.zip`,
        `${OSV_ZIP}Rocky%20Linux/all.zip`,
      ]),
    );
  });

  it.each(IMAGES)('an image of %s %s is looked up in a namespace with a source', (id, version, prefix) => {
    const namespace = distroNamespace({ id, versionId: version });
    expect(namespace).toBeDefined();
    expect(distroSource(namespace as string)?.prefix).toBe(prefix);
  });

  it('every distro ecosystem the OSV importer maps is in the table', () => {
    for (const { ecosystem, prefix } of osvDistroEcosystems()) {
      const listed = DISTRO_SOURCES.filter(
        (s) => s.osvEcosystem === ecosystem || s.prefix === prefix || s.prefix.startsWith(`${prefix}-`),
      );
      expect(listed.length, ecosystem).toBeGreaterThan(0);
    }
  });

  it('knows no source for a distro nobody publishes advisories for', () => {
    expect(distroSource('centos:7')).toBeUndefined();
    expect(distroSource('fedora:40')).toBeUndefined();
  });
});
