import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, it, expect, afterAll } from 'vitest';
import { vulnrichmentDriver } from './index.js';
import { collect, dataPath, q, sh, tempDir } from '../../test-support/feed-data.js';

const file = dataPath('nvd', 'vulnrichment-cvss-compact.jsonl.gz');

describe('vulnrichment driver on the real compact rows', () => {
  it('reads every row and emits each CVSS entry and SSVC block (counts from jq)', async () => {
    const rows = Number(sh(`zcat ${q(file)} | wc -l`));
    const cvss = Number(sh(`zcat ${q(file)} | jq -s '[.[] | (.cvss // []) | length] | add'`));
    const ssvc = Number(sh(`zcat ${q(file)} | jq -s '[.[] | select(.ssvc != null)] | length'`));
    expect(rows).toBe(39_951); // README
    const c = await collect(vulnrichmentDriver, { dir: dataPath('nvd') });
    expect(c.report.entries).toBe(rows);
    expect(c.records.filter((r) => r.kind === 'cvss')).toHaveLength(cvss);
    expect(c.records.filter((r) => r.kind === 'ssvc')).toHaveLength(ssvc);
    expect(c.report.skipped).toEqual([]);
    // Spot check: every 1000th row, field by field.
    const sample = sh(`zcat ${q(file)} | awk 'NR % 1000 == 1'`)
      .trim()
      .split('\n');
    for (const line of sample) {
      const raw = JSON.parse(line) as {
        cve: string;
        cvss: { source: string; vector: string; score: number }[] | null;
      };
      const mine = c.records.flatMap((r) => (r.kind === 'cvss' && r.cvss.cve === raw.cve ? [r.cvss] : []));
      expect(mine.map((m) => [m.source, m.vector, m.baseScore])).toEqual(
        (raw.cvss ?? []).map((x) => [`vulnrichment:${x.source}`, x.vector, x.score]),
      );
    }
  });
});

describe('vulnrichment driver: bad input', () => {
  const tmp = tempDir('vulnrichment-bad');
  afterAll(() => tmp.cleanup());

  it('skips invalid JSON lines, invalid rows and duplicates, counting them', async () => {
    const bad = join(tmp.path, 'vulnrichment-test.jsonl.gz');
    const lines = [
      '{"cve":"CVE-2024-0001","cvss":[{"source":"cna","version":"3.1","vector":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H","score":9.8,"severity":"CRITICAL"}],"ssvc":null}',
      '{"cve":"CVE-2024-0001","cvss":[]}',
      '{"cve":"nope"}',
      '{"cve":',
      '',
    ];
    writeFileSync(bad, gzipSync(lines.join('\n')));
    const c = await collect(vulnrichmentDriver, { file: bad });
    expect(c.records).toHaveLength(1);
    expect(c.report.skippedByReason).toEqual({ 'malformed-record': 2, 'duplicate-id': 1 });
  });
});
