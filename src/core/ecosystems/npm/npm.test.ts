import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { FileResolver } from '../types.js';
import { npmLicenses, npmPurl } from './common.js';
import { classifyPackageJson, parsePackageJson } from './parse-package-json.js';
import { parsePackageLock } from './parse-package-lock.js';
import { parsePnpmKey, parsePnpmLock } from './parse-pnpm-lock.js';
import { parseYarnLock } from './parse-yarn-lock.js';
import { hostGlob, memoryResolver, parseHostFiles } from './test-support/host-fs.js';
import { npmInstalledCataloger } from './index.js';

const ctx = (resolver: FileResolver = memoryResolver({})) => ({ resolver, foundBy: 'npm-installed@1' });
const file = (path: string, text: string) => ({ path, contents: Buffer.from(text) });

describe('package.json', () => {
  it.each([
    ['/app/node_modules/a/package.json', 'module'],
    ['/app/node_modules/@s/b/package.json', 'module'],
    ['/app/node_modules/a/node_modules/c/package.json', 'module'],
    ['/usr/share/nodejs/debug/package.json', 'module'],
    ['/usr/lib/nodejs/@types/node/package.json', 'module'],
    ['/usr/lib/x86_64-linux-gnu/nodejs/bufferutil/package.json', 'module'],
    ['/usr/lib/x86_64-linux-gnu/nodejs/bufferutil/build/package.json', 'inner'],
    ['/usr/lib/x86_64-linux-gnu/other/package.json', 'app'],
    ['/app/node_modules/a/lib/package.json', 'inner'],
    ['/app/node_modules/@s/b/dist/esm/package.json', 'inner'],
    ['/usr/share/nodejs/debug/src/package.json', 'inner'],
    ['/app/package.json', 'app'],
    ['/package.json', 'app'],
  ])('%s is a %s manifest', (path, kind) => {
    expect(classifyPackageJson(path)).toBe(kind);
  });

  it('records the application as root and resolves dependencies the way Node does', async () => {
    const resolver = memoryResolver({
      '/app/node_modules/a/package.json': '{"name":"a","version":"1.0.0"}',
      '/app/node_modules/b/node_modules/a/package.json': '{"name":"a","version":"2.0.0"}',
      '/usr/share/nodejs/debian-only/package.json': '{"name":"debian-only","version":"3.0.0"}',
      '/app/node_modules/vitest/package.json': '{"name":"vitest","version":"3.2.7"}',
    });
    const app = await parsePackageJson(
      file(
        '/app/package.json',
        '{"name":"my-app","version":"0.1.0","license":"MIT","dependencies":{"a":"^1","debian-only":"*","missing":"1"},"devDependencies":{"vitest":"^3"}}',
      ),
      ctx(resolver),
    );
    expect(app.packages[0]).toMatchObject({
      name: 'my-app',
      version: '0.1.0',
      purl: 'pkg:npm/my-app@0.1.0',
      licenses: ['MIT'],
      metadata: { isRoot: true },
    });
    expect(app.relationships).toEqual([
      { from: 'npm/my-app@0.1.0', to: 'npm/a@1.0.0', type: 'depends-on' },
      { from: 'npm/my-app@0.1.0', to: 'npm/debian-only@3.0.0', type: 'depends-on' },
      { from: 'npm/my-app@0.1.0', to: 'npm/vitest@3.2.7', type: 'dev-depends-on' },
    ]);
    const b = await parsePackageJson(
      file('/app/node_modules/b/package.json', '{"name":"b","version":"1.0.0","dependencies":{"a":"2"}}'),
      ctx(resolver),
    );
    expect(b.relationships).toEqual([{ from: 'npm/b@1.0.0', to: 'npm/a@2.0.0', type: 'depends-on' }]);
    expect(b.packages[0]?.metadata.isRoot).toBeUndefined();
  });

  it('scoped names get a %40-encoded namespace', async () => {
    const r = await parsePackageJson(
      file('/x/node_modules/@babel/core/package.json', '{"name":"@babel/core","version":"7.23.0"}'),
      ctx(),
    );
    expect(r.packages[0]?.purl).toBe('pkg:npm/%40babel/core@7.23.0');
    expect(npmPurl('@s/n', '1.0.0')).toBe('pkg:npm/%40s/n@1.0.0');
  });

  it.each([
    ['MIT', undefined, ['MIT']],
    [{ type: 'BSD-3-Clause', url: 'http://x' }, undefined, ['BSD-3-Clause']],
    [undefined, [{ type: 'MIT' }, { type: 'Apache-2.0' }], ['MIT', 'Apache-2.0']],
    [['ISC', { type: 'MIT' }], undefined, ['ISC', 'MIT']],
    [42, undefined, []],
  ])('license %j / licenses %j → %j', (license, licenses, expected) => {
    expect(npmLicenses(license, licenses)).toEqual(expected);
  });

  it('skips inner manifests like {"type":"module"} without a problem', async () => {
    const r = await parsePackageJson(file('/x/node_modules/a/dist/package.json', '{"type":"module"}'), ctx());
    expect(r).toEqual({ packages: [], relationships: [], problems: [] });
  });

  it.each([
    ['broken JSON', '{"name": "a", "version": '],
    ['not an object', '"just a string"'],
    ['no version', '{"name":"a"}'],
    ['invalid name', '{"name":"../../etc","version":"1.0.0"}'],
    ['wrong types', '{"name":["a"],"version":{"v":1}}'],
  ])('%s in node_modules is a recorded problem', async (_label, text) => {
    const r = await parsePackageJson(file('/x/node_modules/a/package.json', text), ctx());
    expect(r.packages).toEqual([]);
    expect(r.problems[0]).toContain('/x/node_modules/a/package.json');
  });

  it("Debian's node-semver, node-lru-cache and node-yallist: versions equal the upstream parts of their dpkg versions", async () => {
    const [parser] = npmInstalledCataloger.parsers;
    for (const deb of ['node-semver', 'node-lru-cache', 'node-yallist']) {
      const [debVersion, files] = [
        execFileSync('dpkg-query', ['-W', '-f=${Version}', deb], { encoding: 'utf8' }),
        execFileSync('dpkg', ['-L', deb], { encoding: 'utf8' })
          .split('\n')
          .filter((f) => /^\/usr\/share\/nodejs\/.*package\.json$/.test(f)),
      ];
      // Debian versions bundle component versions as `<main>+~<component>...-<revision>`
      const [main, ...components] = debVersion.replace(/-[^-]+$/, '').split('+~');
      const result = await parseHostFiles(parser!, files);
      const own = result.packages.filter((p) => !p.name.startsWith('@types/'));
      expect(
        own.map((p) => p.version),
        deb,
      ).toEqual([main]);
      const types = result.packages.filter((p) => p.name.startsWith('@types/'));
      expect(
        types.map((p) => p.version),
        deb,
      ).toEqual(components.slice(0, types.length));
    }
    const lru = await parseHostFiles(parser!, ['/usr/share/nodejs/lru-cache/package.json']);
    const yallist = execFileSync('dpkg-query', ['-W', '-f=${Version}', 'node-yallist'], {
      encoding: 'utf8',
    }).split('+~')[0];
    // lru-cache 7 dropped its yallist dependency; the edge exists only if the manifest declares it
    const declares = Object.keys(
      (lru.packages[0]?.metadata.dependencies as Record<string, string>) ?? {},
    ).includes('yallist');
    expect(lru.relationships.some((r) => r.to === `npm/yallist@${yallist}`)).toBe(declares);
    expect(await hostGlob('/usr/share/nodejs', '/**/semver/package.json')).toContain(
      '/usr/share/nodejs/semver/package.json',
    );
  });
});

