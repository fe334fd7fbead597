import { describe, expect, it } from 'vitest';
import { isPortcullisError } from '../../errors.js';
import { checkTable } from '../test-support/check-table.js';
import { semver } from './index.js';
import { SEMVER_TABLE } from './table.js';

checkTable(semver, SEMVER_TABLE);

// npm's documented range semantics (docs of node-semver, "Ranges").
describe('semver ranges', () => {
  it.each([
    ['1.2.3', '^1.0.0', true],
    ['2.0.0', '^1.0.0', false],
    ['0.2.5', '^0.2.3', true],
    ['0.3.0', '^0.2.3', false],
    ['1.2.9', '~1.2.3', true],
    ['1.3.0', '~1.2.3', false],
    ['1.5.0', '1.2.3 - 2.3.4', true],
    ['2.3.5', '1.2.3 - 2.3.4', false],
    ['3.1.0', '<1.0.0 || >=3.0.0', true],
    ['1.2.4-beta.1', '>=1.2.3', false], // prereleases only match a comparator on the same tuple
    ['1.2.3-beta.2', '>=1.2.3-beta.1', true],
    ['1.9.9', '1.x', true],
  ])('%s satisfies %s: %s', (version, range, expected) => {
    expect(semver.satisfies?.(version, range)).toBe(expected);
  });

  it('rejects a bad range and a bad version with coded errors', () => {
    expect(() => semver.satisfies?.('1.0.0', '>=>1')).toThrow(/semver range ">=>1" is invalid/);
    try {
      semver.satisfies?.('1.0', '^1.0.0');
    } catch (err) {
      expect(isPortcullisError(err, 'INVALID_VERSION')).toBe(true);
      return;
    }
    expect.unreachable();
  });
});
