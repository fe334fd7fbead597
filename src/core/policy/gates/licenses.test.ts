import { describe, expect, it } from 'vitest';
import { fire, makeInput, makePackage } from '../test-support.js';

const input = makeInput({
  packages: [
    makePackage('readline', '8.2-1', 'deb', { licenses: ['GPL-3.0-or-later'] }),
    makePackage('left-pad', '1.3.0', 'npm', { licenses: ['WTFPL'] }),
  ],
});

describe('licenses gate', () => {
  it('blacklist_exact_match fires on an equal license only', () => {
    expect(
      fire(
        { gate: 'licenses', trigger: 'blacklist_exact_match', params: { licenses: 'GPL-3.0-or-later' } },
        input,
      ).map((t) => t.message),
    ).toEqual(['LICENSE (GPL-3.0-or-later) found for package (readline-8.2-1) that is in the blacklist']);
    expect(
      fire({ gate: 'licenses', trigger: 'blacklist_exact_match', params: { licenses: 'GPL-3.0' } }, input),
    ).toEqual([]);
  });
  it('blacklist_partial_match fires on a substring', () => {
    expect(
      fire({ gate: 'licenses', trigger: 'blacklist_partial_match', params: { licenses: 'GPL' } }, input),
    ).toHaveLength(1);
    expect(
      fire({ gate: 'licenses', trigger: 'blacklist_partial_match', params: { licenses: 'MIT,BSD' } }, input),
    ).toEqual([]);
  });
});