describe('package-lock.json', () => {
  it('v3: skips workspace links and sources, follows nested node_modules resolution', async () => {
    const lock = {
      lockfileVersion: 3,
      packages: {
        '': { name: 'root', version: '1.0.0', workspaces: ['packages/*'] },
        'packages/web': { name: 'web', version: '0.0.1' },
        'node_modules/web': { resolved: 'packages/web', link: true },
        'node_modules/a': { version: '1.0.0', license: 'MIT', dependencies: { b: '^1' } },
        'node_modules/b': { version: '1.5.0', dev: true },
        'node_modules/c': { version: '3.0.0', dependencies: { b: '^2' } },
        'node_modules/c/node_modules/b': { version: '2.1.0' },
        'node_modules/alias': { name: 'real', version: '4.0.0' },
      },
    };
    const r = await parsePackageLock(file('/app/package-lock.json', JSON.stringify(lock)), ctx());
    expect(r.packages.map((p) => `${p.name}@${p.version}`).sort()).toEqual([
      'a@1.0.0',
      'b@1.5.0',
      'b@2.1.0',
      'c@3.0.0',
      'real@4.0.0',
    ]);
    expect(r.relationships).toEqual([
      { from: 'npm/a@1.0.0', to: 'npm/b@1.5.0', type: 'depends-on' },
      { from: 'npm/c@3.0.0', to: 'npm/b@2.1.0', type: 'depends-on' },
    ]);
    expect(r.packages.find((p) => p.name === 'b' && p.version === '1.5.0')?.metadata.dev).toBe(true);
  });

  it('v1: aliases and nested scopes', async () => {
    const lock = {
      lockfileVersion: 1,
      dependencies: {
        x: { version: '1.0.0', requires: { y: '^2' }, dependencies: { y: { version: '2.0.0' } } },
        y: { version: '1.0.0' },
        z: { version: 'npm:real-z@5.0.0', requires: { y: '1' } },
        local: { version: 'file:../local' },
      },
    };
    const r = await parsePackageLock(file('/app/package-lock.json', JSON.stringify(lock)), ctx());
    expect(r.packages.map((p) => `${p.name}@${p.version}`).sort()).toEqual([
      'real-z@5.0.0',
      'x@1.0.0',
      'y@1.0.0',
      'y@2.0.0',
    ]);
    expect(r.relationships).toContainEqual({ from: 'npm/x@1.0.0', to: 'npm/y@2.0.0', type: 'depends-on' });
    expect(r.relationships).toContainEqual({
      from: 'npm/real-z@5.0.0',
      to: 'npm/y@1.0.0',
      type: 'depends-on',
    });
    expect(r.problems[0]).toContain('local');
  });

  it('a lockfile nested absurdly deep stops at the depth limit', async () => {
    let deps: Record<string, unknown> = { leaf: { version: '1.0.0' } };
    for (let i = 0; i < 300; i++) deps = { [`p${i}`]: { version: '1.0.0', dependencies: deps } };
    const r = await parsePackageLock(
      file('/app/package-lock.json', JSON.stringify({ lockfileVersion: 1, dependencies: deps })),
      ctx(),
    );
    expect(r.problems.some((p) => p.includes('deeper than'))).toBe(true);
  });

  it.each([
    ['broken JSON', '{'],
    ['neither form', '{"lockfileVersion": 3}'],
    ['bad entries', '{"packages": {"node_modules/a": 5, "node_modules/b": {"version": 1}}}'],
  ])('%s is a recorded problem', async (_label, text) => {
    const r = await parsePackageLock(file('/app/package-lock.json', text), ctx());
    expect(r.packages).toEqual([]);
    expect(r.problems[0]).toContain('/app/package-lock.json');
  });

  it('ignores lockfiles shipped inside installed packages', async () => {
    const r = await parsePackageLock(
      file(
        '/app/node_modules/a/package-lock.json',
        '{"lockfileVersion":3,"packages":{"node_modules/x":{"version":"1.0.0"}}}',
      ),
      ctx(),
    );
    expect(r.packages).toEqual([]);
  });
});

