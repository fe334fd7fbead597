import { describe, expect, it } from 'vitest';
import { wildcardMatch } from './match.js';
import { bundleDoc, DIGEST, evaluateDoc, makeFinding, makeInput } from './test-support.js';

const vulnRule = {
  gate: 'vulnerabilities',
  trigger: 'package',
  action: 'STOP',
  params: { package_type: 'all' },
};
const findings = [
  makeFinding({ id: 'CVE-2024-1', package: { name: 'linux-headers-amd64', version: '6.1.0', type: 'deb' } }),
  makeFinding({ id: 'CVE-2024-2', package: { name: 'libssl-dev', version: '3.0.1', type: 'deb' } }),
  makeFinding({
    id: 'CVE-2024-3',
    package: { name: 'lodash', version: '4.17.0', type: 'npm', path: '/app/node_modules/lodash' },
  }),
];
const input = makeInput({ findings });

function withItems(items: Record<string, string>[], rules = [vulnRule]) {
  const doc = bundleDoc(rules);
  (doc.whitelists as { items: unknown[] }[])[0]!.items.push(
    ...items.map((it, i) => ({ id: `i${i + 1}`, gate: 'vulnerabilities', ...it })),
  );
  return doc;
}

describe('whitelists', () => {
  it('match trigger ids exactly or by * wildcards, and keep the whitelisted firing visible', () => {
    const d = evaluateDoc(
      withItems([
        { trigger_id: '*+linux-headers-*' },
        { trigger_id: '*+*-dev' },
        { trigger_id: 'CVE-2024-3+lodash' },
      ]),
      input,
    );
    expect(d.triggers.map((t) => t.whitelisted)).toEqual([
      { whitelistId: 'w1', itemId: 'i1' },
      { whitelistId: 'w1', itemId: 'i2' },
      { whitelistId: 'w1', itemId: 'i3' },
    ]);
    expect(d.triggers.map((t) => t.effectiveAction)).toEqual(['GO', 'GO', 'GO']);
    expect(d.policyFinalAction).toBe('GO');
    expect(d.finalAction).toBe('GO');
  });

  it('a partly whitelisted image still fails on the rest', () => {
    const d = evaluateDoc(withItems([{ trigger_id: '*+linux-headers-*' }]), input);
    expect(d.triggers.filter((t) => t.whitelisted === null).map((t) => t.triggerId)).toEqual([
      'CVE-2024-2+libssl-dev',
      'CVE-2024-3+lodash',
    ]);
    expect(d.finalAction).toBe('STOP');
    expect(d.status).toBe('fail');
  });

  it('expired items do not apply; unexpired ones do', () => {
    const expired = evaluateDoc(withItems([{ trigger_id: '*', expires_on: '2026-05-31T23:59:59Z' }]), input);
    expect(expired.triggers.every((t) => t.whitelisted === null)).toBe(true);
    expect(expired.finalAction).toBe('STOP');
    const valid = evaluateDoc(withItems([{ trigger_id: '*', expires_on: '2026-06-01T00:00:01Z' }]), input);
    expect(valid.finalAction).toBe('GO');
    // Evaluating later (options.now) makes the same item expire.
    const later = evaluateDoc(withItems([{ trigger_id: '*', expires_on: '2026-06-02T00:00:00Z' }]), input, {
      now: new Date('2026-07-01T00:00:00Z'),
    });
    expect(later.finalAction).toBe('STOP');
  });

  it('a whitelist item applies only to its gate', () => {
    const doc = withItems([]);
    (doc.whitelists as { items: unknown[] }[])[0]!.items.push({ id: 'f', gate: 'files', trigger_id: '*' });
    expect(evaluateDoc(doc, input).finalAction).toBe('STOP');
  });

  it('extension: items scoped by package version and path', () => {
    const byVersion = evaluateDoc(withItems([{ trigger_id: '*', package_version: '4.17.*' }]), input);
    expect(byVersion.triggers.map((t) => t.whitelisted?.itemId ?? null)).toEqual([null, null, 'i1']);
    const byPath = evaluateDoc(withItems([{ trigger_id: '*', package_path: '/app/*' }]), input);
    expect(byPath.triggers.map((t) => t.whitelisted?.itemId ?? null)).toEqual([null, null, 'i1']);
    const wrongPath = evaluateDoc(withItems([{ trigger_id: '*', package_path: '/srv/*' }]), input);
    expect(wrongPath.triggers.every((t) => t.whitelisted === null)).toBe(true);
  });
});

