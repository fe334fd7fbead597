import { describe, expect, it } from 'vitest';
import type { Package } from '../sbom/model.js';
import { mergeDeclaredDuplicates } from './dedupe.js';
import type { CatalogRun } from './run-catalogers.js';

const pkg = (id: string, name: string, version: string, path: string): Package => ({
  id,
  name,
  version,
  type: 'npm',
  purl: `pkg:npm/${name}@${version}`,
  licenses: [],
  locations: [{ path, annotation: 'primary' }],
  foundBy: 'test@1',
  metadata: {},
});

describe('mergeDeclaredDuplicates', () => {
  it('folds a lockfile entry into the installed package with the same name and version', () => {
    const run: CatalogRun = {
      packages: [
        pkg('installed-minimist', 'minimist', '1.2.0', '/app/node_modules/minimist/package.json'),
        pkg('lock-minimist', 'minimist', '1.2.0', '/app/package-lock.json'),
        pkg('lock-express', 'express', '4.21.2', '/app/package-lock.json'),
        pkg('lock-other-version', 'minimist', '1.2.8', '/app/package-lock.json'),
        pkg('installed-app', 'app', '1.0.0', '/app/package.json'),
      ],
      relationships: [
        { from: 'installed-app', to: 'lock-minimist', type: 'depends-on' },
        { from: 'installed-app', to: 'installed-minimist', type: 'depends-on' },
      ],
      unknowns: [],
      evidence: new Map(),
    };
    mergeDeclaredDuplicates(run);
    expect(run.packages.map((p) => p.id)).toEqual([
      'installed-minimist',
      'lock-express',
      'lock-other-version',
      'installed-app',
    ]);
    expect(run.packages[0]?.locations).toEqual([
      { path: '/app/node_modules/minimist/package.json', annotation: 'primary' },
      { path: '/app/package-lock.json', annotation: 'supporting' },
    ]);
    expect(run.relationships).toEqual([
      { from: 'installed-app', to: 'installed-minimist', type: 'depends-on' },
    ]);
  });
});
