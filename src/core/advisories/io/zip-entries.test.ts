import { describe, it, expect } from 'vitest';
import { DEFAULT_ZIP_LIMITS, forEachZipMember } from './zip-entries.js';
import { dataPath, q, sh } from '../test-support/feed-data.js';

const zip = dataPath('osv', 'crates.io', 'all.zip');

describe('forEachZipMember', () => {
  it('reads the same members and bytes as unzip, both in memory and from the file descriptor', async () => {
    const names = sh(`unzip -Z1 ${q(zip)}`)
      .trim()
      .split('\n');
    for (const maxInMemoryBytes of [DEFAULT_ZIP_LIMITS.maxInMemoryBytes, 0]) {
      const seen: string[] = [];
      const sampled: [string, Buffer][] = [];
      await forEachZipMember(
        zip,
        (m) => {
          if (seen.length % 200 === 0 && m.contents) sampled.push([m.name, m.contents]);
          seen.push(m.name);
        },
        { ...DEFAULT_ZIP_LIMITS, maxInMemoryBytes },
      );
      expect(seen).toEqual(names);
      for (const [name, contents] of sampled) {
        expect(contents.equals(Buffer.from(sh(`unzip -p ${q(zip)} ${q(name)}`)))).toBe(true);
      }
    }
  });

  it('hands over members above the size limit without reading them', async () => {
    const large = new Set(
      sh(`unzip -l ${q(zip)} | awk 'NR > 3 && $1 ~ /^[0-9]+$/ && $1 > 4000 && NF >= 4 { print $4 }'`)
        .trim()
        .split('\n'),
    );
    expect(large.size).toBeGreaterThan(10);
    const skipped = new Set<string>();
    await forEachZipMember(
      zip,
      (m) => {
        if (m.contents === null) skipped.add(m.name);
      },
      { ...DEFAULT_ZIP_LIMITS, maxEntryBytes: 4000 },
    );
    expect(skipped).toEqual(large);
  });

  it('lets errors of the callback through unchanged', async () => {
    const mine = new Error('sink failed');
    await expect(
      forEachZipMember(zip, () => {
        throw mine;
      }),
    ).rejects.toBe(mine);
  });
});
