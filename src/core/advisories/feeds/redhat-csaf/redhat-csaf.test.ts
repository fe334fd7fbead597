/**
 * The Red Hat CSAF VEX driver on reduced reconstructions of Red Hat's VEX files (see
 * `__fixtures__/README.md`), loose and packed the way Red Hat publishes them (tar + zstd,
 * archive_latest.txt, changes.csv, deletions.csv). Raw facts come from jq.
 */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Advisory } from '../../model.js';
import { advisoriesOf, collect, q, sh, tempDir, type Collected } from '../../test-support/feed-data.js';
import { redhatCsafDriver } from './index.js';

const VEX = join(dirname(fileURLToPath(import.meta.url)), '__fixtures__', 'redhat', 'csaf-vex');
const jq = (file: string, filter: string): string => sh(`jq -r ${q(filter)} ${q(join(VEX, file))}`).trim();

describe('redhat-csaf driver on loose VEX files', () => {
  let all: Collected;
  let advisories: Advisory[];
  beforeAll(async () => {
    all = await collect(redhatCsafDriver, { dir: VEX });
    advisories = advisoriesOf(all.records);
  });
  const find = (id: string, namespace: string, name: string): Advisory | undefined =>
    advisories.find((a) => a.id === id && a.namespace === namespace && a.packageName === name);

  it('reads each document once and skips nothing', () => {
    expect(all.report.entries).toBe(Number(sh(`find ${q(VEX)} -name 'cve-*.json' | wc -l`).trim()));
    expect(all.report.skippedByReason).toEqual({});
    expect(all.report.records).toBe(advisories.length);
  });

  it('maps fixed source rpms of mainline RHEL to redhat:<major> with epoch:version-release', () => {
    const purl = jq(
      '2023/cve-2023-0286.json',
      '.product_tree.branches[0].branches[1].branches[0].product.product_identification_helper.purl',
    );
    expect(purl).toBe('pkg:rpm/redhat/openssl@3.0.1-47.el9_1?arch=src&epoch=1');
    expect(find('CVE-2023-0286', 'redhat:9', 'openssl')).toMatchObject({
      versionScheme: 'rpm',
      fixState: 'fixed',
      fixedVersions: ['1:3.0.1-47.el9_1'],
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1:3.0.1-47.el9_1' }] }],
      references: [
        'https://access.redhat.com/security/cve/CVE-2023-0286',
        'https://access.redhat.com/errata/RHSA-2023:0946',
      ],
      published: jq('2023/cve-2023-0286.json', '.vulnerabilities[0].release_date'),
      modified: jq('2023/cve-2023-0286.json', '.document.tracking.current_release_date'),
    });
    expect(find('CVE-2023-0286', 'redhat:9', 'openssl')?.severities).toEqual([
      {
        source: 'redhat',
        scheme: 'CVSS_V3',
        score: 7.4,
        vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:H',
      },
      { source: 'redhat', scheme: 'label', label: 'IMPORTANT' },
    ]);
    expect(find('CVE-2023-0286', 'redhat:8', 'openssl')?.fixedVersions).toEqual(['1:1.1.1k-9.el8_7']);
    expect(find('CVE-2023-4911', 'redhat:9', 'glibc')?.fixedVersions).toEqual(['2.34-60.el9_2.7']);
  });

  it('ignores EUS builds and binary rpms: one record per source package and release', () => {
    const openssl9 = advisories.filter((a) => a.id === 'CVE-2023-0286' && a.namespace === 'redhat:9');
    expect(openssl9.map((a) => a.packageName)).toEqual(['openssl']);
    expect(openssl9[0]?.fixedVersions).not.toContain('1:3.0.1-43.el9_0.3');
  });

  it('turns known_not_affected into a not-affected record', () => {
    expect(find('CVE-2023-4911', 'redhat:7', 'glibc')).toMatchObject({
      notAffected: true,
      ranges: [],
      fixedVersions: [],
    });
    expect(find('CVE-2023-0286', 'redhat:6', 'openssl')?.notAffected).toBe(true);
  });

  it('turns known_affected into every version affected: no_fix_planned is wont-fix, none_available not-fixed', () => {
    const remediation = jq(
      '2022/cve-2022-27943.json',
      '.vulnerabilities[0].remediations[] | select(.category == "no_fix_planned") | .details',
    );
    expect(remediation).toBe('Will not fix');
    for (const ns of ['redhat:9', 'redhat:8']) {
      expect(find('CVE-2022-27943', ns, 'gcc')).toMatchObject({
        fixState: 'wont-fix',
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }],
        fixedVersions: [],
        severities: [
          {
            source: 'redhat',
            scheme: 'CVSS_V3',
            score: 5.5,
            vector: 'CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H',
          },
          { source: 'redhat', scheme: 'label', label: 'LOW' },
        ],
      });
    }
    expect(find('CVE-2022-27943', 'redhat:9', 'binutils')?.fixState).toBe('not-fixed');
  });

  it('keys module builds as <module>:<stream>/<package>, the way Red Hat names them', () => {
    expect(find('CVE-2023-44487', 'redhat:8', 'nodejs:18/nodejs')?.fixedVersions).toEqual([
      '1:18.18.2-2.module+el8.8.0+20535+5a9ae4d8',
    ]);
    expect(find('CVE-2023-44487', 'redhat:8', 'nodejs:16/nodejs')?.fixState).toBe('wont-fix');
    expect(advisories.some((a) => a.packageName === 'nodejs')).toBe(false);
  });
});

