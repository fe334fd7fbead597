import {
  copyFileSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeFileSync,
  closeSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { isPortcullisError } from '../../../errors.js';
import { osvDriver } from './index.js';
import { advisoriesOf, collect, dataPath, q, sh, tempDir } from '../../test-support/feed-data.js';

const good = (id: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({
    id,
    modified: '2024-01-01T00:00:00Z',
    aliases: ['CVE-2024-0001'],
    affected: [
      {
        package: { ecosystem: 'npm', name: 'left-pad' },
        ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.3.0' }] }],
      },
    ],
    ...extra,
  });

describe('osv driver: bad input is skipped and counted, never fatal', () => {
  const tmp = tempDir('osv-bad');
  let zipFile: string;

  beforeAll(() => {
    const dir = join(tmp.path, 'members');
    mkdirSync(dir);
    const members: Record<string, string> = {
      'GHSA-good-0001.json': good('GHSA-good-0001'),
      'GHSA-bad-json.json': '{"id": "GHSA-bad-json", "modified": ',
      'GHSA-no-id.json': JSON.stringify({ modified: '2024-01-01T00:00:00Z', affected: [] }),
      'GHSA-bad-range.json': good('GHSA-bad-range', {
        affected: [
          {
            package: { ecosystem: 'npm', name: 'x' },
            ranges: [{ type: 'BOGUS', events: [{ introduced: '0' }] }],
          },
        ],
      }),
      'GHSA-bad-event.json': good('GHSA-bad-event', {
        affected: [
          {
            package: { ecosystem: 'npm', name: 'x' },
            ranges: [{ type: 'SEMVER', events: [{ introduced: '0', fixed: '1.0.0' }] }],
          },
        ],
      }),
      'GHSA-unknown-eco.json': good('GHSA-unknown-eco', {
        affected: [{ package: { ecosystem: 'Bogus', name: 'y' }, versions: ['1.0'] }],
      }),
      'GHSA-bad-version.json': good('GHSA-bad-version', {
        affected: [
          {
            package: { ecosystem: 'npm', name: 'z' },
            ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: 'not a version' }] }],
          },
        ],
      }),
      // Same id as the good record under another file name: the second one is a duplicate.
      'zz-duplicate.json': good('GHSA-good-0001'),
    };
    for (const [name, text] of Object.entries(members)) writeFileSync(join(dir, name), text);
    zipFile = join(tmp.path, 'all.zip');
    sh(`cd ${q(dir)} && zip -q -X ${q(zipFile)} *.json`);
  });
  afterAll(() => tmp.cleanup());

  it('emits the good record and counts each problem under its reason', async () => {
    const { records, report } = await collect(osvDriver, { file: zipFile });
    const advisories = advisoriesOf(records);
    expect(advisories.map((a) => a.id)).toEqual(['GHSA-good-0001']);
    expect(advisories[0]).toMatchObject({
      namespace: 'osv:npm',
      packageName: 'left-pad',
      versionScheme: 'semver',
      fixedVersions: ['1.3.0'],
      fixState: 'fixed',
      aliases: ['CVE-2024-0001'],
    });
    expect(report.entries).toBe(8);
    expect(report.skippedByReason).toEqual({
      'malformed-record': 4, // invalid JSON, missing id, bad range type, event with two keys
      'unknown-ecosystem': 1,
      'unparsable-range': 1,
      'duplicate-id': 1,
    });
    const byId = Object.fromEntries(report.skipped.map((s) => [s.id, s]));
    expect(byId['GHSA-no-id']?.detail).toMatch(/^id:/);
    expect(byId['GHSA-bad-range']?.detail).toMatch(/type/);
    expect(byId['GHSA-unknown-eco']?.detail).toContain('Bogus');
    expect(byId['GHSA-bad-version']?.file).toBe(`${zipFile}!GHSA-bad-version.json`);
  });

  it('reads plain directories of OSV JSON too', async () => {
    const { records, report } = await collect(osvDriver, { dir: join(tmp.path, 'members') });
    expect(advisoriesOf(records).map((a) => a.id)).toEqual(['GHSA-good-0001']);
    expect(report.entries).toBe(8);
  });

  it('rejects a truncated zip with FEED_CORRUPT naming the file', async () => {
    const truncated = join(tmp.path, 'truncated.zip');
    const whole = readFileSync(dataPath('osv', 'PyPI', 'all.zip'));
    writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length / 2)));
    const error = await collect(osvDriver, { file: truncated }).catch((e: unknown) => e);
    expect(isPortcullisError(error, 'FEED_CORRUPT')).toBe(true);
    expect((error as Error).message).toContain(truncated);
  });

  it('rejects a zip whose member data is damaged (CRC check) with FEED_CORRUPT', async () => {
    const damaged = join(tmp.path, 'damaged.zip');
    copyFileSync(dataPath('osv', 'crates.io', 'all.zip'), damaged);
    // Flip bytes well inside the first member's compressed data (local header is 30 + name bytes).
    const fd = openSync(damaged, 'r+');
    writeSync(fd, Buffer.from('garbagegarbage'), 0, 14, 80);
    closeSync(fd);
    const error = await collect(osvDriver, { file: damaged }).catch((e: unknown) => e);
    expect(isPortcullisError(error, 'FEED_CORRUPT')).toBe(true);
    expect((error as Error).message).toContain(damaged);
  });

  it('rejects a missing zip with NOT_FOUND', async () => {
    const error = await collect(osvDriver, { file: join(tmp.path, 'nope.zip') }).catch((e: unknown) => e);
    expect(isPortcullisError(error, 'NOT_FOUND')).toBe(true);
  });
});
