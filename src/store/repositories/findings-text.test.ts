import { describe, expect, it } from 'vitest';
import { findingTexts, findingsText, storedFindingsText } from './findings-text.js';

const findings = [
  { id: 'CVE-2099-1', summary: 'line one\nline two, with ",\\n" in it', package: { name: 'a' } },
  { id: 'CVE-2099-2', aliases: ['GHSA-1'], note: 'ünïcödé ,\n' },
  { id: 'CVE-2099-3', nested: [{ a: [1, 2] }, {}] },
];

describe('findings text', () => {
  it('is JSON of the list, one finding per line, whose lines read back as each finding', () => {
    const text = findingsText(findings);
    expect(JSON.parse(text)).toEqual(findings);
    expect(text.split('\n')).toHaveLength(findings.length + 2);
    expect(findingTexts(text)).toEqual(findings.map((f) => JSON.stringify(f)));
    expect(findingsText([])).toBe('[]');
    expect(findingTexts('[]')).toEqual([]);
    expect(findingTexts(findingsText([findings[0]]))).toEqual([JSON.stringify(findings[0])]);
  });

  it('writes the texts it is given for the findings it knows, and serializes the others', () => {
    const known = new Map([[findings[1], JSON.stringify(findings[1])]]);
    const text = findingsText(findings, (f) => known.get(f));
    expect(text).toBe(findingsText(findings));
  });

  it('gives no texts for a list stored another way, which is then serialized anew', () => {
    expect(findingTexts(JSON.stringify(findings))).toBeUndefined();
    expect(findingTexts(JSON.stringify(findings, null, 2))).toBeUndefined();
    expect(findingTexts(JSON.stringify(findings, null, '\t'))).toBeUndefined();
    expect(storedFindingsText(findings)).toBe(findingsText(findings));
    expect(storedFindingsText({ not: 'a list' })).toBe('{"not":"a list"}');
  });
});
