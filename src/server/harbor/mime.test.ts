import { describe, expect, it } from 'vitest';
import { MIME, reportKind } from './mime.js';

describe('reportKind', () => {
  it.each([
    [undefined, 'native'],
    ['*/*', 'native'],
    [MIME.nativeReport, 'native'],
    ['application/vnd.scanner.adapter.vuln.report.harbor+json;version=1.0', 'native'],
    [MIME.genericReport, 'generic'],
    ['application/vnd.security.vulnerability.report; version=1.1, */*;q=0.1', 'generic'],
    [MIME.sbomReport, 'sbom'],
    ['application/vnd.scanner.adapter.vuln.report.raw', undefined],
    ['application/vnd.security.vulnerability.report; version=9.9', undefined],
  ] as const)('%s → %s', (accept, kind) => expect(reportKind(accept)).toBe(kind));
});
