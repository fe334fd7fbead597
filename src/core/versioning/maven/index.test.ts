import { describe, expect, it } from 'vitest';
import { checkTable } from '../test-support/check-table.js';
import { maven } from './index.js';
import { MAVEN_TABLE } from './table.js';

checkTable(maven, MAVEN_TABLE);

// POM reference, "Dependency Version Requirement Specification".
describe('maven ranges', () => {
  it.each([
    ['1.0', '[1.0]', true],
    ['1.0.0', '[1.0]', true],
    ['1.1', '[1.0]', false],
    ['1.0', '(,1.0]', true],
    ['1.0.1', '(,1.0]', false],
    ['1.0', '[1.0,2.0)', true],
    ['2.0', '[1.0,2.0)', false],
    ['2.0-SNAPSHOT', '[1.0,2.0)', true],
    ['1.0', '(1.0,2.0]', false],
    ['5.0', '[1.5,)', true],
    ['1.1', '(,1.0],[1.2,)', false],
    ['1.3', '(,1.0],[1.2,)', true],
    ['1.0', '1.0', true],
    ['1.1', '1.0', false],
  ])('%s in %s: %s', (version, range, expected) => {
    expect(maven.satisfies?.(version, range)).toBe(expected);
  });

  // "1.0]" is no longer here: without an opening bracket it is a bare version, which
  // ComparableVersion (and VersionRange) take as one.
  it.each(['[1.0', '[2.0,1.0]', '(1.0)', '[1.0,2.0,3.0]', '[1.0],x', '[1.0]]', '[ ,#]', ''])(
    'rejects %j',
    (range) => {
      expect(() => maven.satisfies?.('1.0', range)).toThrow(/maven range .* is invalid/);
    },
  );
});
