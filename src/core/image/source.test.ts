import { describe, expect, it } from 'vitest';
import { parseSource } from './source.js';

describe('parseSource', () => {
  it.each([
    ['nginx', 'registry', 'nginx'],
    ['localhost:5000/app:1', 'registry', 'localhost:5000/app:1'],
    ['registry:ghcr.io/a/b@sha256:' + 'a'.repeat(64), 'registry', 'ghcr.io/a/b@sha256:' + 'a'.repeat(64)],
    ['docker-archive:/tmp/x.tar', 'docker-archive', '/tmp/x.tar'],
    ['oci-dir:./layout:v1', 'oci-dir', './layout:v1'],
    ['dir:/', 'dir', '/'],
    ['docker:alpine:3.20', 'docker', 'alpine:3.20'],
  ])('%s → %s', (input, scheme, target) => {
    expect(parseSource(input)).toMatchObject({ scheme, target });
  });

  it('rejects an empty source and a prefix without target', () => {
    expect(() => parseSource('  ')).toThrow(/empty/);
    expect(() => parseSource('oci-archive:')).toThrow(/names no oci-archive target/);
  });
});
