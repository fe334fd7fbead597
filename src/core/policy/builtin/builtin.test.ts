import { describe, expect, it } from 'vitest';
import { isPortcullisError } from '../../errors.js';
import { evaluatePolicy } from '../evaluate.js';
import type { PolicyInput } from '../input.js';
import { makeFile, makeFinding, makeInput as bare, makePackage, NOW } from '../test-support.js';
import { validateBundle } from '../validate.js';
import { BUILTIN_BUNDLES, loadBuiltinBundle } from './index.js';

/** Inputs with vulnerability data loaded (an empty database is judged in its own test). */
const LOADED = [{ name: 'debian-tracker', namespaces: ['debian:12'], lastSync: NOW, records: 10 }];
const makeInput = (over: Partial<PolicyInput> = {}) => bare({ feeds: LOADED, ...over });
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
  it.each([
    ['reject-critical', 'STOP'],
    ['reject-high', 'STOP'],
    ['docker-best-practices', 'STOP'],
    ['allow-all', 'WARN'],
    ['block-root', 'GO'],
  ])('%s on an image whose distro no data covers: %s', (name, action) => {
    const amzn = makeInput({
      ...clean,
      image: { ...clean.image, distro: { name: 'amzn', version: '2023', like: ['fedora'] } },
      packages: [makePackage('openssl-libs', '1:3.0.8-1.amzn2023.0.11', 'rpm')],
    });
    const d = decide(name, amzn);
    expect(d.finalAction).toBe(action);
    const fired = d.triggers.filter((t) => t.trigger === 'vulnerability_data_unavailable');
    expect(fired.map((t) => t.message)).toEqual(
      action === 'GO' ? [] : [expect.stringContaining('not available for the image distro: amzn:2023')],
    );
    // The same image on a Debian release the data covers passes the data check.
    const debian = makeInput({
      ...clean,
      image: { ...clean.image, distro: { name: 'debian', version: '12', like: [] } },
      packages: [makePackage('bash', '5.2-1')],
    });
    expect(
      decide(name, debian).triggers.filter((t) => t.trigger === 'vulnerability_data_unavailable'),
    ).toEqual([]);
  });
  it('reject-critical stops an image evaluated against an empty database', () => {
    const d = decide('reject-critical', bare({ ...clean, feeds: [] }));
    expect(d.finalAction).toBe('STOP');
    expect(d.triggers.map((t) => t.message)).toEqual([
      expect.stringContaining('No vulnerability data is loaded'),
    ]);
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