describe('yarn.lock and pnpm-lock.yaml details', () => {
  it('classic: multi-descriptor keys, scoped names and resolved edges', async () => {
    const text = `# yarn lockfile v1\n\n"@s/a@^1.0.0", "@s/a@^1.1.0":\n  version "1.2.0"\n  resolved "https://registry.yarnpkg.com/@s/a/-/a-1.2.0.tgz#abc"\n  dependencies:\n    b "~2.0.0"\n\nb@~2.0.0:\n  version "2.0.3"\n`;
    const r = await parseYarnLock(file('/app/yarn.lock', text), ctx());
    expect(r.packages.map((p) => p.purl)).toEqual(['pkg:npm/%40s/a@1.2.0', 'pkg:npm/b@2.0.3']);
    expect(r.relationships).toEqual([{ from: 'npm/@s/a@1.2.0', to: 'npm/b@2.0.3', type: 'depends-on' }]);
  });

  it('berry: skips the workspace entry and reads npm: descriptors', async () => {
    const text = `__metadata:\n  version: 8\n  cacheKey: 10c0\n\n"app@workspace:.":\n  version: 0.0.0-use.local\n  resolution: "app@workspace:."\n  languageName: unknown\n  linkType: soft\n\n"ms@npm:2.1.3":\n  version: 2.1.3\n  resolution: "ms@npm:2.1.3"\n  checksum: 10c0/abc\n  languageName: node\n  linkType: hard\n\n"ms@patch:ms@npm%3A2.1.3#~/.yarn/patches/ms.patch":\n  version: 2.1.3\n  resolution: "ms@patch:ms@npm%3A2.1.3#~/.yarn/patches/ms.patch::version=2.1.3&hash=abc"\n  languageName: node\n  linkType: hard\n`;
    const r = await parseYarnLock(file('/app/yarn.lock', text), ctx());
    // the patched copy is the same package version: listed once
    expect(r.packages.map((p) => `${p.name}@${p.version}`)).toEqual(['ms@2.1.3']);
  });

  it.each([
    ['/a@1.0.0', 'a', '1.0.0'],
    ['/@s/b@2.0.0(react@18.2.0)', '@s/b', '2.0.0'],
    ['c@3.0.0(d@1.0.0)', 'c', '3.0.0'],
    ['/e/4.0.0', 'e', '4.0.0'],
    ['/@s/f/5.0.0_g@1.0.0', '@s/f', '5.0.0'],
  ])('pnpm key %s → %s@%s', (key, name, version) => {
    expect(parsePnpmKey(key)).toEqual({ name, version });
  });

  it.each([
    ['yarn', parseYarnLock, '/app/yarn.lock', '__metadata:\n  version: [\n'],
    ['pnpm', parsePnpmLock, '/app/pnpm-lock.yaml', 'lockfileVersion: "9.0"\npackages: {a: [\n'],
    ['pnpm', parsePnpmLock, '/app/pnpm-lock.yaml', '*a\n'],
  ])('%s: broken YAML is a recorded problem', async (_label, parse, path, text) => {
    const r = await parse(file(path, text), ctx());
    expect(r.packages).toEqual([]);
    expect(r.problems[0]).toContain(path);
  });

  it('pnpm: a YAML alias bomb is refused', async () => {
    const lines = ['lockfileVersion: "9.0"', 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    lines.push('packages: *a11');
    const r = await parsePnpmLock(file('/app/pnpm-lock.yaml', lines.join('\n')), ctx());
    expect(r.packages).toEqual([]);
    expect(r.problems[0]).toContain('/app/pnpm-lock.yaml');
  });
});
