import { describe, expect, it } from 'vitest';
import {
  destinationRepository,
  destinationTags,
  digestTag,
  globMatches,
  matchesRule,
  matchingRules,
} from './match.js';
import { promotionRuleInput, type PromotionRule, type PromotionRuleInput } from './rule.js';
import { nextStep, recheckStep } from './step.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

function rule(over: Partial<PromotionRuleInput> = {}, id = 'r1'): PromotionRule {
  return {
    id,
    ...promotionRuleInput.parse({
      name: 'unscanned to scanned',
      source: { registry: 'registry.example:5000', repository: 'unscanned/**', tag: 'v*' },
      destination: { registry: 'registry.example:5000', repository: 'scanned/{name}' },
      ...over,
    }),
  };
}

describe('globMatches', () => {
  it.each([
    ['unscanned/*', 'unscanned/app', true],
    ['unscanned/*', 'unscanned/team/app', false],
    ['unscanned/**', 'unscanned/team/app', true],
    ['app?', 'app1', true],
    ['app?', 'app', false],
    ['a.b', 'axb', false],
    ['v*', 'v1.2.3', true],
    ['*', 'latest', true],
    ['*', '', true],
    ['', '', true],
    ['', 'a', false],
    ['**', 'a/b/c', true],
    ['a/**/c', 'a/b/x/c', true],
    ['a/**/c', 'a/c', false],
    ['a/*/c', 'a/b/x/c', false],
    ['?/b', '/b', false],
    ['v*-rc?', 'v1.2-rc1', true],
    ['v*-rc?', 'v1.2-rc12', false],
    ['*.*', 'v1', false],
    ['a***', 'a/b', true],
  ])('%s against %s → %s', (glob, text, expected) => {
    expect(globMatches(glob, text)).toBe(expected);
  });

  // Regression: a backtracking regular expression took minutes on this (any account's rule runs
  // on every push); the matcher answers it in glob × text steps, so the test simply completes.
  it('answers a many-star glob against a long tag without backtracking', () => {
    const glob = `${'*a'.repeat(40)}*b`;
    expect(globMatches(glob, 'a'.repeat(128))).toBe(false);
    expect(globMatches(glob, `${'a'.repeat(127)}b`)).toBe(true);
    expect(globMatches(`**${'/*'.repeat(60)}x`, 'a/'.repeat(120) + 'y')).toBe(false);
  });
});

describe('matchesRule', () => {
  const push = {
    registry: 'registry.example:5000',
    repository: 'unscanned/team/app',
    tag: 'v1',
    digest: DIGEST,
  };
  it('takes a tag push under the source glob', () => {
    expect(matchesRule(rule(), push)).toBe(true);
  });
  it.each([
    ['another registry', { ...push, registry: 'other.example' }],
    ['another repository', { ...push, repository: 'scanned/app' }],
    ['a tag outside the pattern', { ...push, tag: 'latest' }],
    ['a push by digest (index children, referrers)', { ...push, tag: undefined }],
  ])('ignores %s', (_what, p) => {
    expect(matchesRule(rule(), p)).toBe(false);
  });
  it('ignores disabled rules; matchingRules keeps a stable order', () => {
    expect(matchesRule(rule({ enabled: false }), push)).toBe(false);
    const rules = [rule({}, 'b'), rule({}, 'a'), rule({ enabled: false }, 'c')];
    expect(matchingRules(rules, push).map((r) => r.id)).toEqual(['a', 'b']);
  });
});

describe('tag mapping', () => {
  it('fills {name} and {repository} in the destination repository', () => {
    expect(destinationRepository(rule(), 'unscanned/team/app')).toBe('scanned/app');
    const whole = rule({ destination: { registry: 'r.example', repository: 'scanned/{repository}' } });
    expect(destinationRepository(whole, 'unscanned/team/app')).toBe('scanned/unscanned/team/app');
  });
  it('gives the same tag, the -scanned tag and the digest tag as asked, digest first', () => {
    expect(destinationTags(rule(), 'v1', DIGEST)).toEqual(['v1']);
    const all = rule({ tags: { same: true, scannedSuffix: true, digest: true } });
    expect(destinationTags(all, 'v1', DIGEST)).toEqual([digestTag(DIGEST), 'v1-scanned', 'v1']);
    expect(digestTag(DIGEST)).toBe(`digest-${'ab'.repeat(32)}`);
  });
  it('rejects rules that do not validate', () => {
    expect(promotionRuleInput.safeParse({ name: 'x', source: {}, destination: {} }).success).toBe(false);
    expect(
      promotionRuleInput.safeParse({
        name: 'x',
        source: { registry: 'Upper.example', repository: 'a' },
        destination: { registry: 'r', repository: 'b' },
      }).success,
    ).toBe(false);
  });
});

describe('next step', () => {
  it('copies on pass and follows onFailure on fail', () => {
    expect(nextStep(rule(), 'pass')).toEqual({ action: 'copy' });
    expect(nextStep(rule(), 'fail')).toEqual({ action: 'notify' });
    expect(nextStep(rule({ onFailure: 'leave' }), 'fail')).toEqual({ action: 'leave' });
    expect(nextStep(rule({ onFailure: 'quarantine', quarantineTag: 'bad' }), 'fail')).toEqual({
      action: 'quarantine',
      tag: 'bad',
      notify: true,
    });
  });
  it('acts on a re-check only when a pass turns into a fail', () => {
    expect(recheckStep(rule(), 'pass', 'fail')).toEqual({ action: 'notify' });
    expect(recheckStep(rule({ onRecheckFailure: 'quarantine' }), 'pass', 'fail')).toEqual({
      action: 'quarantine',
      tag: 'quarantined',
    });
    expect(recheckStep(rule(), 'pass', 'pass')).toEqual({ action: 'none' });
    expect(recheckStep(rule(), 'fail', 'fail')).toEqual({ action: 'none' });
  });
});
