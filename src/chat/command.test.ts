/** Chat command parsing: verbs from the text or the webhook's `command`, arguments, refusals. */
import { describe, expect, it } from 'vitest';
import { parseChatCommand } from './command.js';

describe('parseChatCommand', () => {
  it.each([
    ['', 'vuln CVE-2024-1234', { kind: 'vuln', id: 'CVE-2024-1234' }],
    ['', '  vuln   cve-2024-1234 ', { kind: 'vuln', id: 'CVE-2024-1234' }],
    ['', 'VULN GHSA-aaaa-bbbb-cccc', { kind: 'vuln', id: 'GHSA-aaaa-bbbb-cccc' }],
    ['vuln', 'CVE-2024-1234', { kind: 'vuln', id: 'CVE-2024-1234' }],
    ['/vuln', 'CVE-2024-1234', { kind: 'vuln', id: 'CVE-2024-1234' }],
    ['/portcullis', 'package openssl', { kind: 'package', name: 'openssl' }],
    ['', 'package lodash 4.17.20', { kind: 'package', name: 'lodash', version: '4.17.20' }],
    ['', 'image registry.example/team/app:1', { kind: 'image', reference: 'registry.example/team/app:1' }],
    ['scan', 'debian:12', { kind: 'scan', reference: 'debian:12' }],
    ['', '', { kind: 'help' }],
    ['help', '', { kind: 'help' }],
  ] as const)('%j %j', (verb, text, expected) => {
    expect(parseChatCommand(verb, text)).toEqual(expected);
  });

  it.each([
    ['', 'vuln'],
    ['', 'vuln CVE-1 CVE-2'],
    ['', 'vuln <script>'],
    ['', 'package'],
    ['', 'package a b c'],
    ['', 'image'],
    ['', 'scan a b'],
    ['', 'delete everything'],
  ])('refuses %j %j with the usage', (verb, text) => {
    const parsed = parseChatCommand(verb, text);
    expect(parsed.kind).toBe('invalid');
    expect(parsed.kind === 'invalid' && parsed.message).toContain('`vuln CVE-2024-1234`');
  });
});
