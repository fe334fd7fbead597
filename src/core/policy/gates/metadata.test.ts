import { describe, expect, it } from 'vitest';
import { fire, makeInput } from '../test-support.js';
import { parseByteSize } from './metadata.js';

const input = makeInput({
  image: {
    digest: 'sha256:x',
    tags: [],
    layerCount: 7,
    size: 2_000_000_000,
    architecture: 'arm64',
    os: 'linux',
    distro: { name: 'ubuntu', version: '24.04', like: ['debian'] },
  },
});
const rule = (attribute: string, check: string, value?: string) => ({
  gate: 'metadata',
  trigger: 'attribute',
  params: { attribute, check, ...(value !== undefined ? { value } : {}) },
});
const fires = (r: ReturnType<typeof rule>) => fire(r, input).length;

describe('metadata/attribute', () => {
  it('numeric comparisons on size (with units) and layer_count', () => {
    expect(fires(rule('size', '>', '1GB'))).toBe(1);
    expect(fires(rule('size', '>', '2GiB'))).toBe(0);
    expect(fires(rule('size', '>', '10737418240'))).toBe(0);
    expect(fires(rule('layer_count', '>=', '7'))).toBe(1);
    expect(fires(rule('layer_count', '<', '7'))).toBe(0);
    expect(fires(rule('layer_count', '=', '7'))).toBe(1);
  });
  it('text checks on architecture, os_type, distro, distro_version, like_distro', () => {
    expect(fires(rule('architecture', '=', 'arm64'))).toBe(1);
    expect(fires(rule('architecture', '!=', 'arm64'))).toBe(0);
    expect(fires(rule('os_type', 'in', 'linux,windows'))).toBe(1);
    expect(fires(rule('distro', 'not_in', 'debian,centos,alpine,rhel,ubuntu,amzn,ol'))).toBe(0);
    expect(fires(rule('distro', 'not_in', 'debian,alpine'))).toBe(1);
    expect(fires(rule('distro_version', 'like', '24\\..*'))).toBe(1);
    expect(fires(rule('distro_version', 'not_like', '24\\..*'))).toBe(0);
    expect(fires(rule('like_distro', '=', 'debian'))).toBe(1);
  });
  it('exists / not_exists', () => {
    expect(fires(rule('distro', 'exists'))).toBe(1);
    expect(fire(rule('distro', 'not_exists'), makeInput())).toHaveLength(1);
    expect(fires(rule('distro', 'not_exists'))).toBe(0);
  });
  it('parses byte sizes with decimal and binary units', () => {
    expect([
      parseByteSize('10'),
      parseByteSize('1KB'),
      parseByteSize('1KiB'),
      parseByteSize('1.5GB'),
      parseByteSize('ten'),
    ]).toEqual([10, 1000, 1024, 1_500_000_000, undefined]);
  });
});
