import { describe, expect, it } from 'vitest';
import { escapeHtml, html, safeUrl, trusted } from './template.js';

describe('html templates', () => {
  it('escapes every interpolated string, in bodies and attributes', () => {
    const name = '<script>alert("x")</script>';
    const out = html`<td title="${name}">${name}</td>`.toString();
    expect(out).toBe(
      '<td title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</td>',
    );
  });

  it('embeds nested fragments once, without escaping them twice', () => {
    const rows = ['a&b', 'c'].map((cell) => html`<li>${cell}</li>`);
    // prettier-ignore
    const list = html`<ul>${rows}</ul>`;
    expect(list.toString()).toBe('<ul><li>a&amp;b</li><li>c</li></ul>');
  });

  it('renders nothing for null, undefined and false, and numbers as text', () => {
    expect(html`${null}${undefined}${false}${0}${true}`.toString()).toBe('0true');
  });

  it('passes trusted markup through and escapes quotes of every kind', () => {
    expect(html`${trusted('<b>x</b>')}`.toString()).toBe('<b>x</b>');
    expect(escapeHtml(`'\`"`)).toBe('&#39;&#96;&quot;');
  });

  it('lets only http(s), relative and fragment URLs through', () => {
    expect(safeUrl('https://nvd.nist.gov/vuln/detail/CVE-2024-3094')).toBe(
      'https://nvd.nist.gov/vuln/detail/CVE-2024-3094',
    );
    expect(safeUrl('/v1/images?x=1')).toBe('/v1/images?x=1');
    expect(safeUrl('javascript:alert(1)')).toBe('#');
    expect(safeUrl(' JaVaScRiPt:alert(1)')).toBe('#');
    expect(safeUrl('//evil.example/x')).toBe('#');
    expect(safeUrl('data:text/html,<b>')).toBe('#');
  });
});
