import { describe, expect, it } from 'vitest';
import { isPortcullisError } from '../../errors.js';
import { evaluatePolicy } from '../evaluate.js';
import { makeFile, makeFinding, makeInput } from '../test-support.js';
import { validateBundle } from '../validate.js';
import { BUILTIN_BUNDLES, loadBuiltinBundle } from './index.js';

const clean = makeInput({
  config: { ...makeInput().config, user: 'app', healthcheck: { test: ['CMD', 'true'] } },
  dockerfile: { text: 'FROM debian:12\nUSER app\nHEALTHCHECK CMD true', source: 'supplied' },
});
const risky = makeInput({
  dockerfile: {
    text: [
      'FROM debian:12',
      'ADD https://example.com/x.tgz /opt/',
      'ENV DB_PASSWORD=hunter2',
      'RUN curl -fsSL https://x.sh | sh',
      'EXPOSE 22',
    ].join('\n'),
    source: 'supplied',
  },
  findings: [
    makeFinding({ severity: 'Critical', fixedVersions: ['2'], fixState: 'fixed' }),
    makeFinding({ id: 'CVE-H', severity: 'High' }),
  ],
  files: [makeFile('/usr/bin/passwd', { mode: 0o4755 })],
  secrets: [{ path: '/app/.env', rule: 'AWS_ACCESS_KEY' }],
});
const decide = (name: string, input = risky) => evaluatePolicy(loadBuiltinBundle(name), input);

describe('built-in bundles', () => {
  it.each(BUILTIN_BUNDLES.map((b) => [b.name, b] as const))('%s validates without warnings', (_n, b) => {
    const result = validateBundle(b.document);
    expect(result.ok).toBe(true);
    expect(result.warnings).toEqual([]);
    expect(b.description.length).toBeGreaterThan(10);
  });

  it('allow-all passes but reports', () => {
    expect([decide('allow-all').finalAction, decide('allow-all').triggers.length]).toEqual(['WARN', 2]);
  });
  it('reject-critical / reject-high', () => {
    expect(decide('reject-critical').finalAction).toBe('STOP');
    expect(
      decide('reject-critical', makeInput({ findings: [makeFinding({ severity: 'High' })] })).finalAction,
    ).toBe('WARN');
    expect(
      decide('reject-high', makeInput({ findings: [makeFinding({ severity: 'High' })] })).finalAction,
    ).toBe('STOP');
    expect(
      decide('reject-high', makeInput({ findings: [makeFinding({ severity: 'Low' })] })).finalAction,
    ).toBe('GO');
  });
  it('block-root', () => {
    expect(decide('block-root').finalAction).toBe('STOP');
    expect(decide('block-root', clean).finalAction).toBe('GO');
  });
  const asUser = (user: string) =>
    makeInput({
      ...clean,
      config: { ...clean.config, user },
      dockerfile: { text: `FROM debian:12\nUSER ${user}`, source: 'supplied' },
    });
  it.each(['root', '0', '0:0', 'root:root', '0:somegroup', 'root:1000'])(
    'USER %s is root for every built-in bundle that blocks root',
    (user) => {
      expect(decide('block-root', asUser(user)).finalAction).toBe('STOP');
      const best = decide('docker-best-practices', asUser(user));
      expect(best.triggers.filter((t) => t.trigger === 'effective_user')).toHaveLength(1);
    },
  );
  it('USER 1000:0 (root group only) is not root', () => {
    expect(decide('block-root', asUser('1000:0')).finalAction).toBe('GO');
  });
  it('deny-all', () => {
    expect(decide('deny-all', clean).finalAction).toBe('STOP');
  });
  it('docker-best-practices flags each bad practice and passes a clean image', () => {
    const d = decide('docker-best-practices');
    const fired = d.triggers.map((t) => `${t.gate}/${t.trigger}:${t.ruleId}`);
    expect(fired).toEqual([
      'dockerfile/effective_user:docker-best-practices-1',
      'dockerfile/exposed_ports:docker-best-practices-2',
      'dockerfile/instruction:docker-best-practices-3',
      'dockerfile/instruction:docker-best-practices-4',
      'dockerfile/instruction:docker-best-practices-5',
      'dockerfile/instruction:docker-best-practices-6',
      'files/suid_or_guid_set:docker-best-practices-7',
      'secret_scans/content_regex_checks:docker-best-practices-8',
      'vulnerabilities/package:docker-best-practices-9',
    ]);
    expect(d.finalAction).toBe('STOP');
    expect(decide('docker-best-practices', clean).triggers).toEqual([]);
  });
  it('an unknown name is a NOT_FOUND error naming the choices', () => {
    expect(() => loadBuiltinBundle('nope')).toThrow(/available: allow-all, reject-critical/);
    try {
      loadBuiltinBundle('nope');
    } catch (err) {
      expect(isPortcullisError(err, 'NOT_FOUND')).toBe(true);
    }
  });
});
