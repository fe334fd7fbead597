/**
 * JUnit XML for CI dashboards: one testcase per finding; a finding at or above `--fail-on` (and
 * not suppressed) is a failure, a suppressed one is skipped, the rest pass.
 */
import type { Finding } from '../matching/types.js';
import { atOrAbove } from './severity-gate.js';
import type { RenderInput } from './types.js';
import { dataNotice } from './data-notice.js';

/** XML 1.0 cannot carry most control characters even escaped: drop them, escape the rest. */
function xml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function testcase(f: Finding, failing: boolean): string {
  const name = `${f.id} ${f.package.name}@${f.package.version}`;
  const open = `    <testcase classname="${xml(`${f.package.type}.${f.package.name}`)}" name="${xml(name)}">`;
  if (f.suppressed) {
    return `${open}\n      <skipped message="${xml(`suppressed by ${f.suppressed.by}: ${f.suppressed.reason}`)}"/>\n    </testcase>`;
  }
  if (!failing) return `${open}</testcase>`;
  const detail = [
    `${f.severity} ${f.id}${f.aliases.length ? ` (${f.aliases.join(', ')})` : ''}`,
    `package: ${f.package.purl}${f.package.path ? ` at ${f.package.path}` : ''}`,
    `fix: ${f.fixState}${f.fixedVersions.length ? ` (${f.fixedVersions.join(', ')})` : ''}`,
    ...(f.summary ? [f.summary] : []),
  ].join('\n');
  return `${open}\n      <failure type="${xml(f.severity)}" message="${xml(`${f.severity} vulnerability ${f.id}`)}">${xml(detail)}</failure>\n    </testcase>`;
}

export function renderJunit({ report }: RenderInput): string {
  const failOn = report.failOn;
  const failing = (f: Finding): boolean => failOn !== undefined && !f.suppressed && atOrAbove(f, failOn);
  const tests = report.findings.length;
  const failures = report.findings.filter(failing).length;
  const skipped = report.findings.filter((f) => f.suppressed).length;
  const suite = `portcullis scan ${report.source.input}`;
  const notice = dataNotice(report);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="portcullis" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}">`,
    `  <testsuite name="${xml(suite)}" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}" timestamp="${xml(report.createdAt)}">`,
    ...(notice
      ? [
          '    <properties>',
          `      <property name="portcullis.vulnerability-data" value="${xml(notice)}"/>`,
          '    </properties>',
        ]
      : []),
    ...report.findings.map((f) => testcase(f, failing(f))),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