describe('mappings', () => {
  const policies = [
    { id: 'deny', rules: [{ id: 'd', gate: 'always', trigger: 'always', action: 'STOP', params: [] }] },
    { id: 'warn', rules: [{ id: 'w', gate: 'always', trigger: 'always', action: 'WARN', params: [] }] },
  ];
  const mapping = (
    id: string,
    registry: string,
    repository: string,
    type: string,
    value: string,
    policy: string,
  ) => ({
    id,
    name: id,
    registry,
    repository,
    image: { type, value },
    policy_ids: [policy],
    whitelist_ids: [],
  });
  const doc = (mappings: unknown[]) => ({ id: 'b', version: '1_0', policies, whitelists: [], mappings });

  it('are tried in order; the first match wins', () => {
    const ms = [
      mapping('prod', 'docker.io', 'library/app', 'tag', 'prod-*', 'deny'),
      mapping('rest', '*', '*', 'tag', '*', 'warn'),
    ];
    expect(evaluateDoc(doc(ms), input, { tag: 'app:prod-1' }).mapping?.id).toBe('prod');
    expect(evaluateDoc(doc(ms), input, { tag: 'app:prod-1' }).finalAction).toBe('STOP');
    expect(evaluateDoc(doc(ms), input, { tag: 'app:dev' }).mapping?.id).toBe('rest');
    expect(evaluateDoc(doc([...ms].reverse()), input, { tag: 'app:prod-1' }).mapping?.id).toBe('rest');
  });

  it('match registry and repository wildcards, and Docker Hub short names', () => {
    const ms = [
      mapping('ghcr', 'ghcr.io', 'acme/*', 'tag', '*', 'deny'),
      mapping('hub', 'docker.io', 'alpine', 'tag', 'latest', 'warn'),
    ];
    expect(evaluateDoc(doc(ms), input, { tag: 'ghcr.io/acme/api:1' }).mapping?.id).toBe('ghcr');
    expect(evaluateDoc(doc(ms), input, { tag: 'ghcr.io/other/api:1' }).mapping).toBeNull();
    expect(evaluateDoc(doc(ms), input, { tag: 'alpine' }).mapping?.id).toBe('hub');
  });

  it('match by digest and by image id', () => {
    const withId = makeInput({ image: { ...input.image, id: `sha256:${'cd'.repeat(32)}` } });
    const ms = [
      mapping('by-digest', '*', '*', 'digest', DIGEST, 'deny'),
      mapping('by-id', '*', '*', 'id', 'cd'.repeat(32), 'warn'),
    ];
    expect(evaluateDoc(doc(ms), withId).mapping?.id).toBe('by-digest');
    expect(evaluateDoc(doc([ms[1]]), withId).mapping?.id).toBe('by-id');
  });

  it('a malformed --tag is an INVALID_REFERENCE error, not a silent fall-through', () => {
    expect(() => evaluateDoc(doc([]), input, { tag: 'Shop/API:1' })).toThrow(
      /invalid image reference "Shop\/API:1": repository name must be lowercase/,
    );
  });

  it('no matching mapping: GO with no policies', () => {
    const d = evaluateDoc(doc([mapping('x', 'quay.io', '*', 'tag', '*', 'deny')]), input);
    expect([d.mapping, d.policyIds, d.triggers, d.finalAction, d.reason]).toEqual([
      null,
      [],
      [],
      'GO',
      'policy_evaluation',
    ]);
  });

  it('evaluates every policy of a mapping and takes the worst action', () => {
    const d = evaluateDoc(
      {
        ...doc([]),
        mappings: [{ ...mapping('m', '*', '*', 'tag', '*', 'warn'), policy_ids: ['warn', 'deny'] }],
      },
      input,
    );
    expect(d.triggers.map((t) => `${t.policyId}:${t.action}`)).toEqual(['warn:WARN', 'deny:STOP']);
    expect(d.policyFinalAction).toBe('STOP');
  });
});

describe('image allow and deny lists', () => {
  const base = bundleDoc([{ gate: 'always', trigger: 'always', action: 'STOP' }]);
  const sel = (repository: string) => ({
    id: repository,
    name: repository,
    registry: 'docker.io',
    repository,
    image: { type: 'tag', value: '*' },
  });

  it('a whitelisted image is GO even when policies STOP', () => {
    const d = evaluateDoc({ ...base, whitelisted_images: [sel('library/app')] }, input);
    expect([d.policyFinalAction, d.finalAction, d.reason, d.status]).toEqual([
      'STOP',
      'GO',
      'whitelisted',
      'pass',
    ]);
  });

  it('a blacklisted image is STOP, even if also whitelisted', () => {
    const warnOnly = bundleDoc([{ gate: 'always', trigger: 'always', action: 'WARN' }]);
    const d = evaluateDoc(
      { ...warnOnly, whitelisted_images: [sel('*')], blacklisted_images: [sel('library/app')] },
      input,
    );
    expect([d.policyFinalAction, d.finalAction, d.reason, d.status]).toEqual([
      'WARN',
      'STOP',
      'blacklisted',
      'fail',
    ]);
    expect(d.matchedWhitelistedImage).toBeNull();
  });

  it('lists that do not match leave the policy decision', () => {
    const d = evaluateDoc(
      { ...base, whitelisted_images: [sel('other')], blacklisted_images: [sel('nginx')] },
      input,
    );
    expect([d.finalAction, d.reason]).toEqual(['STOP', 'policy_evaluation']);
  });

  it('WARN passes', () => {
    const d = evaluateDoc(bundleDoc([{ gate: 'always', trigger: 'always', action: 'WARN' }]), input);
    expect([d.finalAction, d.status]).toEqual(['WARN', 'pass']);
  });
});

describe('wildcardMatch', () => {
  it.each([
    ['*', '', true],
    ['a*', 'abc', true],
    ['*c', 'abc', true],
    ['a*c', 'abbbc', true],
    ['a*c', 'abcd', false],
    ['*+*-dev', 'CVE-1+libssl-dev', true],
    ['CVE-1+x', 'CVE-1+x', true],
    ['CVE-1+x', 'CVE-1+xy', false],
    ['a.c', 'abc', false],
  ])('%s ~ %s = %s', (pattern, value, expected) => {
    expect(wildcardMatch(pattern, value)).toBe(expected);
  });
  it('stays fast on adversarial patterns', () => {
    expect(wildcardMatch('*a*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(5000))).toBe(false);
  });
});
