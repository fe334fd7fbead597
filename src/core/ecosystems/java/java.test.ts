import { execFileSync } from 'node:child_process';
import { lstatSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostContext, hostGlob } from '../npm/test-support/host-fs.js';
import { parseManifest, parsePomCoordinates } from './parse-manifest.js';
import { normalizeLicense } from '../../sbom/license-names.js';
import { javaArchiveParser, parseJavaArchive } from './parse-java-archive.js';

const parse = async (path: string, contents?: Buffer) =>
  parseJavaArchive({ path, contents: contents ?? (await readFile(path)) }, hostContext());

/** pom.properties of a jar as `unzip` sees them: the ground truth. */
function unzipPomProperties(jar: string): string[] {
  let text: string;
  try {
    // unzip's "caution: filename not matched" on stderr is expected; it must not reach test output.
    text = execFileSync('unzip', ['-p', jar, 'META-INF/maven/*/*/pom.properties'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return []; // unzip exits non-zero when nothing matches
  }
  const out: string[] = [];
  let current: Record<string, string> = {};
  const flush = () => {
    if (current.artifactId !== undefined)
      out.push(`${current.groupId}:${current.artifactId}@${current.version}`);
    current = {};
  };
  for (const line of text.split('\n')) {
    const m = /^(groupId|artifactId|version)=(.*)$/.exec(line.trim());
    if (m === null) continue;
    if (current[m[1]!] !== undefined) flush();
    current[m[1]!] = m[2]!;
  }
  flush();
  return out.sort();
}

const coords = (r: Awaited<ReturnType<typeof parse>>) =>
  r.packages
    .filter((p) => p.metadata.confidence === 'high')
    .map((p) => `${String(p.metadata.groupId)}:${p.name}@${p.version}`)
    .sort();

/** Builds zips with Python's zipfile module (a real zip writer, not our code). */
function pyZip(script: string, dir: string): void {
  execFileSync('/usr/bin/python3', [
    '-c',
    `import zipfile, io, os\nos.chdir(${JSON.stringify(dir)})\n${script}`,
  ]);
}

describe('java archives against unzip', () => {
  it('a jar without any version evidence (Debian gettext.jar) is recorded as a problem', async () => {
    const result = await parse('/usr/share/java/gettext.jar');
    expect(result.packages).toEqual([]);
    expect(result.problems[0]).toContain('no Maven coordinates');
  });

  it('libcommons-lang3-java and libjackson2-core-java: coordinates equal their pom.properties', async () => {
    for (const jar of [
      '/usr/share/java/commons-lang3-3.12.0.jar',
      '/usr/share/java/jackson-core-2.14.1.jar',
    ]) {
      const result = await parse(jar);
      expect(coords(result)).toEqual(unzipPomProperties(jar));
      expect(result.problems).toEqual([]);
    }
    const lang3 = (await parse('/usr/share/java/commons-lang3-3.12.0.jar')).packages[0]!;
    expect(lang3.purl).toBe('pkg:maven/org.apache.commons/commons-lang3@3.12.0');
  });

  it('every jar Debian installed under /usr/share/java matches unzip, and jars without poms still yield a package', async () => {
    const jars = (await hostGlob('/usr/share/java', '/**/*.jar')).filter(
      (j) => !lstatSync(j).isSymbolicLink(),
    );
    expect(jars.length).toBeGreaterThan(1);
    for (const jar of jars) {
      const result = await parse(jar);
      const truth = unzipPomProperties(jar);
      expect(coords(result), jar).toEqual(truth);
      // without a pom, the manifest or file name gives a package, or the jar is recorded as unidentified
      if (truth.length === 0) expect(result.packages.length + result.problems.length, jar).toBeGreaterThan(0);
    }
  });
});

describe('java archives built for the test', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portcullis-java-'));
    pyZip(
      `
def jar(name, files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w', zipfile.ZIP_DEFLATED) as z:
        for k, v in files.items(): z.writestr(k, v)
    data = buf.getvalue()
    if name: open(name, 'wb').write(data)
    return data
inner = jar(None, {'META-INF/maven/com.example/inner/pom.properties': 'groupId=com.example\\nartifactId=inner\\nversion=1.0\\n'})
manifest_only = jar(None, {'META-INF/MANIFEST.MF': 'Manifest-Version: 1.0\\r\\nBundle-SymbolicName: org.example.bundle;singleton:=true\\r\\nBundle-Version: 2.3.4\\r\\n\\r\\n'})
jar('app.war', {
  'META-INF/maven/com.example/app/pom.properties': 'groupId=com.example\\nartifactId=app\\nversion=3.0\\n',
  'META-INF/maven/com.shaded/dep/pom.properties': '#shaded\\ngroupId=com.shaded\\nartifactId=dep\\nversion=0.9\\n',
  'WEB-INF/lib/inner-1.0.jar': inner,
  'WEB-INF/lib/bundle.jar': manifest_only,
})
deep = jar(None, {'META-INF/maven/d/d/pom.properties': 'groupId=d\\nartifactId=d\\nversion=1\\n'})
for i in range(8): deep = jar(None, {'nested-%d.jar' % i: deep})
open('deep.jar', 'wb').write(deep)
big = io.BytesIO()
with zipfile.ZipFile(big, 'w', zipfile.ZIP_DEFLATED) as z: z.writestr('huge.jar', b'\\0' * (64 * 1024 * 1024))
jar('bomb.jar', {'lib/a.jar': big.getvalue(), 'lib/b.jar': big.getvalue(), 'META-INF/maven/b/b/pom.properties': 'groupId=b\\nartifactId=b\\nversion=1\\n'})
data = open('app.war', 'rb').read()
open('truncated.jar', 'wb').write(data[: len(data) // 2])
`,
      dir,
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('finds shaded poms, nested jars and the manifest fallback with lower confidence', async () => {
    const result = await parse(join(dir, 'app.war'));
    const found = result.packages.map((p) => `${p.purl} ${String(p.metadata.confidence)}`).sort();
    expect(found).toEqual([
      // no Maven metadata: the group is unknown, not guessed, and a Maven PURL needs one
      'pkg:generic/org.example.bundle@2.3.4 low',
      'pkg:maven/com.example/app@3.0 high',
      'pkg:maven/com.example/inner@1.0 high',
      'pkg:maven/com.shaded/dep@0.9 high',
    ]);
    const bundle = result.packages.find((p) => p.name === 'org.example.bundle');
    expect(bundle?.metadata.groupIdCandidates).toEqual(['org.example', 'org.example.bundle']);
    expect(bundle?.metadata.groupId).toBeUndefined();
    const inner = result.packages.find((p) => p.name === 'inner')!;
    expect(inner.metadata.virtualPath).toBe(`${join(dir, 'app.war')}!/WEB-INF/lib/inner-1.0.jar`);
    expect(result.relationships).toContainEqual({
      from: 'java/app@3.0',
      to: 'java/inner@1.0',
      type: 'contains',
    });
    expect(result.problems).toEqual([]);
  });

  it('stops at the depth limit and records it', async () => {
    const result = await parse(join(dir, 'deep.jar'));
    expect(result.packages.filter((p) => p.name === 'd')).toEqual([]);
    expect(result.problems.some((p) => p.includes('nested deeper than 4'))).toBe(true);
  });

  it('a zip bomb (nested huge entries) is recorded, not inflated', async () => {
    const parser = javaArchiveParser({
      maxDepth: 4,
      maxNestedBytes: 8 * 1024 * 1024,
      maxTotalBytes: 16 * 1024 * 1024,
      maxMetadataBytes: 65536,
      maxEntries: 1000,
    });
    const result = await parser(
      { path: '/b/bomb.jar', contents: readFileSync(join(dir, 'bomb.jar')) },
      hostContext(),
    );
    expect(result.packages.map((p) => p.purl)).toContain('pkg:maven/b/b@1');
    expect(
      result.problems.filter((p) => p.includes('exceeds') || p.includes('inflates past')).length,
    ).toBeGreaterThan(0);
    // default limits: the 64 MiB inner entries exceed the total budget on the second one at the latest
    const dflt = await parse('/b/bomb.jar', readFileSync(join(dir, 'bomb.jar')));
    expect(dflt.problems.length).toBeGreaterThan(0);
  });

  it.each([
    ['truncated zip', () => readFileSync(join(dir, 'truncated.jar'))],
    ['garbage', () => Buffer.from('PK\u0003\u0004 not really a zip')],
    ['empty file', () => Buffer.alloc(0)],
  ])('%s gives a recorded problem', async (_label, bytes) => {
    const result = await parse('/x/broken.jar', bytes());
    expect(result.packages).toEqual([]);
    expect(result.problems[0]).toContain('/x/broken.jar');
  });
});

describe('pom.xml licenses against Python xml.etree', () => {
  it('every Debian jar with a pom.xml: licenses equal project/licenses/license/name', async () => {
    const jars = (await hostGlob('/usr/share/java', '/**/*.jar')).filter(
      (j) => !lstatSync(j).isSymbolicLink(),
    );
    const script = [
      'import sys, zipfile, json, xml.etree.ElementTree as ET',
      'out = {}',
      'for jar in sys.argv[1:]:',
      '  z = zipfile.ZipFile(jar)',
      '  for n in z.namelist():',
      '    if n.startswith("META-INF/maven/") and n.endswith("/pom.xml"):',
      '      root = ET.fromstring(z.read(n))',
      '      ns = {"m": root.tag[1:].split("}")[0]} if root.tag.startswith("{") else {}',
      '      p = "m:" if ns else ""',
      '      out.setdefault(jar, []).extend(e.text.strip() for e in root.findall(f"{p}licenses/{p}license/{p}name", ns) if e.text and e.text.strip())',
      'print(json.dumps(out))',
    ].join('\n');
    const truth = JSON.parse(
      execFileSync('/usr/bin/python3', ['-c', script, ...jars], { encoding: 'utf8' }),
    ) as Record<string, string[]>;
    expect(
      Object.entries(truth).some(([jar, names]) => jar.includes('jackson-core') && names.length > 0),
    ).toBe(true);
    for (const [jar, names] of Object.entries(truth)) {
      const result = await parse(jar);
      expect(
        result.packages.flatMap((p) => p.licenses),
        jar,
      ).toEqual(names.map(normalizeLicense)); // the pom's names, as SPDX ids where they name one
    }
  });
});

describe('java metadata files', () => {
  it('joins manifest continuation lines without the leading space', () => {
    const mf = parseManifest(
      'Manifest-Version: 1.0\r\nImplementation-Title: very-long-na\r\n me\r\n\r\nName: x\r\nImplementation-Title: other\r\n',
    );
    expect(mf.get('Implementation-Title')).toBe('very-long-name');
  });

  it('reads pom.xml coordinates, inheriting groupId and version from the parent', () => {
    const xml = `<project><parent><groupId>org.p</groupId><artifactId>parent</artifactId><version>7</version></parent>
      <artifactId>child</artifactId><dependencies><dependency><groupId>x</groupId><artifactId>y</artifactId><version>1</version></dependency></dependencies></project>`;
    expect(parsePomCoordinates(xml)).toEqual({ groupId: 'org.p', artifactId: 'child', version: '7' });
  });
});
