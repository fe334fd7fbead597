import { describe, expect, it } from 'vitest';
import { checkTable } from '../test-support/check-table.js';
import { gem } from './index.js';
import { GEM_TABLE } from './table.js';

checkTable(gem, GEM_TABLE);

// Gem::Requirement documentation ("~> 2.2 is >= 2.2, < 3.0" etc.).
describe('gem requirements', () => {
  it.each([
    ['2.2', '~> 2.2', true],
    ['2.9.9', '~> 2.2', true],
    ['3.0', '~> 2.2', false],
    ['2.2.9', '~> 2.2.0', true],
    ['2.3.0', '~> 2.2.0', false],
    ['3.0.0.rc1', '~> 2.2', false], // ~> compares the release (3.0.0) against the bump (3)
    ['2.9.rc1', '~> 2.2', true],
    ['2.1', '~> 2.2', false],
    ['1.5', '>= 1.0, < 2.0', true],
    ['2.0', '>= 1.0, < 2.0', false],
    ['1.5', '!= 1.5', false],
    ['1.5.0', '1.5', true],
    ['1.5', '= 1.5.0', true],
  ])('%s satisfies %j: %s', (version, range, expected) => {
    expect(gem.satisfies?.(version, range)).toBe(expected);
  });

  it.each(['', '>', '~>', '>> 1', '>= 1, ', 'a b', '=< 1'])('rejects %j', (range) => {
    expect(() => gem.satisfies?.('1.0', range)).toThrow(/gem range .* is invalid/);
  });
});
