/**
 * Per-ecosystem ground truth on the app fixture image, with every cataloger registered:
 * the SBOM's (name, version) set per ecosystem equals what each ecosystem's own tool reads
 * from the rootfs that `umoci unpack` produced for the same image, and nothing else is
 * reported: the lock files Ruby's bundled gems ship (typeprof's Gemfile.lock and its VS Code
 * extension's package-lock.json) describe their authors' development, not this image.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFixtureImage, type FixtureImage } from '../../../test/harness/fixtures/index.js';
import { resolveImageOptions } from '../../config/index.js';
import { fromResolved, catalogRead } from '../image/test-support/image-options.js';
import { openImage } from '../image/open.js';
import type { SbomDocument } from '../sbom/document.js';
import { dpkgInstalled } from '../../../test/support/dpkg-truth.js';
import { catalogImage } from './catalog-image.js';
import { ALL_CATALOGERS } from './catalogers.js';
import { gemTruth, lockFiles, npmTruth } from './test-support/installed-truth.js';

const run = (cmd: string, args: string[]) =>
  execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'] }).toString();

describe('SBOM per ecosystem equals the ecosystem tools on the app fixture', () => {
  let fixture: FixtureImage;
  let temp: string;
  let doc: SbomDocument;
  const found = (type: string, under: string) =>
    new Set(
      doc.packages
        .filter((p) => p.type === type && p.locations[0]?.path.startsWith(under))
        .map((p) => `${p.name}@${p.version}`),
    );

  beforeAll(async () => {
    fixture = await getFixtureImage('app');
    temp = await mkdtemp(join(tmpdir(), 'portcullis-eco-'));
    const open = fromResolved(resolveImageOptions({ cacheDir: join(temp, 'cache') }, {}, temp));
    const image = await openImage(`oci-dir:${fixture.ociLayoutDir}:${fixture.tag}`, open.env, open.request);
    doc = await catalogImage(image, catalogRead(open), {
      catalogers: ALL_CATALOGERS,
      scope: 'squashed',
      digestMaxBytes: 0,
      captureMaxBytes: 256 << 20,
    });
  });
  afterAll(async () => {
    if (temp) await rm(temp, { recursive: true, force: true });
  });

  it('python: importlib.metadata over the image dist-packages', () => {
    const site = join(fixture.rootfsDir, 'usr/lib/python3/dist-packages');
    const script =
      'import importlib.metadata as m, sys\nfor d in m.distributions(path=[sys.argv[1]]): print(d.metadata["Name"] + "@" + d.version)';
    const expected = new Set(run('/usr/bin/python3', ['-c', script, site]).trim().split('\n'));
    const actual = new Set([...found('python', '/usr/lib/python3/dist-packages/')].map((k) => k));
    const norm = (s: Set<string>) =>
      new Set([...s].map((k) => k.toLowerCase().replace(/[-_.]+(?=.*@)/g, '-')));
    expect(expected.size).toBeGreaterThan(3);
    expect(norm(actual)).toEqual(norm(expected));
  });

  it('java: pom.properties read with unzip from every jar in /usr/share/java', async () => {
    const dir = join(fixture.rootfsDir, 'usr/share/java');
    const expected = new Set<string>();
    for (const name of await readdir(dir)) {
      if (!name.endsWith('.jar')) continue;
      let props = '';
      try {
        props = run('unzip', ['-p', join(dir, name), 'META-INF/maven/*/*/pom.properties']);
      } catch {
        continue; // a symlinked alias or a jar without Maven metadata
      }
      const field = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(props)?.[1]?.trim();
      if (field('groupId') && field('artifactId') && field('version'))
        expected.add(`${field('groupId')}:${field('artifactId')}@${field('version')}`);
    }
    expect(expected.size).toBeGreaterThan(0);
    // Maven coordinates live in the PURL: pkg:maven/<groupId>/<artifactId>@<version>.
    const actual = new Set(
      doc.packages
        .filter((p) => p.type === 'java' && p.locations[0]?.path.startsWith('/usr/share/java/'))
        .map((p) => {
          const m = /^pkg:maven\/([^/]+)\/([^@]+)@(.+)$/.exec(p.purl);
          return m ? `${m[1]}:${m[2]}@${decodeURIComponent(m[3] as string)}` : p.purl;
        }),
    );
    expect(actual).toEqual(expected);
  });

  it('ruby: every gem RubyGems lists from the image gem path, none from lock files', () => {
    const expected = gemTruth(fixture.rootfsDir);
    expect([...expected].some((k) => k.startsWith('rack@'))).toBe(true);
    // bundled gems ship their own development lock files (rbs, typeprof: Gemfile.lock)
    expect(lockFiles(fixture.rootfsDir, 'Gemfile.lock').length).toBeGreaterThan(0);
    expect(found('gem', '/')).toEqual(expected);
  });

  it('npm: `npm ls --all` of the application, none from lock files shipped inside gems', () => {
    expect(lockFiles(fixture.rootfsDir, 'package-lock.json').some((f) => f.includes('/gems/'))).toBe(true);
    expect(found('npm', '/')).toEqual(npmTruth(join(fixture.rootfsDir, 'app')));
  });

  it('deb: dpkg-query over the image database', () => {
    expect(found('deb', '/')).toEqual(dpkgInstalled(fixture.rootfsDir));
  });

  it('go: the modules and toolchain `go version -m` reads from the fzf binary', () => {
    const out = run('go', ['version', '-m', join(fixture.rootfsDir, 'usr/bin/fzf')]);
    const toolchain = /: go(\S+)/.exec(out)?.[1];
    // Debian builds fzf in GOPATH mode: no `mod` line, so only dependencies and the toolchain are modules.
    const modules = out
      .split('\n')
      .map((l) => l.trim().split('\t'))
      .filter((f) => f[0] === 'mod' || f[0] === 'dep')
      .map((f) => `${f[1]}@${f[2]}`);
    const expected = new Set([...modules, `stdlib@${toolchain}`]);
    const actual = new Set(
      doc.packages
        .filter((p) => p.type === 'go' && p.locations[0]?.path === '/usr/bin/fzf')
        .map((p) => `${p.name}@${p.version}`),
    );
    expect(toolchain).toBeDefined();
    expect(actual).toEqual(expected);
  });

  it('nothing else: every package is one of the installed sets checked above', () => {
    const checked = (p: SbomDocument['packages'][number]) => {
      const path = p.locations[0]?.path ?? '';
      if (p.type === 'deb' || p.type === 'gem' || p.type === 'npm') return true;
      if (p.type === 'python') return path.startsWith('/usr/lib/python3/dist-packages/');
      if (p.type === 'java') return path.startsWith('/usr/share/java/');
      return p.type === 'go' && path === '/usr/bin/fzf';
    };
    expect(doc.packages.filter((p) => !checked(p))).toEqual([]);
    expect(doc.packages.filter((p) => p.declaredOnly)).toEqual([]);
  });

  it('owned language packages carry their dpkg owner', () => {
    const requests = doc.packages.find((p) => p.type === 'python' && p.name.toLowerCase() === 'requests');
    expect(requests?.ownedBy).toMatchObject({ type: 'deb', name: 'python3-requests' });
    const lang3 = doc.packages.find(
      (p) => p.type === 'java' && p.purl.startsWith('pkg:maven/org.apache.commons/commons-lang3@'),
    );
    expect(lang3?.ownedBy).toMatchObject({ type: 'deb', name: 'libcommons-lang3-java' });
  });
});
