import { describe, expect, it } from 'vitest';
import { checkTable } from '../test-support/check-table.js';
import { composer } from './index.js';
import { normalizeComposer } from './normalize.js';
import { COMPOSER_TABLE } from './table.js';

checkTable(composer, COMPOSER_TABLE);

describe('composer normalization', () => {
  it.each([
    ['1.0', '1.0.0.0'],
    ['v2.3.4', '2.3.4.0'],
    ['1.0.0-b2', '1.0.0.0-beta2'],
    ['1.0-RC.3', '1.0.0.0-RC3'],
    ['1.2.3-pl1', '1.2.3.0-patch1'],
    ['1.0.0-dev', '1.0.0.0-dev'],
    ['2010-01-02', '2010.01.02'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeComposer(input)).toBe(expected);
  });
});

// getcomposer.org "Versions and constraints", section by section.
describe('composer constraints', () => {
  it.each([
    ['1.2.3', '^1.2.3', true],
    ['2.0.0', '^1.2.3', false],
    ['0.3.9', '^0.3', true],
    ['0.4.0', '^0.3', false],
    ['1.2.9', '~1.2.3', true],
    ['1.3.0', '~1.2.3', false],
    ['1.9.0', '~1.2', true],
    ['2.0.0', '~1.2', false],
    ['1.0.5', '1.0.*', true],
    ['1.1.0', '1.0.*', false],
    ['1.5.0', '1.0 - 2.0', true],
    ['2.0.5', '1.0 - 2.0', true], // a partial upper bound means < 2.1
    ['2.1.0', '1.0 - 2.0', false],
    ['1.5.0', '>=1.0 <2.0', true],
    ['1.1.5', '>=1.0,<1.1 || >=1.2', false],
    ['1.3.0', '>=1.0,<1.1 || >=1.2', true],
    ['2.0.0-beta1', '>=1.0 <2.0', false], // <2.0 means <2.0.0.0-dev: no pre-release of 2.0 gets in
    ['1.0.0-beta1', '>=1.0', true],
    ['1.0.0-beta1', '>=1.0@stable', true],
    ['1.0.1', '!=1.0.0', true],
    ['9.9.9', '*', true],
  ])('%s in %j: %s', (version, range, expected) => {
    expect(composer.satisfies?.(version, range)).toBe(expected);
  });

  it('rejects a long pathological constraint (regression: exponential backtracking in the modifier pattern)', () => {
    expect(() => composer.satisfies?.('1.0.0', `>=1.0-beta${'1'.repeat(3000)}x`)).toThrow(/composer range/);
  });

  it.each(['', '~>1.0', 'dev-main', '>=', 'abc', '1.0 as 2.0', '1.0#abc'])('rejects %j', (range) => {
    expect(() => composer.satisfies?.('1.0.0', range)).toThrow(/composer range .* is invalid/);
  });
});
