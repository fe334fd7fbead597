import { describe, expect, it } from 'vitest';
import type { PackageFeed } from '../input.js';
import { fire, makeInput, makePackage } from '../test-support.js';

const feed = (data: Record<string, { latest: string; versions: string[] }>): PackageFeed => ({
  lookup: (name) => data[name],
});
const packages = [
  makePackage('express', '4.17.0', 'npm'),
  makePackage('crossenv', '1.0.0', 'npm'),
  makePackage('rails', '7.0.0', 'gem'),
  makePackage('time_diff', '0.2.9', 'gem'),
];
const npmFeed = feed({
  express: { latest: '4.21.2', versions: ['4.17.0', '4.21.2'] },
  crossenv: { latest: '1.0.0', versions: ['0.9.0'] },
});
const gemFeed = feed({ rails: { latest: '7.0.0', versions: ['7.0.0'] } });
const withFeeds = makeInput({ packages, packageFeeds: { npm: npmFeed, gem: gemFeed } });
const noFeeds = makeInput({ packages });
const names = (gate: string, trigger: string, input = withFeeds, params: Record<string, string> = {}) =>
  fire({ gate, trigger, params }, input).map((t) => t.package?.name ?? t.message);

describe('npms gate', () => {
  it('feed_data_unavailable fires only without a package-metadata feed', () => {
    expect(names('npms', 'feed_data_unavailable', noFeeds)).toEqual([
      'NPM package-metadata feed data is not available',
    ]);
    expect(names('npms', 'feed_data_unavailable')).toEqual([]);
  });
  it('newer_version_in_feed / unknown_in_feeds / version_not_in_feeds', () => {
    expect(names('npms', 'newer_version_in_feed')).toEqual(['express']);
    expect(names('npms', 'version_not_in_feeds')).toEqual(['crossenv']);
    expect(
      names('npms', 'unknown_in_feeds', makeInput({ packages, packageFeeds: { npm: feed({}) } })),
    ).toEqual(['express', 'crossenv']);
    expect(names('npms', 'unknown_in_feeds')).toEqual([]);
  });
  it('feed triggers stay silent without a feed', () => {
    expect(names('npms', 'newer_version_in_feed', noFeeds)).toEqual([]);
    expect(names('npms', 'unknown_in_feeds', noFeeds)).toEqual([]);
  });
  it('blacklisted_name_version works without a feed', () => {
    expect(names('npms', 'blacklisted_name_version', noFeeds, { name: 'crossenv' })).toEqual(['crossenv']);
    expect(
      names('npms', 'blacklisted_name_version', noFeeds, { name: 'crossenv', version: '2.0.0' }),
    ).toEqual([]);
  });
});

describe('ruby_gems gate', () => {
  it('feed triggers', () => {
    expect(names('ruby_gems', 'not_found_in_feed')).toEqual(['time_diff']);
    expect(names('ruby_gems', 'newer_version_found_in_feed')).toEqual([]);
    expect(names('ruby_gems', 'version_not_found_in_feed')).toEqual([]);
    expect(
      names(
        'ruby_gems',
        'newer_version_found_in_feed',
        makeInput({
          packages,
          packageFeeds: { gem: feed({ rails: { latest: '7.1.0', versions: ['7.0.0', '7.1.0'] } }) },
        }),
      ),
    ).toEqual(['rails']);
    expect(
      names(
        'ruby_gems',
        'version_not_found_in_feed',
        makeInput({
          packages,
          packageFeeds: { gem: feed({ rails: { latest: '7.1.0', versions: ['7.1.0'] } }) },
        }),
      ),
    ).toEqual(['rails']);
    expect(names('ruby_gems', 'feed_data_unavailable', noFeeds)).toHaveLength(1);
    expect(names('ruby_gems', 'feed_data_unavailable')).toEqual([]);
  });
  it('blacklist', () => {
    expect(names('ruby_gems', 'blacklist', noFeeds, { name: 'time_diff', version: '0.2.9' })).toEqual([
      'time_diff',
    ]);
    expect(names('ruby_gems', 'blacklist', noFeeds, { name: 'express' })).toEqual([]);
  });
});
