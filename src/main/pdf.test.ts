/**
 * The report in a real Chromium (Debian's package): axe-core finds no serious or critical
 * accessibility violation, the printed PDF is a valid PDF (pdfinfo) whose text (pdftotext)
 * holds the verdict and the top findings, and a missing browser is a clear, coded error.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../core/report/html/report-page.js';
import { sampleReportInput } from '../core/report/html/test-support/sample-report.js';
import { CHROMIUM_ARGS, DEFAULT_CHROMIUM, printPdf } from './pdf.js';

const page = renderHtmlReport(sampleReportInput());

interface AxeResult {
  violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
  passes: unknown[];
}

describe('the HTML report in Chromium', () => {
  let browser: Browser;
  let temp: string;
  beforeAll(async () => {
    temp = await mkdtemp(join(tmpdir(), 'pc-pdf-test-'));
    browser = await chromium.launch({ executablePath: DEFAULT_CHROMIUM, args: [...CHROMIUM_ARGS] });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await rm(temp, { recursive: true, force: true });
  });

  it('has no serious or critical axe-core violation', async () => {
    const tab = await browser.newPage();
    await tab.setContent(page, { waitUntil: 'load' });
    await tab.addScriptTag({ path: createRequire(import.meta.url).resolve('axe-core/axe.min.js') });
    const result = (await tab.evaluate('axe.run(document, { resultTypes: ["violations"] })')) as AxeResult;
    const serious = result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    expect(serious).toEqual([]);
    expect(result.passes.length).toBeGreaterThan(0);
    await tab.close();
  }, 120_000);

  it('prints a valid PDF whose text holds the verdict and the top findings', async () => {
    const pdf = await printPdf(page, { tempDir: temp });
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const file = join(temp, 'report.pdf');
    await writeFile(file, pdf);
    expect(execFileSync('pdfinfo', [file], { encoding: 'utf8' })).toMatch(/Pages:\s+[1-9]/);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    expect(text).toContain('FAIL');
    expect(text).toContain('final action STOP');
    for (const id of ['CVE-2024-0001', 'GHSA-aaaa-bbbb-cccc', 'CVE-2024-0002']) expect(text).toContain(id);
    expect(text).toContain('openssl');
    // The throwaway profile is gone.
    expect((await readdir(temp)).filter((n) => n.startsWith('portcullis-pdf-'))).toEqual([]);
  }, 120_000);

  it('refuses with a coded error naming the path when Chromium is missing', async () => {
    await expect(printPdf(page, { executablePath: join(temp, 'no-chromium') })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('no Chromium at'),
    });
  });
});
