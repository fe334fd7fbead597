/**
 * Contract test: every registered driver, run through syncFeed on the shared mirror, yields
 * well-formed records and an honest report. Also prints the time of a full read of all data.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import { DEFAULT_UPSTREAM_OPTIONS } from '../feed.js';
import type { FeedRecord } from '../model.js';
import { syncFeed, type SyncResult } from '../sync.js';
import { DATA_DIR } from '../test-support/feed-data.js';
import { FEED_DRIVERS, feedDriver } from './registry.js';

/**
 * Sources the shared snapshot does not carry (no network reaches them when it was taken) run on
 * their drivers' own fixture mirrors, reduced reconstructions of the upstream files.
 */
const FIXTURE_MIRRORS: Readonly<Record<string, string>> = {
  'redhat-csaf': join(dirname(fileURLToPath(import.meta.url)), 'redhat-csaf', '__fixtures__'),
  'amazon-alas': join(dirname(fileURLToPath(import.meta.url)), 'amazon-alas', '__fixtures__'),
};

function mirrorFor(driver: { id: string; mirrorSubdir: string }): string {
  if (existsSync(join(DATA_DIR, driver.mirrorSubdir))) return DATA_DIR;
  const fixture = FIXTURE_MIRRORS[driver.id];
  expect(fixture, `${driver.id} has neither shared data nor a fixture mirror`).toBeDefined();
  return fixture as string;
}

const SCHEMES = new Set(['deb', 'apk', 'semver', 'pep440', 'maven', 'gem', 'go', 'composer', 'rpm']);

function checkRecord(record: FeedRecord): void {
  switch (record.kind) {
    case 'advisory': {
      const a = record.advisory;
      expect(a.id.length).toBeGreaterThan(0);
      expect(a.aliases).not.toContain(a.id);
      expect(a.namespace).toMatch(
        /^(osv:[A-Za-z.]+|debian:(\d+|unstable)|alpine:\d+\.\d+|ubuntu:[\d.]+|almalinux:\d+|rocky:\d+|redhat:\d+|amzn:(1|2|2023)|sles:\d+(\.\d+)?|opensuse-leap:\d+\.\d+|(opensuse-tumbleweed|wolfi|chainguard):rolling)$/,
      );
      expect(SCHEMES.has(a.versionScheme)).toBe(true);
      for (const range of a.ranges) {
        for (const event of range.events) expect(Object.keys(event)).toHaveLength(1);
      }
      expect(['fixed', 'not-fixed', 'wont-fix', 'unknown']).toContain(a.fixState);
      expect(a.source.driver.length).toBeGreaterThan(0);
      break;
    }
    case 'cvss':
      expect(record.cvss.cve).toMatch(/^CVE-\d{4}-\d+$/);
      expect(record.cvss.baseScore).toBeGreaterThanOrEqual(0);
      expect(record.cvss.baseScore).toBeLessThanOrEqual(10);
      break;
    case 'epss':
      expect(record.epss.epss).toBeLessThanOrEqual(1);
      break;
    default:
      expect(JSON.parse(JSON.stringify(record))).toEqual(record);
  }
}

describe('feed driver registry', () => {
  it('lists each driver once, with unique ids and https upstreams', () => {
    const ids = FEED_DRIVERS.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual([
      'alpine-secdb',
      'amazon-alas',
      'debian-tracker',
      'epss',
      'kev',
      'nvd',
      'osv',
      'redhat-csaf',
      'vulnrichment',
    ]);
    for (const driver of FEED_DRIVERS) {
      expect(feedDriver(driver.id)).toBe(driver);
      expect(driver.version).toBeGreaterThanOrEqual(1);
      for (const file of driver.upstream(DEFAULT_UPSTREAM_OPTIONS)) {
        expect(new URL(file.url).protocol).toBe('https:');
        expect(file.path).not.toMatch(/^\/|\.\./);
      }
    }
  });

  it('every driver reads the mirror, emits valid records and reports freshness (full read timed)', async () => {
    const results: SyncResult[] = [];
    const started = performance.now();
    for (const driver of FEED_DRIVERS) {
      let sampled = 0;
      const result = await syncFeed(driver, { mode: { mirrorDir: mirrorFor(driver) } }, (record) => {
        // Checking every record through expect() would dominate the time being measured.
        if (sampled++ % 50 === 0) checkRecord(record);
      });
      results.push(result);
      expect(result.report?.records).toBe(sampled);
      expect(result.freshness.records).toBe(sampled);
      expect(result.freshness.records).toBeGreaterThan(0);
      expect(result.freshness.sourceVersion.length).toBeGreaterThan(0);
      expect(Number.isNaN(Date.parse(result.freshness.lastSync))).toBe(false);
    }
    const total = Math.round(performance.now() - started);
    const lines = results.map(
      (r) =>
        `  ${r.freshness.driver.padEnd(15)} ${String(r.report?.entries).padStart(7)} entries ${String(r.freshness.records).padStart(7)} records ${String(r.report?.durationMs).padStart(6)} ms  skipped ${JSON.stringify(r.report?.skippedByReason)}  version ${r.freshness.sourceVersion}`,
    );
    console.log(`full read of ${DATA_DIR}: ${total} ms\n${lines.join('\n')}`);
  });
});
