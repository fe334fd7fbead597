/** The real bookworm minbase package list (shared data) as an SBOM, for matcher tests. */
import { readFileSync } from 'node:fs';
import type { SbomDocument } from '../../sbom/document.js';
import type { Package } from '../../sbom/model.js';
import { SHARED_DATA } from '../../../../test/support/shared-data.js';

const DATA = SHARED_DATA;

export interface Installed {
  binary: string;
  version: string;
  source: string;
  sourceVersion: string;
}

export function installedMinbase(): Installed[] {
  return readFileSync(`${DATA}/debian/minbase-dpkg-status.tsv`, 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const [binary, version, source, sourceVersion] = line.split('\t') as [string, string, string, string];
      // dpkg-query's ${binary:Package} qualifies Multi-Arch: same packages (libc6:amd64); the package name has no suffix.
      return { binary: binary.replace(/:[a-z0-9]+$/, ''), version, source, sourceVersion };
    });
}

export function sbomOf(installed: readonly Installed[]): SbomDocument {
  const packages: Package[] = installed.map((p) => ({
    id: `deb-${p.binary}`,
    name: p.binary,
    version: p.version,
    type: 'deb',
    purl: `pkg:deb/debian/${p.binary}@${encodeURIComponent(p.version)}?distro=debian-12`,
    licenses: [],
    locations: [{ path: '/var/lib/dpkg/status' }],
    foundBy: 'test@1',
    source: { name: p.source, version: p.sourceVersion },
    metadata: {},
  }));
  return {
    schemaVersion: '1.0.0',
    descriptor: { name: 'portcullis', version: '0.1.0' },
    createdAt: new Date(0).toISOString(),
    source: { type: 'image', input: 'minbase', layers: [] },
    distro: { id: 'debian', versionId: '12', versionCodename: 'bookworm' },
    packages,
    relationships: [],
    files: [],
    secrets: [],
    unknowns: [],
  };
}
