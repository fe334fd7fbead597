import { describe, expect, it } from 'vitest';
import { CONTENT_SEARCH_LIMITS, parseContentSearchRule, searchContent } from './content-search.js';

describe('content search', () => {
  it('reports file, line and rule name for each matching line', () => {
    const rules = [
      parseContentSearchRule('PASSWORD=(?i)passw(or)?d\\s*='),
      parseContentSearchRule('TODO=TODO'),
    ];
    const text = 'user = app\nPassword = hunter2\n# TODO rotate\npasswd=x\n';
    expect(searchContent('/etc/app.conf', Buffer.from(text), rules)).toEqual([
      { path: '/etc/app.conf', rule: 'PASSWORD', line: 2 },
      { path: '/etc/app.conf', rule: 'PASSWORD', line: 4 },
      { path: '/etc/app.conf', rule: 'TODO', line: 3 },
    ]);
  });

  it('runs a catastrophic-backtracking pattern in linear time (RE2 semantics)', () => {
    const rule = parseContentSearchRule('EVIL=(a+)+$');
    const line = 'a'.repeat(5000) + '!';
    // Under a backtracking engine this line would never finish; RE2 answers at once.
    expect(searchContent('/x', Buffer.from(line), [rule])).toEqual([]);
    expect(searchContent('/x', Buffer.from('aaa'), [rule])).toEqual([{ path: '/x', rule: 'EVIL', line: 1 }]);
  });

  it('skips binaries and files over the size cap', () => {
    const rule = parseContentSearchRule('X=x');
    expect(searchContent('/bin/a', Buffer.from([0x78, 0, 0x78]), [rule])).toEqual([]);
    expect(searchContent('/big', Buffer.alloc(CONTENT_SEARCH_LIMITS.maxFileBytes + 1, 0x78), [rule])).toEqual(
      [],
    );
  });

  it('rejects malformed rules with the reason', () => {
    expect(() => parseContentSearchRule('no-equals-sign')).toThrow(/not NAME=regex/);
    expect(() => parseContentSearchRule('BAD=(unclosed')).toThrow(/BAD: invalid regex/);
    expect(() => parseContentSearchRule('LOOKBEHIND=(?<!a)b')).toThrow(/LOOKBEHIND: invalid regex/);
    expect(() => parseContentSearchRule(`LONG=${'a'.repeat(2000)}`)).toThrow(/longer than/);
  });
});
