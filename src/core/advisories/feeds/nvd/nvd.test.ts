import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { isPortcullisError } from '../../../errors.js';
import { nvdDriver } from './index.js';
import { collect, dataPath, q, sh, tempDir, type Collected } from '../../test-support/feed-data.js';
import type { CpeConfigRecord, CvssRecord } from '../../model.js';

const cvssOf = (c: Collected): CvssRecord[] => c.records.flatMap((r) => (r.kind === 'cvss' ? [r.cvss] : []));
const cpeOf = (c: Collected): CpeConfigRecord[] =>
  c.records.flatMap((r) => (r.kind === 'cpe-config' ? [r.cpe] : []));

describe('nvd driver on the real 1.1 feeds', () => {
  let all: Collected;
  beforeAll(async () => {
    all = await collect(nvdDriver, { dir: dataPath('nvd') });
  });

  it('reads every CVE item of both feeds (counts from jq)', () => {
    const count = (name: string): number =>
      Number(sh(`zcat ${q(dataPath('nvd', name))} | jq '.CVE_Items | length'`));
    const recent = count('nvdcve-1.1-recent.json.gz');
    const modified = count('nvdcve-1.1-modified.json.gz');
    expect([recent, modified]).toEqual([762, 2146]); // README
    expect(all.report.entries).toBe(recent + modified);
    expect(all.report.skipped).toEqual([]);
  });

  it('emits each v3 and v2 score with its vector exactly as in the raw items', () => {
    const rows = sh(
      `zcat ${q(dataPath('nvd', 'nvdcve-1.1-recent.json.gz'))} ${q(dataPath('nvd', 'nvdcve-1.1-modified.json.gz'))} | jq -r '.CVE_Items[] | .cve.CVE_data_meta.ID as $id | (.impact.baseMetricV3.cvssV3 // empty | [$id, .version, .vectorString, .baseScore, .baseSeverity]), (.impact.baseMetricV2 // empty | [$id, .cvssV2.version, .cvssV2.vectorString, .cvssV2.baseScore, .severity]) | @tsv'`,
    )
      .trim()
      .split('\n');
    const have = new Set(
      cvssOf(all).map((c) => [c.cve, c.version, c.vector, c.baseScore, c.severity].join('\t')),
    );
    for (const row of rows)
      expect(have.has(row.replace(/\t(\d+)\t/, (_m, n: string) => `\t${Number(n)}\t`)), row).toBe(true);
    expect(cvssOf(all)).toHaveLength(rows.length);
  });

  it('keeps CPE configurations with their match criteria', () => {
    const withNodes = Number(
      sh(
        `zcat ${q(dataPath('nvd', 'nvdcve-1.1-recent.json.gz'))} ${q(dataPath('nvd', 'nvdcve-1.1-modified.json.gz'))} | jq -s '[.[].CVE_Items[] | select((.configurations.nodes // []) | length > 0)] | length'`,
      ),
    );
    expect(cpeOf(all)).toHaveLength(withNodes);
    const criteria = (nodes: CpeConfigRecord['configurations'][number]['nodes']): string[] =>
      nodes.flatMap((n) => [...n.cpeMatch.map((m) => m.criteria), ...criteria(n.children)]);
    const first = cpeOf(all)[0] as CpeConfigRecord;
    const raw = sh(
      `zcat ${q(dataPath('nvd', 'nvdcve-1.1-modified.json.gz'))} ${q(dataPath('nvd', 'nvdcve-1.1-recent.json.gz'))} | jq -r --arg id ${q(first.cve)} '.CVE_Items[] | select(.cve.CVE_data_meta.ID == $id) | [.configurations.nodes[] | .. | objects | select(has("cpe23Uri")) | .cpe23Uri] | .[]' | sort -u`,
    )
      .trim()
      .split('\n');
    expect([...new Set(criteria(first.configurations.flatMap((c) => c.nodes)))].sort()).toEqual(raw);
  });

  it('reports the feed timestamp as the source version', () => {
    const stamps = sh(
      `zcat ${q(dataPath('nvd', 'nvdcve-1.1-recent.json.gz'))} ${q(dataPath('nvd', 'nvdcve-1.1-modified.json.gz'))} | jq -r .CVE_data_timestamp | sort | tail -1`,
    );
    expect(all.result.sourceVersion).toBe(stamps.trim());
  });
});

