/**
 * The HTML report: golden file (time redacted; `UPDATE_GOLDEN=1 npx vitest run
 * src/core/report/html/report-page.test.ts` regenerates it, review the diff), html-validate's
 * recommended rules, escaping of hostile package names and messages, and the order of sections.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { HtmlValidate } from 'html-validate';
import { describe, expect, it } from 'vitest';
import { renderHtmlReport } from './report-page.js';
import { HOSTILE, sampleReportInput } from './test-support/sample-report.js';

const GOLDEN = new URL('./__golden__/report.html', import.meta.url);

const redact = (text: string) => text.replaceAll('2026-12-06T10:00:00.000Z', '<generated-at>');

describe('renderHtmlReport', () => {
  const page = renderHtmlReport(sampleReportInput());

  it('matches the golden page (UPDATE_GOLDEN=1 regenerates)', () => {
    const actual = redact(page);
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(GOLDEN)) writeFileSync(GOLDEN, actual);
    expect(actual).toBe(readFileSync(GOLDEN, 'utf8'));
  });

  it('passes html-validate (recommended rules)', async () => {
    const validator = new HtmlValidate({
      extends: ['html-validate:recommended'],
      // Prettier writes void elements self-closed (<meta />); both forms are valid HTML.
      rules: { 'void-style': ['error', { style: 'selfclose' }] },
    });
    const report = await validator.validateString(page);
    expect(report.results.flatMap((r) => r.messages.map((m) => `${m.ruleId}: ${m.message}`))).toEqual([]);
    expect(report.valid).toBe(true);
  });

  it('escapes every value from the image and the advisories', () => {
    expect(page).not.toContain(HOSTILE);
    expect(page).not.toContain('<script');
    expect(page).toContain('left-pad&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39; é');
  });

  it('is self-contained: no script, no external stylesheet, image or font', () => {
    expect(page).not.toMatch(/<(script|link|img|iframe|object)\b/i);
    expect(page).not.toMatch(/\b(src|srcset)=/i);
    expect(page).toContain('<style>');
  });

  it('leads with the verdict and counts, then layers, packages, policy reasons, suppressed findings', () => {
    const at = (text: string) => page.indexOf(text);
    expect(at('verdict-fail')).toBeGreaterThan(0);
    const order = [
      'verdict-fail',
      'id="summary"',
      'Findings by severity',
      'id="kev"',
      'id="epss"',
      'id="by-layer"',
      'id="by-package"',
      'id="policy"',
      'id="suppressed"',
    ].map(at);
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // Base image before the application in the layer view; the suppressed one only at the end.
    expect(at('<h3>Base image (3)</h3>')).toBeLessThan(at('<h3>Application (1)</h3>'));
    expect(page.lastIndexOf('CVE-2022-0004')).toBeGreaterThan(at('id="suppressed"'));
    expect(page.indexOf('CVE-2022-0004')).toBeGreaterThan(at('id="suppressed"'));
  });

  it('counts fixable findings by severity and shows the team label', () => {
    const flat = page.replace(/\s+/g, ' ').replace(/> </g, '><');
    expect(flat).toMatch(
      /sev-critical">Critical<\/span><\/th><td class="num">1<\/td><td class="num">1<\/td>/,
    );
    expect(flat).toMatch(/<th scope="row">Total<\/th><td class="num">5<\/td><td class="num">2<\/td>/);
    expect(flat).toContain('<dt>Team</dt><dd>payments&lt;script&gt;');
  });

  it('renders an image without findings or fired rules', () => {
    const input = sampleReportInput();
    const empty = renderHtmlReport({
      ...input,
      findings: [],
      decision: { ...input.decision, triggers: [], status: 'pass', finalAction: 'GO' },
    });
    expect(empty).toContain('verdict-pass');
    expect(empty).toContain('No policy rule fired.');
    expect(empty).toContain('Findings listed in the KEV catalog: none.');
  });
});
