import { describe, expect, it } from 'vitest';
import { isPortcullisError } from '../errors.js';
import { deb } from './deb/index.js';
import { isAffected } from './osv-events.js';
import { semver } from './semver/index.js';

// Cases written from the OSV schema's "Evaluation" section and its examples.
describe('isAffected', () => {
  const twoRanges = [
    { introduced: '1.0.0' },
    { fixed: '1.2.0' },
    { introduced: '2.0.0' },
    { last_affected: '2.3.0' },
  ];

  it.each([
    ['0.9.0', false],
    ['1.0.0', true],
    ['1.1.9', true],
    ['1.2.0', false],
    ['1.9.0', false],
    ['2.0.0', true],
    ['2.3.0', true],
    ['2.3.1', false],
  ])('%s in [1.0.0,1.2.0) ∪ [2.0.0,2.3.0] → %s', (v, expected) => {
    expect(isAffected(semver, v, twoRanges)).toBe(expected);
  });

  it('treats introduced "0" as the beginning and an open range as unbounded', () => {
    expect(isAffected(semver, '0.0.0', [{ introduced: '0' }, { fixed: '1.0.0' }])).toBe(true);
    expect(isAffected(semver, '99.0.0', [{ introduced: '0' }])).toBe(true);
    expect(isAffected(semver, '1.0.0', [])).toBe(false);
  });

  it('applies limit events as an upper cap, and "*" as no cap', () => {
    const events = [{ introduced: '1.0.0' }, { limit: '1.5.0' }];
    expect(isAffected(semver, '1.4.0', events)).toBe(true);
    expect(isAffected(semver, '1.5.0', events)).toBe(false);
    expect(isAffected(semver, '9.0.0', [{ introduced: '1.0.0' }, { limit: '*' }])).toBe(true);
  });

  it('does not depend on the order events are listed in', () => {
    expect(isAffected(semver, '1.1.0', [{ fixed: '1.2.0' }, { introduced: '1.0.0' }])).toBe(true);
  });

  // Events listed in evaluation order are walked where they stand; any other order is sorted
  // first. Every order of the same events must give the same answer, ties included.
  it('gives the same answer for every order of the same events, ties included', () => {
    const permutations = <T>(xs: readonly T[]): T[][] =>
      xs.length <= 1
        ? [[...xs]]
        : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
    const cases: [{ [k: string]: string }[], string[]][] = [
      [
        [{ introduced: '1.0.0' }, { fixed: '1.0.0' }, { introduced: '2.0.0' }, { last_affected: '2.0.0' }],
        ['0.1.0', '1.0.0', '1.5.0', '2.0.0', '2.0.1'],
      ],
      [
        [{ introduced: '0' }, { fixed: '1.2.0' }, { introduced: '1.5.0' }, { fixed: '1.6.0' }],
        ['0.0.0', '1.1.9', '1.2.0', '1.5.0', '1.6.0'],
      ],
    ];
    for (const [events, versions] of cases) {
      for (const version of versions) {
        const answers = new Set(permutations(events).map((order) => isAffected(semver, version, order)));
        expect([version, answers.size]).toEqual([version, 1]);
      }
    }
    expect(isAffected(semver, '1.0.0', [{ introduced: '1.0.0' }, { fixed: '1.0.0' }])).toBe(false);
    expect(isAffected(semver, '2.0.0', [{ introduced: '2.0.0' }, { last_affected: '2.0.0' }])).toBe(true);
    expect(
      isAffected(semver, '1.5.0', [{ fixed: '1.6.0' }, { introduced: '0' }, { introduced: '1.5.0' }]),
    ).toBe(true);
  });

  it('orders events with the scheme (Debian epochs and tildes)', () => {
    const events = [{ introduced: '0' }, { fixed: '1:2.0-1~deb12u1' }];
    expect(isAffected(deb, '1:2.0-0', events)).toBe(true);
    expect(isAffected(deb, '2.0-9', events)).toBe(true);
    expect(isAffected(deb, '1:2.0-1', events)).toBe(false);
  });

  it('rejects an event with no key or two keys, and an invalid version', () => {
    const errorOf = (f: () => unknown): unknown => {
      try {
        f();
      } catch (err) {
        return err;
      }
      return undefined;
    };
    expect(
      isPortcullisError(
        errorOf(() => isAffected(semver, '1.0.0', [{}])),
        'INVALID_RANGE',
      ),
    ).toBe(true);
    expect(
      isPortcullisError(
        errorOf(() => isAffected(semver, '1.0.0', [{ introduced: '1.0.0', fixed: '2.0.0' }])),
        'INVALID_RANGE',
      ),
    ).toBe(true);
    expect(
      isPortcullisError(
        errorOf(() => isAffected(semver, 'nope', [{ introduced: '0' }])),
        'INVALID_VERSION',
      ),
    ).toBe(true);
    expect(
      isPortcullisError(
        errorOf(() => isAffected(semver, '1.0.0', [{ fixed: 'nope' }])),
        'INVALID_VERSION',
      ),
    ).toBe(true);
  });
});
