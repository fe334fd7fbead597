import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPortcullisError } from '../core/errors.js';
import { DEFAULT_ADMISSION_CONFIG, loadAdmissionConfig, parseAdmissionConfigText } from './config.js';
import { compileRules, isExcludedNamespace, selectRule } from './rules.js';

const ISSUE_EXAMPLE = `
excludeNamespaces: [kube-system]      # always allowed, even if a request arrives
rules:                                 # first match wins
  - namespaces: [staging]
    mode: policy                       # policy | analysis | breakglass
    action: warn                       # deny (default) | warn
  - namespaces: ["*"]
    mode: policy
    policy: prod-bundle
`;

describe('admission config', () => {
  it('reads the documented form from a file, with defaults filled in', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portcullis-admission-config-'));
    try {
      await writeFile(join(dir, 'admission.yaml'), ISSUE_EXAMPLE);
      const config = await loadAdmissionConfig(join(dir, 'admission.yaml'));
      expect(config.rules).toEqual([
        { namespaces: ['staging'], mode: 'policy', action: 'warn' },
        { namespaces: ['*'], mode: 'policy', action: 'deny', policy: 'prod-bundle' },
      ]);
      expect(config.releaseLabels).toEqual(['app.kubernetes.io/instance', 'release']);
      expect(config.deadlineMs).toBeLessThan(10_000);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names the offending path in errors', () => {
    const cases: Array<[string, RegExp]> = [
      ['rules: [{namespaces: [a], mode: enforce}]', /rules\[0\]\.mode/],
      ['rules: [{mode: policy, namespace: [a]}]', /rules\[0\]/],
      [
        'customKinds: [{group: x, kind: Y, podTemplatePath: "spec..template"}]',
        /customKinds\[0\]\.podTemplatePath/,
      ],
      ['deadlineMs: 60000', /deadlineMs/],
      ['rules: [', /not valid YAML/],
      ['unknownKey: 1', /unrecognized key|unknownKey/i],
    ];
    for (const [text, pattern] of cases) {
      let error: unknown;
      try {
        parseAdmissionConfigText(text, 'test.yaml');
      } catch (err) {
        error = err;
      }
      expect(isPortcullisError(error, 'CONFIG_INVALID')).toBe(true);
      expect((error as Error).message).toMatch(pattern);
    }
  });

  it('selects the first matching rule by namespace glob, labels and image glob', () => {
    const config = parseAdmissionConfigText(`
rules:
  - {namespaces: ["team-*"], objectLabels: {tier: vendor}, mode: breakglass}
  - {images: ["registry.example/**"], mode: analysis}
  - {namespaceLabels: {env: prod}, mode: policy}
  - {namespaces: ["*"], mode: policy, action: warn}
`);
    const rules = compileRules(config);
    const pick = (
      namespace: string,
      image: string,
      labels: Record<string, string> = {},
      nsLabels: Record<string, string> = {},
    ) => selectRule(rules, { namespace, namespaceLabels: nsLabels, objectLabels: labels, image })?.index;
    expect(pick('team-a', 'docker.io/library/nginx:latest', { tier: 'vendor' })).toBe(0);
    expect(pick('team-a', 'docker.io/library/nginx:latest')).toBe(3);
    expect(pick('x', 'registry.example/a/b:1')).toBe(1);
    expect(pick('x', 'registry.example.evil/a:1', {}, { env: 'prod' })).toBe(2);
    expect(isExcludedNamespace(DEFAULT_ADMISSION_CONFIG, 'kube-system')).toBe(true);
    expect(isExcludedNamespace(DEFAULT_ADMISSION_CONFIG, 'default')).toBe(false);
  });
});