describe('nvd driver on the 2.0 API format', () => {
  it('reads the CVE-2024-3094 sample: every metric with its source, and the CPE criteria', async () => {
    const file = dataPath('nvd', 'nvd-2.0-sample-CVE-2024-3094.json');
    const raw = JSON.parse(readFileSync(file, 'utf8')) as {
      id: string;
      metrics: Record<
        string,
        { source: string; cvssData: { version: string; vectorString: string; baseScore: number } }[]
      >;
      configurations: { nodes: { cpeMatch: { criteria: string }[] }[] }[];
    };
    const c = await collect(nvdDriver, { file });
    const expected = Object.values(raw.metrics)
      .flat()
      .map((m) => ({
        source: m.source,
        version: m.cvssData.version,
        vector: m.cvssData.vectorString,
        baseScore: m.cvssData.baseScore,
      }));
    expect(
      cvssOf(c).map(({ source, version, vector, baseScore }) => ({ source, version, vector, baseScore })),
    ).toEqual(expected);
    const criteria = raw.configurations.flatMap((cfg) =>
      cfg.nodes.flatMap((n) => n.cpeMatch.map((m) => m.criteria)),
    );
    expect(
      cpeOf(c)[0]?.configurations.flatMap((cfg) =>
        cfg.nodes.flatMap((n) => n.cpeMatch.map((m) => m.criteria)),
      ),
    ).toEqual(criteria);
    expect(cpeOf(c)[0]?.cve).toBe(raw.id);
  });

  it('reads CVSS v4.0 metrics', async () => {
    const tmp = tempDir('nvd40');
    try {
      const metric = {
        source: 'cna@example.org',
        type: 'Secondary',
        cvssData: {
          version: '4.0',
          vectorString: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
          baseScore: 9.3,
          baseSeverity: 'CRITICAL',
        },
      };
      const file = join(tmp.path, 'cve.json');
      writeFileSync(
        file,
        JSON.stringify({
          vulnerabilities: [{ cve: { id: 'CVE-2025-0001', metrics: { cvssMetricV40: [metric] } } }],
        }),
      );
      const c = await collect(nvdDriver, { file });
      expect(cvssOf(c)).toEqual([
        {
          cve: 'CVE-2025-0001',
          source: metric.source,
          version: '4.0',
          vector: metric.cvssData.vectorString,
          baseScore: 9.3,
          severity: 'CRITICAL',
        },
      ]);
    } finally {
      tmp.cleanup();
    }
  });

  it('reads a 2.0 feed envelope (vulnerabilities[].cve)', async () => {
    const tmp = tempDir('nvd20');
    try {
      const cve = JSON.parse(
        readFileSync(dataPath('nvd', 'nvd-2.0-sample-CVE-2024-3094.json'), 'utf8'),
      ) as unknown;
      const file = join(tmp.path, 'nvdcve-2.0-recent.json.gz');
      writeFileSync(
        file,
        gzipSync(
          JSON.stringify({
            format: 'NVD_CVE',
            version: '2.0',
            timestamp: '2025-01-01T00:00:00.000',
            vulnerabilities: [{ cve }],
          }),
        ),
      );
      const c = await collect(nvdDriver, { dir: tmp.path });
      expect(c.report.entries).toBe(1);
      expect(cvssOf(c).length).toBeGreaterThan(0);
      expect(c.result.sourceVersion).toBe('2025-01-01T00:00:00.000');
    } finally {
      tmp.cleanup();
    }
  });
});

describe('nvd driver: bad input', () => {
  const tmp = tempDir('nvd-bad');
  afterAll(() => tmp.cleanup());

  it('skips malformed items and repeated CVEs within a file, counting them', async () => {
    const item = (id: unknown): unknown => ({
      cve: { CVE_data_meta: { ID: id } },
      impact: {
        baseMetricV3: {
          cvssV3: {
            version: '3.1',
            vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
            baseScore: 9.8,
            baseSeverity: 'CRITICAL',
          },
        },
      },
    });
    const file = join(tmp.path, 'nvdcve-1.1-test.json');
    writeFileSync(
      file,
      JSON.stringify({
        CVE_data_timestamp: '2025-01-01T00:00Z',
        CVE_Items: [item('CVE-2024-1234'), item('not-a-cve'), item('CVE-2024-1234'), { cve: 3 }],
      }),
    );
    const c = await collect(nvdDriver, { file });
    expect(cvssOf(c).map((x) => [x.cve, x.baseScore])).toEqual([['CVE-2024-1234', 9.8]]);
    expect(c.report.skippedByReason).toEqual({ 'malformed-record': 2, 'duplicate-id': 1 });
  });

  it('rejects a gzip cut in half with FEED_CORRUPT naming the file', async () => {
    const file = join(tmp.path, 'nvdcve-1.1-cut.json.gz');
    const whole = readFileSync(dataPath('nvd', 'nvdcve-1.1-recent.json.gz'));
    writeFileSync(file, whole.subarray(0, Math.floor(whole.length / 2)));
    const error = await collect(nvdDriver, { file }).catch((e: unknown) => e);
    expect(isPortcullisError(error, 'FEED_CORRUPT')).toBe(true);
    expect((error as Error).message).toContain(file);
  });

  it('rejects a document of another kind with FEED_CORRUPT', async () => {
    const file = join(tmp.path, 'other.json');
    writeFileSync(file, JSON.stringify({ hello: 'world' }));
    const error = await collect(nvdDriver, { file }).catch((e: unknown) => e);
    expect(isPortcullisError(error, 'FEED_CORRUPT')).toBe(true);
  });
});
