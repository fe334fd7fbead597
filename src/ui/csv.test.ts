import { describe, expect, it } from 'vitest';
import { csvCell, toCsv } from './csv.js';

describe('CSV export', () => {
  it('quotes cells with commas, quotes and line breaks (RFC 4180) and ends rows with CRLF', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['x,y', 'say "hi"'],
          ['line\nbreak', 'plain'],
        ],
      ),
    ).toBe('a,b\r\n"x,y","say ""hi"""\r\n"line\nbreak",plain\r\n');
  });

  it('defuses cells a spreadsheet would run as a formula', () => {
    expect(['=1+2', '+cmd', '-2+3', '@SUM(A1)'].map(csvCell)).toEqual([
      "'=1+2",
      "'+cmd",
      "'-2+3",
      "'@SUM(A1)",
    ]);
    expect(csvCell('CVE-2024-1')).toBe('CVE-2024-1');
  });
});
