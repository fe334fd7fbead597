import { describe, expect, it } from 'vitest';
import type { Package } from '../sbom/model.js';
import { settleDeclaredPackages } from './dedupe.js';
import type { CatalogRun } from './run-catalogers.js';

const pkg = (id: string, name: string, version: string, path: string, declared = false): Package => ({
  id,
  name,
  version,
  type: 'npm',
  purl: `pkg:npm/${name}@${version}`,
  licenses: [],
  locations: [{ path, annotation: 'primary' }],
  foundBy: 'test@1',
  metadata: path.endsWith('/package.json') && !path.includes('node_modules') ? { isRoot: true } : {},
  ...(declared ? { declaredOnly: true } : {}),
});

function sampleRun(): CatalogRun {
  return {
    packages: [
      pkg('installed-minimist', 'minimist', '1.2.0', '/app/node_modules/minimist/package.json'),
      pkg('lock-minimist', 'minimist', '1.2.0', '/app/package-lock.json', true),
      pkg('lock-other-version', 'minimist', '1.2.8', '/app/package-lock.json', true),
      pkg('app', 'app', '1.0.0', '/app/package.json', true),
      // an editor extension shipped inside a gem: its lock file and manifest, nothing installed
      pkg('ext', 'ext', '0.1.0', '/usr/lib/ruby/gems/3.1.0/gems/g-1/vscode/package.json', true),
      pkg(
        'ext-minimist',
        'minimist',
        '1.2.0',
        '/usr/lib/ruby/gems/3.1.0/gems/g-1/vscode/package-lock.json',
        true,
      ),
    ],
    relationships: [
      { from: 'app', to: 'lock-minimist', type: 'depends-on' },
      { from: 'app', to: 'installed-minimist', type: 'depends-on' },
      { from: 'ext', to: 'ext-minimist', type: 'depends-on' },
    ],
    unknowns: [],
    evidence: new Map(),
  };
}

describe('settleDeclaredPackages', () => {
  it('image: a lock entry joins the package installed beside it; the rest is dropped', () => {
    const run = sampleRun();
    settleDeclaredPackages(run, 'image');
    expect(run.packages.map((p) => [p.id, p.declaredOnly])).toEqual([
      ['installed-minimist', undefined],
      // the application's modules are installed beside its manifest: it is installed too
      ['app', undefined],
    ]);
    expect(run.packages[0]?.locations).toEqual([
      { path: '/app/node_modules/minimist/package.json', annotation: 'primary' },
      { path: '/app/package-lock.json', annotation: 'supporting' },
    ]);
    expect(run.relationships).toEqual([{ from: 'app', to: 'installed-minimist', type: 'depends-on' }]);
  });

  it('a lock entry never joins an installed twin outside its own application', () => {
    const run = sampleRun();
    settleDeclaredPackages(run, 'image');
    const minimist = run.packages.find((p) => p.id === 'installed-minimist');
    expect(minimist?.locations.some((l) => l.path.includes('/gems/'))).toBe(false);
  });

  it('directory: lock entries without an installed twin stay, marked declared only', () => {
    const run = sampleRun();
    settleDeclaredPackages(run, 'directory');
    expect(run.packages.map((p) => [p.id, p.declaredOnly])).toEqual([
      ['installed-minimist', undefined],
      ['lock-other-version', true],
      ['app', undefined],
      ['ext', true],
      ['ext-minimist', true],
    ]);
    expect(run.relationships).toEqual([
      { from: 'app', to: 'installed-minimist', type: 'depends-on' },
      { from: 'ext', to: 'ext-minimist', type: 'depends-on' },
    ]);
  });
});
