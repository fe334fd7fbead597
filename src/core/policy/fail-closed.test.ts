import { describe, expect, it } from 'vitest';
import { loadBuiltinBundle } from './builtin/index.js';
import { evaluatePolicy } from './evaluate.js';
import type { PolicyInput } from './input.js';
import { renderDecisionTable } from './render.js';
import { bundleDoc, evaluateDoc, makeInput } from './test-support.js';

/** Vulnerability data loaded, so reject-critical's vulnerability_data_unavailable rule stays quiet. */
const feeds = [{ name: 'debian-tracker', namespaces: ['debian:12'], records: 10 }];
const unreadable = makeInput({
  feeds,
  unknowns: [
    {
      path: '/var/lib/dpkg/status',
      cataloger: 'dpkg',
      reason: 'symlink loop',
      code: 'PACKAGE_DB_UNREADABLE',
    },
    { path: '/usr/lib/node_modules/x/package.json', cataloger: 'npm', reason: 'invalid JSON' },
  ],
});

describe('fail closed on an unreadable package database', () => {
  it.each(['allow-all', 'block-root', 'reject-critical'])(
    'fails under builtin:%s, naming the path',
    (name) => {
      const decision = evaluatePolicy(loadBuiltinBundle(name), unreadable);
      expect([decision.finalAction, decision.status, decision.reason]).toEqual([
        'STOP',
        'fail',
        'package_db_unreadable',
      ]);
      expect(decision.failClosed).toEqual([
        expect.objectContaining({ code: 'PACKAGE_DB_UNREADABLE', path: '/var/lib/dpkg/status' }),
      ]);
      expect(renderDecisionTable(decision)).toMatch(
        /Fail-closed: +The package database \/var\/lib\/dpkg\/status could not be read \(symlink loop\)/,
      );
    },
  );
  it('fails even for a whitelisted image', () => {
    const whitelisted = bundleDoc([], {
      whitelisted_images: [
        { id: 'wi', name: 'trusted', registry: '*', repository: '*', image: { type: 'tag', value: '*' } },
      ],
    });
    expect(evaluateDoc(whitelisted, makeInput()).finalAction).toBe('GO');
    expect(evaluateDoc(whitelisted, unreadable).finalAction).toBe('STOP');
  });
  it('leaves the decision to the bundle when the caller opts out, or when no database is unreadable', () => {
    const optedOut = evaluatePolicy(loadBuiltinBundle('reject-critical'), unreadable, {
      allowUnreadablePackageDb: true,
    });
    expect([optedOut.status, optedOut.reason, optedOut.failClosed]).toEqual([
      'pass',
      'policy_evaluation',
      [],
    ]);
    const otherUnknown: Partial<PolicyInput> = { feeds, unknowns: unreadable.unknowns?.slice(1) ?? [] };
    expect(evaluatePolicy(loadBuiltinBundle('reject-critical'), makeInput(otherUnknown)).status).toBe('pass');
  });
});

describe('fail closed on a distro without vulnerability data', () => {
  const gap = {
    distro: 'amzn:2023',
    namespace: 'amzn:2023',
    packages: 3,
    message:
      'Vulnerability data not available for the image distro: amzn:2023: the amazon-alas feed holds 0 records (run `portcullis db update`); its 3 OS packages were not checked',
  };
  const input = makeInput({
    feeds,
    vulnerabilityData: { available: true, staleAfterHours: 48, distroGap: gap },
  });

  it.each(['allow-all', 'block-root'])('fails under builtin:%s, naming the distro', (name) => {
    const decision = evaluatePolicy(loadBuiltinBundle(name), input);
    expect([decision.finalAction, decision.reason]).toEqual(['STOP', 'vulnerability_data_unavailable']);
    expect(decision.failClosed).toEqual([
      {
        code: 'VULNERABILITY_DATA_UNAVAILABLE',
        distro: 'amzn:2023',
        message: `${gap.message}; the image cannot pass without that data`,
      },
    ]);
    expect(renderDecisionTable(decision)).toContain(
      'Fail-closed:   Vulnerability data not available for the image distro: amzn:2023',
    );
  });
  it('leaves the decision to the bundle when the caller opts out', () => {
    const decision = evaluatePolicy(loadBuiltinBundle('allow-all'), input, { allowNoVulnData: true });
    expect([decision.status, decision.failClosed]).toEqual(['pass', []]);
  });
});
