import { describe, expect, it } from 'vitest';
import { hostPlatform, parsePlatform, selectPlatform } from './platform.js';
import type { Descriptor } from './types.js';

const child = (architecture: string, variant?: string, extra: Partial<Descriptor> = {}): Descriptor => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${architecture}${variant ?? ''}`.padEnd(71, '0'),
  size: 1,
  platform: variant ? { os: 'linux', architecture, variant } : { os: 'linux', architecture },
  ...extra,
});

describe('platform', () => {
  it('parses os/arch/variant and normalizes aliases', () => {
    expect(parsePlatform('linux/arm64')).toEqual({ os: 'linux', architecture: 'arm64' });
    expect(parsePlatform('linux/aarch64/v8')).toEqual({ os: 'linux', architecture: 'arm64' });
    expect(parsePlatform('linux/arm/v7')).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' });
    expect(parsePlatform('linux/x86_64')).toEqual({ os: 'linux', architecture: 'amd64' });
  });

  it('rejects malformed platforms', () => {
    expect(() => parsePlatform('linux')).toThrow(/os\/arch/);
    expect(() => parsePlatform('linux//v7')).toThrow(/os\/arch/);
  });

  it('maps node architectures to OCI names', () => {
    expect(hostPlatform('x64', 'linux')).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(hostPlatform('arm64', 'darwin')).toEqual({ os: 'linux', architecture: 'arm64' });
  });

  it('selects the matching child and prefers the exact variant', () => {
    const index = [child('amd64'), child('arm', 'v6'), child('arm', 'v7'), child('arm64', 'v8')];
    expect(selectPlatform(index, { os: 'linux', architecture: 'arm64' }, 'x').digest).toBe(index[3]?.digest);
    expect(selectPlatform(index, { os: 'linux', architecture: 'arm', variant: 'v7' }, 'x').digest).toBe(
      index[2]?.digest,
    );
    expect(selectPlatform(index, { os: 'linux', architecture: 'arm' }, 'x').digest).toBe(index[1]?.digest);
  });

  it('ignores attestation manifests and names what is available when nothing matches', () => {
    const index = [
      child('amd64'),
      child('unknown', undefined, { platform: { os: 'unknown', architecture: 'unknown' } }),
    ];
    expect(() => selectPlatform(index, { os: 'linux', architecture: 's390x' }, 'registry:x')).toThrow(
      /no image for platform linux\/s390x \(available: linux\/amd64\)/,
    );
  });
});
