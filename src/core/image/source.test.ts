import { describe, expect, it } from 'vitest';
import { openSource } from './open.js';
import { parseSource } from './source.js';
import { pair, type TestImageOptions } from './test-support/image-options.js';

describe('parseSource', () => {
  it.each([
    ['nginx', 'registry', 'nginx'],
    ['localhost:5000/app:1', 'registry', 'localhost:5000/app:1'],
    ['registry:ghcr.io/a/b@sha256:' + 'a'.repeat(64), 'registry', 'ghcr.io/a/b@sha256:' + 'a'.repeat(64)],
    ['docker-archive:/tmp/x.tar', 'docker-archive', '/tmp/x.tar'],
    ['oci-dir:./layout:v1', 'oci-dir', './layout:v1'],
    ['dir:/', 'dir', '/'],
    ['docker:alpine:3.20', 'docker', 'alpine:3.20'],
    // Regression: sbom: was read as a registry reference (the tag docker.io/library/sbom:<file>).
    ['sbom:/abs/app.cdx.json', 'sbom', '/abs/app.cdx.json'],
    ['sbom:app.cdx.json', 'sbom', 'app.cdx.json'],
    ['sbom:./out/app:v1.json', 'sbom', './out/app:v1.json'],
  ])('%s → %s', (input, scheme, target) => {
    expect(parseSource(input)).toMatchObject({ scheme, target });
  });

  it('rejects an empty source and a prefix without target', () => {
    expect(() => parseSource('  ')).toThrow(/empty/);
    expect(() => parseSource('oci-archive:')).toThrow(/names no oci-archive target/);
    expect(() => parseSource('sbom:')).toThrow(/names no sbom target/);
  });

  it('an sbom: source is not opened as an image', async () => {
    await expect(openSource('sbom:/tmp/app.json', ...pair({} as TestImageOptions))).rejects.toMatchObject({
      code: 'UNSUPPORTED_SOURCE',
      message: expect.stringMatching(/is an SBOM, not an image/),
    });
  });
});
