/**
 * The ALAS driver on reduced reconstructions of Amazon's updateinfo.xml (see
 * `__fixtures__/README.md`); raw counts come from xmllint, not from our XML reader.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Advisory } from '../../model.js';
import { advisoriesOf, collect, q, sh, tempDir, type Collected } from '../../test-support/feed-data.js';
import { amazonAlasDriver } from './index.js';

const MIRROR = join(dirname(fileURLToPath(import.meta.url)), '__fixtures__', 'amazon');
const xpath = (file: string, expr: string): string =>
  sh(`xmllint --xpath ${q(expr)} ${q(join(MIRROR, file))}`).trim();

describe('amazon-alas driver', () => {
  let all: Collected;
  let advisories: Advisory[];
  const temp = tempDir('alas');
  beforeAll(async () => {
    all = await collect(amazonAlasDriver, { dir: MIRROR });
    advisories = advisoriesOf(all.records);
  });
  afterAll(() => temp.cleanup());

  const find = (id: string, name: string): Advisory | undefined =>
    advisories.find((a) => a.id === id && a.packageName === name);

  it('reads every update once and emits one record per (advisory, binary rpm name)', () => {
    const updates = ['2', '2023'].map((r) => Number(xpath(`${r}/updateinfo.xml`, 'count(//update)')));
    expect(all.report.entries).toBe(updates[0]! + updates[1]!);
    // Distinct package names per core advisory, straight from the XML (arches collapse).
    const names = (file: string, id: string): number =>
      new Set(
        xpath(file, `//update[id='${id}']//package/@name`)
          .split('\n')
          .map((l) => l.trim()),
      ).size;
    expect(advisories.filter((a) => a.id === 'ALAS2-2023-1952')).toHaveLength(
      names('2/updateinfo.xml', 'ALAS2-2023-1952'),
    );
    expect(all.report.records).toBe(advisories.length);
    expect(all.report.skippedByReason).toEqual({ 'unknown-release': 1 });
  });

  it('writes the fixed version as epoch:version-release, the epoch only when not 0', () => {
    expect(find('ALAS2-2023-1952', 'openssl-libs')).toMatchObject({
      namespace: 'amzn:2',
      versionScheme: 'rpm',
      fixState: 'fixed',
      fixedVersions: ['1:1.0.2k-24.amzn2.0.6'],
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1:1.0.2k-24.amzn2.0.6' }] }],
      aliases: ['CVE-2023-0286', 'CVE-2023-0215', 'CVE-2022-4304'],
      severities: [{ source: 'amazon', scheme: 'label', label: 'IMPORTANT' }],
      published: '2023-02-23T18:51:00Z',
      modified: '2023-03-02T01:02:00Z',
      references: ['https://alas.aws.amazon.com/AL2/ALAS2-2023-1952.html'],
    });
    expect(find('ALAS2023-2023-390', 'curl-minimal')).toMatchObject({
      namespace: 'amzn:2023',
      fixedVersions: ['8.3.0-1.amzn2023.0.2'],
    });
    expect(find('ALAS2023-2023-356', 'glibc')?.severities[0]?.label).toBe('CRITICAL');
  });

  it('keeps extras-topic advisories (other streams of the same names) out of amzn:2', () => {
    expect(advisories.some((a) => a.id.startsWith('ALAS2KERNEL'))).toBe(false);
    expect(advisories.some((a) => a.packageName === 'kernel')).toBe(false);
  });

  it('reads gzip files and skips a malformed update without losing the others', async () => {
    const dir = join(temp.path, 'mirror');
    mkdirSync(join(dir, '2023'), { recursive: true });
    const text = sh(`cat ${q(join(MIRROR, '2023', 'updateinfo.xml'))}`).replace(
      'name="glibc-common" release="52.amzn2023.0.7" version="2.34"',
      'name="glibc-common" release="52.amzn2023.0.7"',
    );
    writeFileSync(join(dir, '2023', 'updateinfo.xml.gz'), sh('gzip -c | base64 -w0', text), 'base64');
    const out = await collect(amazonAlasDriver, { dir });
    expect(out.report.skippedByReason).toEqual({ 'malformed-record': 1 });
    expect(advisoriesOf(out.records).map((a) => `${a.id} ${a.packageName}`)).toEqual([
      'ALAS2023-2023-390 curl-minimal',
      'ALAS2023-2023-390 libcurl-minimal',
      'ALAS2023-2023-390 curl',
    ]);
  });

  it('refuses a truncated document as FEED_CORRUPT', async () => {
    const file = join(temp.path, 'trunc', '2', 'updateinfo.xml');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, '<?xml version="1.0" ?>\n<updates><update type="security"><id>ALAS2-2023-1</id>');
    await expect(collect(amazonAlasDriver, { file })).rejects.toMatchObject({ code: 'FEED_CORRUPT' });
  });

  it('follows mirror.list and repomd.xml to the updateinfo file', async () => {
    const dir = join(temp.path, 'live');
    for (const [release, base] of [
      [
        '2',
        'https://amazonlinux-2-repos-us-east-1.s3.dualstack.us-east-1.amazonaws.com/2/core/2.0/x86_64/6b0225ccc542f3834c95733dcf321ab9f1e77e6ca6817469771a8af7c49efe6c/',
      ],
      ['2023', 'https://cdn.amazonlinux.com/al2023/core/guids/0d5a5d4e8d7d/x86_64/'],
    ] as const) {
      mkdirSync(join(dir, release), { recursive: true });
      writeFileSync(join(dir, release, 'mirror.list'), `${base}\n`);
      writeFileSync(
        join(dir, release, 'repomd.xml'),
        `<?xml version="1.0" encoding="UTF-8"?>\n<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">\n  <revision>1700000000</revision>\n  <data type="primary"><location href="repodata/abc-primary.sqlite.gz"/></data>\n  <data type="updateinfo">\n    <checksum type="sha256">9f2c</checksum>\n    <location href="repodata/9f2c-updateinfo.xml.gz"/>\n  </data>\n</repomd>\n`,
      );
    }
    const round1 = await amazonAlasDriver.followUp!(dir, 1);
    expect(round1.map((f) => f.path)).toEqual(['2/repomd.xml', '2023/repomd.xml']);
    expect(round1[1]?.url).toBe(
      'https://cdn.amazonlinux.com/al2023/core/guids/0d5a5d4e8d7d/x86_64/repodata/repomd.xml',
    );
    const round2 = await amazonAlasDriver.followUp!(dir, 2);
    expect(round2).toEqual([
      {
        url: 'https://amazonlinux-2-repos-us-east-1.s3.dualstack.us-east-1.amazonaws.com/2/core/2.0/x86_64/6b0225ccc542f3834c95733dcf321ab9f1e77e6ca6817469771a8af7c49efe6c/repodata/9f2c-updateinfo.xml.gz',
        path: '2/updateinfo.xml.gz',
      },
      {
        url: 'https://cdn.amazonlinux.com/al2023/core/guids/0d5a5d4e8d7d/x86_64/repodata/9f2c-updateinfo.xml.gz',
        path: '2023/updateinfo.xml.gz',
      },
    ]);
    expect(await amazonAlasDriver.followUp!(dir, 3)).toEqual([]);
    writeFileSync(join(dir, '2', 'mirror.list'), 'http://insecure.example/2/\n');
    await expect(amazonAlasDriver.followUp!(dir, 1)).rejects.toMatchObject({ code: 'FEED_CORRUPT' });
  });
});
