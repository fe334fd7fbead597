import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  hostContext,
  hostGlob,
  memoryResolver,
  nameVersions,
  parseHostFiles,
} from '../npm/test-support/host-fs.js';
import { pythonInstalledCataloger } from './index.js';
import { normalizePythonName, parsePythonMetadata } from './parse-python-metadata.js';

const SITE = '/usr/lib/python3/dist-packages';
const [parser] = pythonInstalledCataloger.parsers;

describe('python cataloger against importlib.metadata', () => {
  it("equals Debian python3's importlib.metadata for dist-packages (python3-requests installed)", async () => {
    const script = [
      'import importlib.metadata as m, json',
      `print(json.dumps(sorted({d.metadata["Name"] + "@" + d.version for d in m.distributions(path=["${SITE}"])})))`,
    ].join('\n');
    const truth = JSON.parse(
      execFileSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8' }),
    ) as string[];
    expect(truth).toContain('requests@2.28.1');

    const files = (await hostGlob(SITE, '/**/*.{dist-info/METADATA,egg-info/PKG-INFO,egg-info}')).filter(
      (f) => f.split('/').length === SITE.split('/').length + (f.endsWith('.egg-info') ? 1 : 2),
    );
    const result = await parseHostFiles(parser!, files);
    expect(nameVersions(result)).toEqual(truth);
  });

  it('depends-on edges equal importlib.metadata requires() (without extras) resolved among installed distributions', async () => {
    const script = [
      'import importlib.metadata as m, json, re',
      `dists = list(m.distributions(path=["${SITE}"]))`,
      'norm = lambda n: re.sub(r"[-_.]+", "-", n).lower()',
      'installed = {}',
      'for d in dists: installed.setdefault(norm(d.metadata["Name"]), d)',
      'edges = set()',
      'for d in dists:',
      '  for req in d.requires or []:',
      '    if re.search(r"extra\\s*==", req.split(";", 1)[1] if ";" in req else ""): continue',
      '    name = re.match(r"\\s*([A-Za-z0-9][A-Za-z0-9._-]*)", req).group(1)',
      '    t = installed.get(norm(name))',
      '    if t: edges.add(d.metadata["Name"] + "@" + d.version + " -> " + t.metadata["Name"] + "@" + t.version)',
      'print(json.dumps(sorted(edges)))',
    ].join('\n');
    const truth = JSON.parse(
      execFileSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8' }),
    ) as string[];
    expect(truth.length).toBeGreaterThan(0);
    const files = (await hostGlob(SITE, '/**/*.{dist-info/METADATA,egg-info/PKG-INFO,egg-info}')).filter(
      (f) => f.split('/').length === SITE.split('/').length + (f.endsWith('.egg-info') ? 1 : 2),
    );
    const result = await parseHostFiles(parser!, files);
    const ours = [
      ...new Set(
        result.relationships.map(
          (r) => `${r.from.replace(/^python\//, '')} -> ${r.to.replace(/^python\//, '')}`,
        ),
      ),
    ].sort();
    expect(ours).toEqual(truth);
  });

  it('reads RECORD into the file list and normalizes the PURL name per PEP 503', async () => {
    const [metadata] = await hostGlob(SITE, '/**/charset_normalizer-*.dist-info/METADATA');
    const result = await parseHostFiles(parser!, [metadata!]);
    const pkg = result.packages[0]!;
    expect(pkg.name).toBe('charset-normalizer');
    expect(pkg.purl).toMatch(/^pkg:pypi\/charset-normalizer@/);
    const record = execFileSync('cut', ['-d,', '-f1', metadata!.replace(/METADATA$/, 'RECORD')], {
      encoding: 'utf8',
    })
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => `${SITE}/${l}`.replace(/\/[^/]+\/\.\.\//g, '/'));
    expect(pkg.metadata.files).toEqual(record);
  });
});

describe('python core metadata parsing', () => {
  const parse = (text: string | Buffer, path = '/s/Foo.Bar_baz-1.0.dist-info/METADATA') =>
    parsePythonMetadata({ path, contents: Buffer.from(text) }, hostContext());

  it.each([
    ['Foo.Bar_baz', 'foo-bar-baz'],
    ['zope.interface', 'zope-interface'],
    ['A__B--C..d', 'a-b-c-d'],
    ['requests', 'requests'],
  ])('PEP 503 normalizes %s to %s', (name, expected) => {
    expect(normalizePythonName(name)).toBe(expected);
  });

  it('keeps the display name, joins continuation lines and prefers License-Expression', async () => {
    const text = [
      'Metadata-Version: 2.4',
      'Name: Foo.Bar_baz',
      'Version: 1.0',
      'Summary: first line',
      '  second line',
      'License: BSD',
      'License-Expression: MIT OR Apache-2.0',
      'Requires-Dist: six>=1',
      'Requires-Dist: idna',
      '',
      'Name: Body',
    ].join('\n');
    const result = await parse(text);
    const pkg = result.packages[0]!;
    expect(pkg.name).toBe('Foo.Bar_baz');
    expect(pkg.purl).toBe('pkg:pypi/foo-bar-baz@1.0');
    expect(pkg.licenses).toEqual(['MIT OR Apache-2.0']);
    expect(pkg.metadata.summary).toBe('first line\nsecond line');
    expect(pkg.metadata.requiresDist).toEqual(['six>=1', 'idna']);
  });

  it('maps license classifiers when no License header is usable', async () => {
    const text =
      'Name: x\nVersion: 2\nLicense: UNKNOWN\nClassifier: License :: OSI Approved :: MIT License\nClassifier: Topic :: Web\n';
    expect((await parse(text)).packages[0]!.licenses).toEqual(['MIT']);
  });

  it('records a License header that names one SPDX licence as its id (requests: "Apache 2.0")', async () => {
    const licenses = async (value: string) =>
      (await parse(`Name: x\nVersion: 2\nLicense: ${value}\n`)).packages[0]!.licenses;
    expect(await licenses('Apache 2.0')).toEqual(['Apache-2.0']);
    expect(await licenses('BSD')).toEqual(['BSD']);
  });

  it('reads non-UTF-8 metadata as Latin-1 and records it', async () => {
    const bytes = Buffer.concat([
      Buffer.from('Name: caf'),
      Buffer.from([0xe9]),
      Buffer.from('\nVersion: 1.0\n'),
    ]);
    const result = await parse(bytes, '/s/cafe.egg-info/PKG-INFO');
    expect(result.packages[0]!.name).toBe('café');
    expect(result.problems[0]).toContain('not valid UTF-8');
  });

  it.each([
    ['empty', ''],
    ['no version', 'Name: x\n'],
    ['garbage', '\u0000\u0001\u0002 binary'],
  ])('records a problem for %s metadata', async (_label, text) => {
    const result = await parse(text);
    expect(result.packages).toEqual([]);
    expect(result.problems[0]).toContain('without Name and Version');
  });

  it('egg-info installed-files.txt paths are relative to the egg-info directory', async () => {
    const resolver = memoryResolver({ '/s/x.egg-info/installed-files.txt': '../x/__init__.py\nPKG-INFO\n' });
    const result = await parsePythonMetadata(
      { path: '/s/x.egg-info/PKG-INFO', contents: Buffer.from('Name: x\nVersion: 1\n') },
      { resolver, foundBy: 't@1' },
    );
    expect(result.packages[0]!.metadata.files).toEqual(['/s/x/__init__.py', '/s/x.egg-info/PKG-INFO']);
  });
});
