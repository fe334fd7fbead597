import { describe, expect, it } from 'vitest';
import { checkTable } from '../test-support/check-table.js';
import { pep440 } from './index.js';
import { PEP440_TABLE } from './table.js';

checkTable(pep440, PEP440_TABLE);

// PEP 440 "Version specifiers", including its own examples.
describe('pep440 specifiers', () => {
  it.each([
    ['2.2.5', '~=2.2', true],
    ['3.0', '~=2.2', false],
    ['1.4.9', '~=1.4.5', true],
    ['1.5.0', '~=1.4.5', false],
    ['1.4.5a5', '~=1.4.5a4', true],
    ['2.2.post3', '~=2.2.post3', true],
    ['1.1.0', '==1.1.*', true],
    ['1.10', '==1.1.*', false],
    ['1.1', '==1.1.0', true],
    ['1.1+local.7', '==1.1', true], // no local label in the specifier: locals ignored
    ['1.1+local.7', '==1.1+local.8', false],
    ['1.1.post1', '!=1.1', true],
    ['1.1.1', '!=1.1.*', false],
    ['3.1.dev0', '<3.1', false], // pre-releases of the bound itself are excluded
    ['3.0.dev0', '<3.1', false], // and pre-releases in general unless a specifier names one
    ['3.0.dev0', '<3.1,>=3.0.dev0', true],
    ['3.1.post1', '>3.1', false],
    ['3.1+local', '>3.1', false],
    ['3.2', '>3.1', true],
    ['1.0', '===1.0', true],
    ['1.0.0', '===1.0', false],
    ['2.0', '>=1.0, <2.0', false],
    ['1.5', '', true],
  ])('%s in %j: %s', (version, range, expected) => {
    expect(pep440.satisfies?.(version, range)).toBe(expected);
  });

  it.each(['>=', '~=1', '==1.0.*.*', '=>1.0', '>=1.0+local', 'abc', '<1.*'])(
    'rejects the specifier %j',
    (range) => {
      expect(() => pep440.satisfies?.('1.0', range)).toThrow(/pep440 range .* is invalid/);
    },
  );
});
