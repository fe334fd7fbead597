import { describe, expect, it } from 'vitest';
import { isPortcullisError } from '../errors.js';
import { bundleDoc } from './test-support.js';
import { loadBundle, validateBundle, validateBundleText, type BundleIssue } from './validate.js';

function errorsOf(doc: unknown): BundleIssue[] {
  const result = validateBundle(doc);
  if (result.ok) throw new Error('expected the bundle to be invalid');
  return result.errors;
}

const rule = (gate: string, trigger: string, params: Record<string, string> = {}, action = 'STOP') => ({
  gate,
  trigger,
  action,
  params,
});

describe('validateBundle: bad bundles give every error with its JSON path', () => {
  it('malformed JSON', () => {
    const result = validateBundleText('{"id": "x", ');
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.errors).toEqual([{ path: '$', message: expect.stringMatching(/^malformed JSON: /) }]);
  });

  it('not an object, and an empty object', () => {
    expect(errorsOf([])).toEqual([{ path: '$', message: 'a policy bundle must be a JSON object' }]);
    expect(errorsOf({}).map((e) => e.path)).toEqual(['id', 'version', 'policies', 'mappings']);
  });

  it('wrong version', () => {
    expect(errorsOf(bundleDoc([], { version: '2' }))).toContainEqual({
      path: 'version',
      message: 'unsupported bundle version "2" (only "1_0" is supported)',
    });
  });

  it('empty bundle (no policies)', () => {
    expect(errorsOf({ id: 'b', version: '1_0', policies: [], mappings: [] })).toEqual([
      { path: 'policies', message: 'the bundle has no policies' },
    ]);
  });

  it('unknown gate, end-of-life gate naming its replacement, unknown trigger', () => {
    const doc = bundleDoc([rule('nope', 'x'), rule('anchoresec', 'vulnhigh'), rule('files', 'nope')]);
    expect(errorsOf(doc)).toEqual([
      { path: 'policies[0].rules[0].gate', message: 'unknown gate "nope"' },
      {
        path: 'policies[0].rules[1].gate',
        message: 'gate "anchoresec" is end-of-life; use the "vulnerabilities" gate instead',
      },
      {
        path: 'policies[0].rules[2].trigger',
        message: expect.stringMatching(/^unknown trigger "nope" for gate "files"/),
      },
    ]);
  });

  it('unknown parameter, duplicate parameter, missing required parameter', () => {
    const doc = bundleDoc([
      rule('dockerfile', 'exposed_ports', { ports: '22', colour: 'red' }),
      rule('vulnerabilities', 'stale_feed_data'),
    ]);
    (doc.policies as { rules: { params: { name: string; value: string }[] }[] }[])[0]!.rules[0]!.params.push({
      name: 'ports',
      value: '23',
    });
    expect(errorsOf(doc)).toEqual([
      {
        path: 'policies[0].rules[0].params[1].name',
        message: expect.stringMatching(/^unknown parameter "colour" for trigger dockerfile\/exposed_ports/),
      },
      { path: 'policies[0].rules[0].params[2].name', message: 'parameter "ports" is given more than once' },
      {
        path: 'policies[0].rules[1].params',
        message:
          'missing required parameter "max_days_since_sync" for trigger vulnerabilities/stale_feed_data',
      },
    ]);
  });

  it('bad values for each parameter type', () => {
    const doc = bundleDoc([
      rule('vulnerabilities', 'stale_feed_data', { max_days_since_sync: 'two' }),
      rule('vulnerabilities', 'package', {
        package_type: 'all',
        cvss_v3_base_score: 'high',
        fix_available: 'yes',
        severity: 'severe',
      }),
      rule('dockerfile', 'exposed_ports', { ports: '22,ssh' }),
      rule('files', 'name_match', { regex: '(unclosed' }),
      rule('files', 'name_match', { regex: 'a'.repeat(1025) }),
      rule('files', 'attribute_match', { filename: '/etc/passwd', mode: '0999' }),
      rule('vulnerabilities', 'package', { package_type: 'all', epss_percentile: '1.5' }),
      rule('vulnerabilities', 'stale_feed_data', { max_days_since_sync: '-1' }),
    ]);
    expect(errorsOf(doc)).toEqual([
      {
        path: 'policies[0].rules[0].params[0].value',
        message: 'invalid value for max_days_since_sync: "two" is not an integer',
      },
      {
        path: 'policies[0].rules[1].params[1].value',
        message: 'invalid value for cvss_v3_base_score: "high" is not a number',
      },
      {
        path: 'policies[0].rules[1].params[2].value',
        message: 'invalid value for fix_available: "yes" is not a boolean (true or false)',
      },
      {
        path: 'policies[0].rules[1].params[3].value',
        message:
          'invalid value for severity: "severe" is not one of: unknown, negligible, low, medium, high, critical',
      },
      {
        path: 'policies[0].rules[2].params[0].value',
        message: 'invalid value for ports: "ssh" in "22,ssh" is not a non-negative integer',
      },
      {
        path: 'policies[0].rules[3].params[0].value',
        message: expect.stringMatching(/^invalid value for regex: regex does not compile \(RE2 syntax\)/),
      },
      {
        path: 'policies[0].rules[4].params[0].value',
        message: 'invalid value for regex: regex is 1025 characters long (limit 1024)',
      },
      {
        path: 'policies[0].rules[5].params[1].value',
        message: 'invalid value for mode: "0999" is not an octal file mode (e.g. 00644)',
      },
      {
        path: 'policies[0].rules[6].params[1].value',
        message: 'invalid value for epss_percentile: 1.5 is above the maximum 1',
      },
      {
        path: 'policies[0].rules[7].params[0].value',
        message: 'invalid value for max_days_since_sync: -1 is below the minimum 0',
      },
    ]);
  });

  it('cross-parameter checks: a value needed by the check, a like regex that does not compile', () => {
    const doc = bundleDoc([
      rule('dockerfile', 'instruction', { instruction: 'FROM', check: '=' }),
      rule('dockerfile', 'instruction', { instruction: 'RUN', check: 'like', value: '(?=lookahead)' }),
      rule('metadata', 'attribute', { attribute: 'size', check: '>', value: 'big' }),
    ]);
    expect(errorsOf(doc)).toEqual([
      { path: 'policies[0].rules[0].params', message: "check '=' needs the 'value' parameter" },
      {
        path: 'policies[0].rules[1].params[2].value',
        message: expect.stringMatching(/^regex does not compile \(RE2 syntax\)/),
      },
      {
        path: 'policies[0].rules[2].params[2].value',
        message: '"big" is not a size (bytes, or with a unit such as 10GB)',
      },
    ]);
  });

  it('wrong types and bad actions', () => {
    const doc = bundleDoc([]);
    (doc.policies as unknown[])[0] = {
      id: 'p1',
      rules: [
        { gate: 'always', trigger: 'always', action: 'DENY', params: [] },
        { gate: 7, trigger: 'always', action: 'GO' },
      ],
    };
    expect(errorsOf(doc)).toEqual([
      { path: 'policies[0].rules[0].action', message: 'unknown action "DENY" (expected STOP, WARN or GO)' },
      {
        path: 'policies[0].rules[1].gate',
        message: expect.stringMatching(/expected string, received number/),
      },
    ]);
  });

  it("parameter values must be strings, as in Anchore's format", () => {
    const doc = bundleDoc([]);
    (doc.policies as unknown[])[0] = {
      id: 'p1',
      rules: [
        {
          id: 'r',
          gate: 'vulnerabilities',
          trigger: 'stale_feed_data',
          action: 'STOP',
          params: [{ name: 'max_days_since_sync', value: 2 }],
        },
      ],
    };
    expect(errorsOf(doc)).toEqual([
      {
        path: 'policies[0].rules[0].params[0].value',
        message: expect.stringMatching(/expected string, received number/),
      },
    ]);
  });

  it('oversized and deeply nested documents fail cleanly', () => {
    const huge = validateBundleText(' '.repeat(10 * 1024 * 1024 + 1));
    expect(huge.ok ? [] : huge.errors).toEqual([
      { path: '$', message: 'bundle is 10485761 characters long (limit 10485760)' },
    ]);
    const deep = validateBundleText('['.repeat(200_000) + ']'.repeat(200_000));
    expect(deep.ok).toBe(false);
  });

  it('duplicate ids', () => {
    const doc = bundleDoc([rule('always', 'always'), rule('always', 'always')]);
    const policies = doc.policies as { id: string; rules: { id: string }[] }[];
    policies[0]!.rules[1]!.id = 'r1';
    policies.push({ ...policies[0]!, rules: [] });
    (doc.whitelists as unknown[]).push({
      id: 'w1',
      items: [
        { id: 'i', gate: 'always', trigger_id: '*' },
        { id: 'i', gate: 'always', trigger_id: 'x' },
      ],
    });
    expect(errorsOf(doc)).toEqual([
      {
        path: 'policies[0].rules[1].id',
        message: 'duplicate rule id "r1" (first used at policies[0].rules[0])',
      },
      { path: 'policies[1].id', message: 'duplicate policy id "p1" (first used at policies[0])' },
      {
        path: 'whitelists[1].items[1].id',
        message: 'duplicate whitelist item id "i" (first used at whitelists[1].items[0])',
      },
      { path: 'whitelists[1].id', message: 'duplicate whitelist id "w1" (first used at whitelists[0])' },
    ]);
  });

  it('mappings naming missing policies or whitelists, or none; bad image selectors', () => {
    const doc = bundleDoc([rule('always', 'always')], {
      mappings: [
        {
          id: 'a',
          registry: '*',
          repository: '*',
          image: { type: 'tag', value: '*' },
          policy_ids: ['p1', 'ghost'],
          whitelist_ids: ['nope'],
        },
        { id: 'b', registry: '*', repository: '*', image: { type: 'tag', value: '*' }, policy_id: 'ghost' },
        { id: 'c', registry: '*', repository: '*', image: { type: 'tag', value: '*' } },
        { id: 'd', registry: '*', repository: '*', image: { type: 'label', value: '*' }, policy_id: 'p1' },
      ],
    });
    expect(errorsOf(doc)).toEqual([
      { path: 'mappings[0].policy_ids[1]', message: 'policy "ghost" is not defined in this bundle' },
      { path: 'mappings[0].whitelist_ids[0]', message: 'whitelist "nope" is not defined in this bundle' },
      { path: 'mappings[1].policy_id', message: 'policy "ghost" is not defined in this bundle' },
      { path: 'mappings[2]', message: 'mapping names no policy (set policy_ids or policy_id)' },
      { path: 'mappings[3].image.type', message: expect.stringMatching(/tag.*digest.*id/) },
    ]);
  });

  it('whitelist items: unknown gate, bad expiry', () => {
    const doc = bundleDoc([rule('always', 'always')]);
    (doc.whitelists as { items: unknown[] }[])[0]!.items.push(
      { id: 'x', gate: 'secretcheck', trigger_id: '*' },
      { id: 'y', gate: 'files', trigger_id: '*', expires_on: 'next tuesday' },
    );
    expect(errorsOf(doc)).toEqual([
      {
        path: 'whitelists[0].items[0].gate',
        message: 'gate "secretcheck" is end-of-life; use the "secret_scans" gate instead',
      },
      {
        path: 'whitelists[0].items[1].expires_on',
        message: '"next tuesday" is not an RFC 3339 date-time (e.g. 2025-12-31T00:00:00Z)',
      },
    ]);
  });

  it('loadBundle throws POLICY_INVALID listing every error', () => {
    try {
      loadBundle(JSON.stringify(bundleDoc([rule('nope', 'x'), rule('always', 'never')])), 'bad.json');
      expect.unreachable();
    } catch (err) {
      expect(isPortcullisError(err, 'POLICY_INVALID')).toBe(true);
      expect((err as Error).message).toContain('policies[0].rules[0].gate');
      expect((err as Error).message).toContain('policies[0].rules[1].trigger');
    }
  });
});

describe('validateBundle: accepted forms', () => {
  it('actions and gate/trigger names are case-insensitive; defaults do not need to be given', () => {
    const result = validateBundle(
      bundleDoc([rule('Vulnerabilities', 'PACKAGE', { package_type: 'all' }, 'warn')]),
    );
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.bundle.policies[0]?.rules[0]?.action).toBe('WARN');
  });
  it('a leading glob star in a regex is repaired with a warning', () => {
    const result = validateBundle(bundleDoc([rule('files', 'name_match', { regex: '*\\.pem' })]));
    expect(result.ok).toBe(true);
    expect(result.warnings).toEqual([
      {
        path: 'policies[0].rules[0].params[0].value',
        message: '"*\\.pem" is a glob, not a regex; read as ".*\\.pem"',
      },
    ]);
  });
});
