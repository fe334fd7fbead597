import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, expect, afterAll } from 'vitest';
import { isPortcullisError } from '../../../errors.js';
import { kevDriver } from './index.js';
import { collect, dataPath, q, sh, tempDir } from '../../test-support/feed-data.js';

const file = dataPath('kev', 'known_exploited_vulnerabilities.json');

describe('kev driver on the real catalog', () => {
  it('emits every entry with the raw fields (count and fields from jq)', async () => {
    const count = Number(sh(`jq '.vulnerabilities | length' ${q(file)}`));
    expect(count).toBe(1404); // README
    const c = await collect(kevDriver, { dir: dataPath('kev') });
    expect(c.report.records).toBe(count);
    const rows = sh(
      `jq -r '.vulnerabilities[] | [.cveID, .dateAdded, .dueDate, .knownRansomwareCampaignUse, .vendorProject, .product] | @tsv' ${q(file)}`,
    )
      .trim()
      .split('\n');
    const mine = c.records.flatMap((r) => (r.kind === 'kev' ? [r.kev] : []));
    expect(
      mine.map((k) =>
        [k.cve, k.dateAdded, k.dueDate, k.knownRansomware ? 'Known' : 'Unknown', k.vendor, k.product].join(
          '\t',
        ),
      ),
    ).toEqual(rows);
    expect(c.result.sourceVersion).toBe(sh(`jq -r .catalogVersion ${q(file)}`).trim());
  });
});

describe('kev driver: bad input', () => {
  const tmp = tempDir('kev-bad');
  afterAll(() => tmp.cleanup());

  it('skips malformed entries and duplicates, counting them', async () => {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as { vulnerabilities: Record<string, unknown>[] };
    const [a, b] = raw.vulnerabilities as [Record<string, unknown>, Record<string, unknown>];
    const bad = join(tmp.path, 'kev.json');
    writeFileSync(
      bad,
      JSON.stringify({
        ...raw,
        vulnerabilities: [a, { ...b, cveID: undefined }, a, { ...b, dueDate: 'soon' }],
      }),
    );
    const c = await collect(kevDriver, { file: bad });
    expect(c.records).toHaveLength(1);
    expect(c.report.skippedByReason).toEqual({ 'malformed-record': 2, 'duplicate-id': 1 });
  });

  it('rejects a document without catalogVersion with FEED_CORRUPT', async () => {
    const bad = join(tmp.path, 'not-kev.json');
    writeFileSync(bad, JSON.stringify({ vulnerabilities: [] }));
    const error = await collect(kevDriver, { file: bad }).catch((e: unknown) => e);
    expect(isPortcullisError(error, 'FEED_CORRUPT')).toBe(true);
    expect((error as Error).message).toContain(bad);
  });
});
