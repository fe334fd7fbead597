import { describe, expect, it } from 'vitest';
import { checkTable } from '../test-support/check-table.js';
import { go, isIncompatible, isPseudoVersion, pseudoVersionTime } from './index.js';
import { GO_TABLE } from './table.js';

checkTable(go, GO_TABLE);

describe('Go pseudo-versions and +incompatible', () => {
  it.each([
    ['v0.0.0-20191109021931-daa7c04131f5', '20191109021931'],
    ['v1.2.4-0.20191109021931-daa7c04131f5', '20191109021931'],
    ['v1.2.4-pre.0.20191109021931-daa7c04131f5', '20191109021931'],
    ['v2.0.1-0.20200101000000-abcdefabcdef+incompatible', '20200101000000'],
  ])('%s is a pseudo-version from %s', (v, time) => {
    expect(isPseudoVersion(v)).toBe(true);
    expect(pseudoVersionTime(v)).toBe(time);
  });

  it.each(['v1.2.3', 'v1.2.3-pre', 'v1.2.3-2019110902193-daa7c04131f5', 'v1.2.3-1.20191109021931-abc'])(
    '%s is not a pseudo-version',
    (v) => {
      expect(isPseudoVersion(v)).toBe(false);
      expect(pseudoVersionTime(v)).toBeUndefined();
    },
  );

  it('recognises +incompatible', () => {
    expect(isIncompatible('v2.0.0+incompatible')).toBe(true);
    expect(isIncompatible('v2.0.0')).toBe(false);
  });
});
