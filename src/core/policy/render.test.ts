/**
 * Golden files for the table and JSON renderings of a decision. Regenerate with
 * `UPDATE_GOLDEN=1 npx vitest run src/core/policy/render.test.ts` and review the diff.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderDecisionJson, renderDecisionTable } from './render.js';
import { bundleDoc, evaluateDoc, makeFile, makeFinding, makeInput } from './test-support.js';

function golden(name: string, actual: string): void {
  const url = new URL(`./__golden__/${name}`, import.meta.url);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(url)) writeFileSync(url, actual);
  expect(actual).toBe(readFileSync(url, 'utf8'));
}

const doc = bundleDoc(
  [
    {
      gate: 'vulnerabilities',
      trigger: 'package',
      action: 'STOP',
      params: { package_type: 'all', severity_comparison: '>=', severity: 'high' },
    },
    {
      gate: 'dockerfile',
      trigger: 'exposed_ports',
      action: 'WARN',
      params: { ports: '22', type: 'blacklist' },
    },
    { gate: 'files', trigger: 'suid_or_guid_set', action: 'WARN' },
  ],
  { blacklisted_images: [], whitelisted_images: [] },
);
(doc.whitelists as { items: unknown[] }[])[0]!.items.push({
  id: 'accepted-risk',
  gate: 'vulnerabilities',
  trigger_id: 'CVE-2024-0002+*',
  expires_on: '2027-01-01T00:00:00Z',
});

const input = makeInput({
  config: { ...makeInput().config, exposedPorts: ['22/tcp'] },
  findings: [
    makeFinding({ id: 'CVE-2024-0001', severity: 'Critical', fixedVersions: ['3.0.2-1'], fixState: 'fixed' }),
    makeFinding({
      id: 'CVE-2024-0002',
      severity: 'High',
      package: { name: 'zlib1g', version: '1:1.2.13-1', type: 'deb' },
    }),
    makeFinding({ id: 'CVE-2024-0003', severity: 'Low' }),
  ],
  files: [makeFile('/usr/bin/passwd', { mode: 0o4755 })],
});

describe('decision renderers', () => {
  const decision = evaluateDoc(doc, input, { tag: 'registry.example.com/shop/api:2.1' });

  it('table', () => {
    golden('decision.table.txt', renderDecisionTable(decision));
  });

  it('json', () => {
    const json = renderDecisionJson(decision);
    golden('decision.json', json);
    const parsed = JSON.parse(json) as { final_action: string; triggers: { whitelisted: unknown }[] };
    expect(parsed.final_action).toBe('STOP');
    expect(parsed.triggers.filter((t) => t.whitelisted !== null)).toHaveLength(1);
  });

  it('a passing decision with no triggers', () => {
    const pass = evaluateDoc(
      bundleDoc([{ gate: 'files', trigger: 'suid_or_guid_set', action: 'STOP' }]),
      makeInput(),
    );
    golden('decision-pass.table.txt', renderDecisionTable(pass));
  });
});
