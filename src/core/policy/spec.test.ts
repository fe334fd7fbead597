/**
 * Contract test over the gate registry: every gate and trigger the Anchore reference lists is
 * present with its parameters; every declared parameter is documented and its example and
 * default pass its own validator; the generated spec has Anchore's shape.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseParam } from './params.js';
import { EOL_GATES, GATES } from './registry.js';
import { policySpec } from './spec.js';

// Written from the reference (anchore-engine policy language, active gates v1.1.0).
const ANCHORE: Record<string, Record<string, string[]>> = {
  vulnerabilities: {
    package: [
      'package_type',
      'severity_comparison',
      'severity',
      'cvss_v3_base_score_comparison',
      'cvss_v3_base_score',
      'cvss_v3_exploitability_score_comparison',
      'cvss_v3_exploitability_score',
      'cvss_v3_impact_score_comparison',
      'cvss_v3_impact_score',
      'vendor_cvss_v3_base_score_comparison',
      'vendor_cvss_v3_base_score',
      'vendor_cvss_v3_exploitability_score_comparison',
      'vendor_cvss_v3_exploitability_score',
      'vendor_cvss_v3_impact_score_comparison',
      'vendor_cvss_v3_impact_score',
      'fix_available',
      'vendor_only',
      'max_days_since_creation',
      'max_days_since_fix',
      'package_path_exclude',
    ],
    stale_feed_data: ['max_days_since_sync'],
    vulnerability_data_unavailable: [],
    blacklist: ['vulnerability_ids', 'vendor_only'],
  },
  packages: {
    required_package: ['name', 'version', 'version_match_type'],
    verify: ['only_packages', 'only_directories', 'check'],
    blacklist: ['name', 'version'],
  },
  dockerfile: {
    instruction: ['instruction', 'check', 'value', 'actual_dockerfile_only'],
    effective_user: ['users', 'type'],
    exposed_ports: ['ports', 'type', 'actual_dockerfile_only'],
    no_dockerfile_provided: [],
  },
  files: {
    content_regex_match: ['regex_name'],
    name_match: ['regex'],
    attribute_match: [
      'filename',
      'checksum_algorithm',
      'checksum',
      'checksum_match',
      'mode',
      'mode_op',
      'skip_missing',
    ],
    suid_or_guid_set: [],
  },
  passwd_file: {
    content_not_available: [],
    blacklist_usernames: ['user_names'],
    blacklist_userids: ['user_ids'],
    blacklist_groupids: ['group_ids'],
    blacklist_shells: ['shells'],
    blacklist_full_entry: ['entry'],
  },
  retrieved_files: { content_not_available: ['path'], content_regex: ['path', 'regex', 'check'] },
  secret_scans: { content_regex_checks: ['content_regex_name', 'filename_regex', 'match_type'] },
  licenses: { blacklist_exact_match: ['licenses'], blacklist_partial_match: ['licenses'] },
  metadata: { attribute: ['attribute', 'check', 'value'] },
  npms: {
    newer_version_in_feed: [],
    unknown_in_feeds: [],
    version_not_in_feeds: [],
    blacklisted_name_version: ['name', 'version'],
    feed_data_unavailable: [],
  },
  ruby_gems: {
    newer_version_found_in_feed: [],
    not_found_in_feed: [],
    version_not_found_in_feed: [],
    blacklist: ['name', 'version'],
    feed_data_unavailable: [],
  },
  malware: { scans: [], scan_not_run: [] },
  always: { always: [] },
};
const EXTENSIONS = ['kev', 'epss_percentile_comparison', 'epss_percentile', 'origin', 'min_confidence'];

describe('gate registry contract', () => {
  it('has exactly the Anchore gates and triggers, with every Anchore parameter', () => {
    const actual = Object.fromEntries(
      GATES.map((g) => [
        g.name,
        Object.fromEntries(
          g.triggers.map((t) => [t.name, t.params.filter((p) => !p.extension).map((p) => p.name)]),
        ),
      ]),
    );
    expect(actual).toEqual(ANCHORE);
  });

  it('declares our extensions on vulnerabilities/package only', () => {
    const ext = GATES.flatMap((g) =>
      g.triggers.flatMap((t) =>
        t.params.filter((p) => p.extension).map((p) => `${g.name}/${t.name}/${p.name}`),
      ),
    );
    expect(ext).toEqual(EXTENSIONS.map((e) => `vulnerabilities/package/${e}`));
  });

  it.each(GATES.flatMap((g) => g.triggers.map((t) => [g.name, t.name, t] as const)))(
    '%s/%s documents its parameters and examples validate',
    (_g, _t, trigger) => {
      expect(trigger.description.length).toBeGreaterThan(10);
      for (const p of trigger.params) {
        expect(p.description.length, p.name).toBeGreaterThan(5);
        expect(p.example, p.name).toBeDefined();
        expect(parseParam(p, p.example ?? '').ok, `${p.name} example`).toBe(true);
        if (p.default !== undefined) expect(parseParam(p, p.default).ok, `${p.name} default`).toBe(true);
        if (p.required) expect(p.default, `${p.name} is required and has a default`).toBeUndefined();
      }
    },
  );

  it('no end-of-life gate shares a name with an active gate', () => {
    const active = new Set(GATES.map((g) => g.name));
    expect(EOL_GATES.filter((g) => active.has(g.name))).toEqual([]);
    expect(EOL_GATES.every((g) => active.has(g.replacement))).toBe(true);
  });
});

describe('policySpec', () => {
  const spec = policySpec();
  it('lists every gate in the shape of /system/policy_spec', () => {
    expect(spec.map((g) => g.name)).toEqual([...GATES.map((g) => g.name), ...EOL_GATES.map((g) => g.name)]);
    const severity = spec
      .find((g) => g.name === 'vulnerabilities')
      ?.triggers.find((t) => t.name === 'package')
      ?.parameters.find((p) => p.name === 'severity');
    expect(severity).toEqual({
      name: 'severity',
      description: 'Severity to compare against.',
      required: false,
      validator: { type: 'string', enum: ['unknown', 'negligible', 'low', 'medium', 'high', 'critical'] },
      example: 'high',
      state: 'active',
    });
  });
  it('marks end-of-life gates with their replacement', () => {
    expect(spec.find((g) => g.name === 'dockerfilecheck')).toMatchObject({
      state: 'eol',
      superceded_by: 'dockerfile',
    });
  });
  it('matches the golden spec (UPDATE_GOLDEN=1 regenerates; review the diff: it is a public format)', () => {
    const url = new URL('./__golden__/policy-spec.json', import.meta.url);
    const actual = JSON.stringify(spec, null, 2) + '\n';
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(url)) writeFileSync(url, actual);
    expect(actual).toBe(readFileSync(url, 'utf8'));
  });
  it('marks extensions', () => {
    const kev = spec
      .find((g) => g.name === 'vulnerabilities')
      ?.triggers[0]?.parameters.find((p) => p.name === 'kev');
    expect(kev).toMatchObject({ extension: true, validator: { type: 'boolean' } });
  });
});
