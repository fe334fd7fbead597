/**
 * `portcullis report` end to end on the real `app` fixture against the real feeds: an HTML page
 * with the verdict, the findings and the team label from the image config, a PDF whose text
 * (pdftotext) holds the verdict and the top finding, and evaluate's exit codes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFixtureImage, type FixtureImage } from '../../../test/harness/fixtures/index.js';
import { runCli } from '../../../test/support/cli.js';
import { SHARED_DATA } from '../../../test/support/shared-data.js';
import { FEED_DRIVERS } from '../../core/advisories/feeds/registry.js';
import { updateFeeds } from '../../store/update-feeds.js';
import { openVulnerabilityDatabase } from '../analyze.js';

let fixture: FixtureImage;
let temp: string;
let cacheDir: string;

const report = (...args: string[]) =>
  runCli(['--cache-dir', cacheDir, 'report', `oci-dir:${fixture.ociLayoutDir}:${fixture.tag}`, ...args]);

describe('portcullis report', () => {
  beforeAll(async () => {
    fixture = await getFixtureImage('app');
    temp = await mkdtemp(join(tmpdir(), 'portcullis-report-'));
    cacheDir = join(temp, 'cache');
    const database = await openVulnerabilityDatabase({}, cacheDir, {});
    try {
      const outcomes = await updateFeeds(database.store, FEED_DRIVERS, { mode: { mirrorDir: SHARED_DATA } });
      expect(outcomes.every((o) => o.status === 'updated')).toBe(true);
    } finally {
      await database.close();
    }
  }, 600_000);
  afterAll(async () => {
    if (temp) await rm(temp, { recursive: true, force: true });
  });

  it('writes an HTML report with the verdict, findings and the team from the image labels', async () => {
    const file = join(temp, 'deny.html');
    const run = await report('--policy', 'builtin:deny-all', '--file', file, '--tag', 'example.org/app:1');
    expect(run.code, run.err).toBe(2);
    const page = await readFile(file, 'utf8');
    expect(page).toMatch(/^<!DOCTYPE html>/);
    expect(page).toContain('verdict-fail');
    expect(page).toContain('example.org/app:1');
    // The fixture's config carries org.opencontainers.image.vendor=Portcullis.
    expect(page.replace(/\s+/g, ' ')).toContain('Portcullis (org.opencontainers.image.vendor)');
    expect(page).toMatch(/CVE-\d{4}-\d+/);
    expect(page).toMatch(/<h3>(Base image|Application|Origin unknown) \(\d+\)<\/h3>/);

    const titled = await report(
      '--policy',
      'builtin:allow-all',
      '--team-label',
      'org.opencontainers.image.title',
    );
    expect(titled.code, titled.err).toBe(0);
    expect(titled.out).toContain('verdict-pass');
    expect(titled.out.replace(/\s+/g, ' ')).toContain('portcullis-base (org.opencontainers.image.title)');
  }, 600_000);

  it('prints a PDF whose text holds the verdict and the worst finding of the HTML', async () => {
    const htmlFile = join(temp, 'r.html');
    const pdfFile = join(temp, 'r.pdf');
    expect((await report('--policy', 'builtin:deny-all', '--file', htmlFile)).code).toBe(2);
    const run = await report('--policy', 'builtin:deny-all', '--format', 'pdf', '--file', pdfFile);
    expect(run.code, run.err).toBe(2);
    const pdf = await readFile(pdfFile);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = execFileSync('pdftotext', ['-layout', pdfFile, '-'], { encoding: 'utf8' });
    expect(text).toContain('FAIL');
    expect(text).toContain('final action STOP');
    // The first finding of the first findings table (the worst one) is in the PDF too.
    const worst = /<th scope="row"><a href="[^"]*">([^<]+)<\/a><\/th>/.exec(await readFile(htmlFile, 'utf8'));
    expect(worst?.[1]).toBeDefined();
    expect(text).toContain(worst![1]);
  }, 600_000);

  it('refuses an unknown format and a missing Chromium with exit 1', async () => {
    expect((await report('--policy', 'builtin:allow-all', '--format', 'docx')).code).toBe(1);
    const run = await report(
      '--policy',
      'builtin:allow-all',
      '--format',
      'pdf',
      '--file',
      join(temp, 'x.pdf'),
      '--chromium',
      join(temp, 'no-chromium'),
    );
    expect(run.code).toBe(1);
    expect(run.err).toContain('no Chromium at');
  }, 600_000);
});
