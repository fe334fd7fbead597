/** A native SBOM document for tests: empty unless `overrides` fill it. */
import type { SbomDocument } from '../document.js';

export function sbomDocument(overrides: Partial<SbomDocument> = {}): SbomDocument {
  return {
    schemaVersion: '1.0.0',
    descriptor: { name: 'portcullis', version: '0.1.0' },
    createdAt: '2026-01-01T00:00:00.000Z',
    source: { type: 'image', input: 'oci-dir:/x:1', layers: [] },
    packages: [],
    relationships: [],
    files: [],
    secrets: [],
    unknowns: [],
    ...overrides,
  };
}