describe('redhat-csaf driver on the published archive layout', () => {
  const temp = tempDir('csaf');
  afterAll(() => temp.cleanup());

  function publish(dir: string, changedFile: boolean): void {
    mkdirSync(dir, { recursive: true });
    sh(`cd ${q(VEX)} && tar --zstd -cf ${q(join(dir, 'csaf_vex_2024-11-30.tar.zst'))} 2022 2023`);
    writeFileSync(join(dir, 'archive_latest.txt'), 'csaf_vex_2024-11-30.tar.zst\n');
    writeFileSync(join(dir, 'deletions.csv'), '"2022/cve-2022-27943.json","2024-12-01T10:00:00+00:00"\n');
    writeFileSync(
      join(dir, 'changes.csv'),
      '"2023/cve-2023-0286.json","2024-12-02T08:00:00+00:00"\n"2023/cve-2023-4911.json","2024-11-22T10:47:27+00:00"\n"2022/cve-2022-27943.json","2024-11-30T23:00:00+00:00"\n',
    );
    if (changedFile) {
      // The changed file published after the archive: a newer fix for RHEL 9.
      mkdirSync(join(dir, '2023'), { recursive: true });
      const updated = sh(
        `jq -c '.product_tree.branches[0].branches[1].branches[0].product.product_identification_helper.purl = "pkg:rpm/redhat/openssl@3.0.7-6.el9_2?arch=src&epoch=1"' ${q(join(VEX, '2023/cve-2023-0286.json'))}`,
      );
      writeFileSync(join(dir, '2023', 'cve-2023-0286.json'), updated);
    }
  }

  it('reads the archive minus deletions, with changed files taken loose', async () => {
    const dir = join(temp.path, 'mirror');
    publish(dir, true);
    const out = await collect(redhatCsafDriver, { dir });
    const advisories = advisoriesOf(out.records);
    expect(advisories.some((a) => a.id === 'CVE-2022-27943')).toBe(false);
    expect(
      advisories.find((a) => a.id === 'CVE-2023-0286' && a.namespace === 'redhat:9')?.fixedVersions,
    ).toEqual(['1:3.0.7-6.el9_2']);
    expect(advisories.find((a) => a.id === 'CVE-2023-4911' && a.namespace === 'redhat:9')).toBeDefined();
    expect(out.report.entries).toBe(3);
  });

  it('plans the live download from the index files and sweeps what the view no longer names', async () => {
    const dir = join(temp.path, 'live');
    publish(dir, true);
    cpSync(join(dir, 'csaf_vex_2024-11-30.tar.zst'), join(dir, 'csaf_vex_2024-11-23.tar.zst'));
    mkdirSync(join(dir, '2021'), { recursive: true });
    writeFileSync(join(dir, '2021', 'cve-2021-3711.json'), '{}');
    const round1 = await redhatCsafDriver.followUp!(dir, 1);
    expect(round1).toEqual(
      ['csaf_vex_2024-11-30.tar.zst', '2023/cve-2023-0286.json'].map((path) => ({
        url: `https://security.access.redhat.com/data/csaf/v2/vex/${path}`,
        path,
      })),
    );
    expect(await redhatCsafDriver.followUp!(dir, 2)).toEqual([]);
    expect(
      sh(`cd ${q(dir)} && find . -type f | sort`)
        .trim()
        .split('\n'),
    ).toEqual([
      './2023/cve-2023-0286.json',
      './archive_latest.txt',
      './changes.csv',
      './csaf_vex_2024-11-30.tar.zst',
      './deletions.csv',
    ]);
  });

  it('refuses a truncated archive as FEED_CORRUPT', async () => {
    const dir = join(temp.path, 'truncated');
    publish(dir, false);
    const archive = join(dir, 'csaf_vex_2024-11-30.tar.zst');
    sh(`truncate -s 2000 ${q(archive)}`);
    await expect(collect(redhatCsafDriver, { dir })).rejects.toMatchObject({ code: 'FEED_CORRUPT' });
  });

  it('turns under_investigation into every version affected with fix state unknown', async () => {
    const file = join(temp.path, 'investigating', '2022', 'cve-2022-27943.json');
    mkdirSync(dirname(file), { recursive: true });
    const filter =
      '.vulnerabilities[0].product_status = {under_investigation: .vulnerabilities[0].product_status.known_affected} | del(.vulnerabilities[0].remediations)';
    writeFileSync(file, sh(`jq -c ${q(filter)} ${q(join(VEX, '2022', 'cve-2022-27943.json'))}`));
    const advisories = advisoriesOf((await collect(redhatCsafDriver, { file })).records);
    expect(advisories.map((a) => [a.namespace, a.packageName, a.fixState, a.ranges])).toEqual(
      [
        ['redhat:9', 'gcc'],
        ['redhat:8', 'gcc'],
        ['redhat:9', 'binutils'],
      ].map(([ns, name]) => [ns, name, 'unknown', [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }]]),
    );
  });

  it('skips a document that is not CSAF VEX without losing the others', async () => {
    const dir = join(temp.path, 'bad');
    mkdirSync(join(dir, '2023'), { recursive: true });
    cpSync(join(VEX, '2023'), join(dir, '2023'), { recursive: true });
    writeFileSync(
      join(dir, '2023', 'cve-2023-9999.json'),
      '{"document":{"category":"csaf_security_advisory"}}',
    );
    const out = await collect(redhatCsafDriver, { dir });
    expect(out.report.skippedByReason).toEqual({ 'malformed-record': 1 });
    expect(advisoriesOf(out.records).some((a) => a.id === 'CVE-2023-4911')).toBe(true);
  });
});
