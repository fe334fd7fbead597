import { describe, expect, it } from 'vitest';
import { loadBuiltinBundle } from './builtin/index.js';
import { evaluatePolicy } from './evaluate.js';
import type { PolicyInput } from './input.js';
import { renderDecisionTable } from './render.js';
import { bundleDoc, evaluateDoc, makeInput } from './test-support.js';

const unreadable = makeInput({
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
    const otherUnknown: Partial<PolicyInput> = { unknowns: unreadable.unknowns?.slice(1) ?? [] };
    expect(evaluatePolicy(loadBuiltinBundle('reject-critical'), makeInput(otherUnknown)).status).toBe('pass');
  });
});
