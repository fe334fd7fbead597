import { describe, expect, it } from 'vitest';
import { BUILTIN_BUNDLES, evaluatePolicy, loadBuiltinBundle } from '../policy/index.js';
import type { Unknown } from '../sbom/model.js';
import { sbomDocument } from '../sbom/test-support/sbom-document.js';
import { buildPolicyInput } from './policy-input.js';

const analysis = (unknowns: Unknown[]) => ({
  document: sbomDocument({ unknowns }),
  retrieved: new Map<string, Buffer>(),
  findings: [],
  feeds: [{ name: 'debian', namespaces: ['debian:12'], lastSync: new Date(), records: 10 }],
  tags: [],
  now: new Date('2026-06-01T00:00:00Z'),
});

describe('buildPolicyInput', () => {
  const unreadable = {
    path: '/var/lib/dpkg/status',
    cataloger: 'dpkg',
    reason: 'symlink loop',
    code: 'PACKAGE_DB_UNREADABLE',
  };

  it("carries the SBOM's unknowns into the policy input", () => {
    expect(buildPolicyInput(analysis([unreadable])).unknowns).toEqual([unreadable]);
  });

  it.each(BUILTIN_BUNDLES.map((b) => b.name))(
    'an image whose package database could not be read fails builtin:%s',
    (name) => {
      const decision = evaluatePolicy(loadBuiltinBundle(name), buildPolicyInput(analysis([unreadable])));
      expect([decision.status, decision.reason]).toEqual(['fail', 'package_db_unreadable']);
      expect(decision.failClosed.map((f) => ('path' in f ? f.path : f.distro))).toEqual([
        '/var/lib/dpkg/status',
      ]);
    },
  );
});
