import { describe, expect, it } from 'vitest';
import type { ArchiveRule } from '../store/repositories/archive-rules.js';
import { decideTransitions, selectorMatches, type RuleCandidate } from './rules.js';

const NOW = new Date('2026-06-01T00:00:00Z');
const daysAgo = (n: number) => new Date(NOW.getTime() - n * 86_400_000);
const ALL = { registry: '*', repository: '*', tag: '*' };

const rule = (over: Partial<ArchiveRule>): ArchiveRule => ({
  ruleId: 'r',
  accountName: 'a',
  systemGlobal: false,
  transition: 'archive',
  analysisAgeDays: 0,
  tagVersionsNewer: 0,
  selector: ALL,
  exclude: null,
  maxImagesPerAccount: null,
  createdAt: NOW,
  lastUpdated: NOW,
  ...over,
});

const image = (d: string, age: number, ...tags: [string, string, number][]): RuleCandidate => ({
  imageDigest: d,
  analyzedAt: daysAgo(age),
  tags: tags.map(([repo, tag, detected]) => ({
    registry: 'r.example',
    repo,
    tag,
    tagDetectedAt: daysAgo(detected),
  })),
});

describe('archive rule selection', () => {
  it('globs registry, repository and tag', () => {
    const t = { registry: 'r.example', repo: 'team/app', tag: 'v1.2' };
    expect(selectorMatches({ registry: '*', repository: 'team/*', tag: 'v1.*' }, t)).toBe(true);
    expect(selectorMatches({ registry: 'r.example', repository: 'team', tag: '*' }, t)).toBe(false);
    expect(selectorMatches({ registry: '*', repository: '*', tag: 'v1?2' }, t)).toBe(false);
  });

  it('needs every tag of an image matched, enough newer versions and enough age', () => {
    const working = [
      image('old', 50, ['app', 'v1', 50]),
      image('mid', 40, ['app', 'v1', 40]),
      image('new', 10, ['app', 'v1', 10]),
      image('two-tags', 50, ['app', 'v0', 50], ['app', 'stable', 50]),
    ];
    const decided = decideTransitions([rule({ analysisAgeDays: 30, tagVersionsNewer: 1 })], working, [], NOW);
    // 'two-tags' has no newer image under either tag; 'new' is young and newest.
    expect(decided.map((d) => d.imageDigest)).toEqual(['old', 'mid']);
    const two = decideTransitions([rule({ analysisAgeDays: 30, tagVersionsNewer: 2 })], working, [], NOW);
    expect(two.map((d) => d.imageDigest)).toEqual(['old']);
  });

  it('keeps excluded images until the exclusion expires', () => {
    const working = [image('kept', 50, ['app', 'keep', 50]), image('other', 50, ['app', 'x', 50])];
    const exclude = (expirationDays: number) => ({ selector: { ...ALL, tag: 'keep' }, expirationDays });
    expect(
      decideTransitions([rule({ exclude: exclude(-1) })], working, [], NOW).map((d) => d.imageDigest),
    ).toEqual(['other']);
    expect(decideTransitions([rule({ exclude: exclude(60) })], working, [], NOW)).toHaveLength(1);
    expect(decideTransitions([rule({ exclude: exclude(30) })], working, [], NOW)).toHaveLength(2);
  });

  it('applies delete rules to the archive and count rules to the oldest of the working set', () => {
    const working = [
      image('w1', 30, ['a', '1', 30]),
      image('w2', 20, ['a', '2', 20]),
      image('w3', 10, ['a', '3', 10]),
    ];
    const archived = [image('z1', 400, ['a', 'z', 400])];
    const decided = decideTransitions(
      [
        rule({ transition: 'delete', analysisAgeDays: 365 }),
        rule({ ruleId: 'max', maxImagesPerAccount: 2, systemGlobal: true }),
      ],
      working,
      archived,
      NOW,
    );
    expect(decided).toEqual([
      { imageDigest: 'w1', ruleId: 'max', transition: 'archive', from: 'working' },
      { imageDigest: 'z1', ruleId: 'r', transition: 'delete', from: 'archive' },
    ]);
  });
});
