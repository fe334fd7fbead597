import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, it, expect, afterAll } from 'vitest';
import { isPortcullisError } from '../../../errors.js';
import { epssDriver } from './index.js';
import { collect, dataPath, q, sh, tempDir } from '../../test-support/feed-data.js';
import type { EpssRecord } from '../../model.js';

const file = dataPath('epss', 'epss_scores-2026-08-16.csv.gz');
const epssOf = (records: { kind: string; epss?: EpssRecord }[]): EpssRecord[] =>
  records.flatMap((r) => (r.epss ? [r.epss] : []));

describe('epss driver on the real scores', () => {
  it('emits every row with its values (count and samples from zcat/awk)', async () => {
    const rows = Number(sh(`zcat ${q(file)} | grep -v '^#' | tail -n +2 | wc -l`));
    expect(rows).toBe(360_142); // README
    const started = performance.now();
    const c = await collect(epssDriver, { dir: dataPath('epss') });
    console.log(`epss: ${c.report.records} rows in ${Math.round(performance.now() - started)} ms`);
    expect(c.report.records).toBe(rows);
    const mine = new Map(epssOf(c.records).map((e) => [e.cve, e]));
    const sample = sh(`zcat ${q(file)} | awk -F, 'NR > 1 && NR % 997 == 0'`)
      .trim()
      .split('\n');
    expect(sample.length).toBeGreaterThan(300);
    for (const line of sample) {
      const [cve, epss, percentile] = line.split(',') as [string, string, string];
      expect(mine.get(cve)).toEqual({ cve, epss: Number(epss), percentile: Number(percentile) });
    }
    expect(c.result.sourceVersion).toBe('2026-08-16');
  });
});

describe('epss driver: bad input', () => {
  const tmp = tempDir('epss-bad');
  afterAll(() => tmp.cleanup());
  const write = (name: string, text: string): string => {
    const path = join(tmp.path, name);
    writeFileSync(path, gzipSync(text));
    return path;
  };

  it('rejects a bad header with FEED_CORRUPT naming the file and line', async () => {
    const bad = write('epss_scores-2026-01-01.csv.gz', 'cve,score,percentile\nCVE-2024-0001,0.1,0.5\n');
    const error = await collect(epssDriver, { file: bad }).catch((e: unknown) => e);
    expect(isPortcullisError(error, 'FEED_CORRUPT')).toBe(true);
    expect((error as Error).message).toContain(bad);
    expect((error as Error).message).toContain('line 1');
  });

  it('rejects an empty file with FEED_CORRUPT', async () => {
    const bad = write('epss_scores-empty.csv.gz', '');
    const error = await collect(epssDriver, { file: bad }).catch((e: unknown) => e);
    expect(isPortcullisError(error, 'FEED_CORRUPT')).toBe(true);
  });

  it('skips metadata lines, takes score_date from them, and counts bad rows and duplicates', async () => {
    const path = write(
      'epss_scores-current.csv.gz',
      [
        '#model_version:v2025.03.14,score_date:2026-01-02T12:55:00Z',
        'cve,epss,percentile',
        'CVE-2024-0001,0.00043,0.1',
        'CVE-2024-0002,1.5,0.2',
        'CVE-2024-0003,abc,0.2',
        'not-a-cve,0.1,0.1',
        'CVE-2024-0001,0.1,0.1',
        'CVE-2024-0004,0.2,0.3,extra',
        '',
      ].join('\r\n'),
    );
    const c = await collect(epssDriver, { file: path });
    expect(epssOf(c.records)).toEqual([{ cve: 'CVE-2024-0001', epss: 0.00043, percentile: 0.1 }]);
    expect(c.report.skippedByReason).toEqual({ 'malformed-record': 4, 'duplicate-id': 1 });
    expect(c.result.sourceVersion).toBe('2026-01-02T12:55:00Z');
  });

  it('rejects a gzip cut in half with FEED_CORRUPT', async () => {
    const whole = readFileSync(file);
    const cut = join(tmp.path, 'epss_scores-cut.csv.gz');
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2)));
    const error = await collect(epssDriver, { file: cut }).catch((e: unknown) => e);
    expect(isPortcullisError(error, 'FEED_CORRUPT')).toBe(true);
    expect((error as Error).message).toContain(cut);
  });
});
