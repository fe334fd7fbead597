import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostContext, hostGlob, nameVersions, parseHostFiles } from '../npm/test-support/host-fs.js';
import { rubyInstalledCataloger } from './index.js';
import { parseGemfileLock } from './parse-gemfile-lock.js';
import { normalizeLicense } from '../../sbom/license-names.js';
import { parseGemspec } from './parse-gemspec.js';

const [gemspecParser] = rubyInstalledCataloger.parsers;
const SPEC_DIRS = [
  '/usr/share/rubygems-integration/all/specifications',
  '/usr/lib/ruby/gems/3.1.0/specifications',
];

function ruby(script: string, ...args: string[]): string {
  return execFileSync('ruby', ['-e', script, ...args], { encoding: 'utf8' });
}

/** Bundler needs a Gemfile next to the lockfile even just to parse it. */
function bundlerParse(dir: string, lockfile: string): string[] {
  const script =
    'require "bundler"; require "json"; puts JSON.generate(Bundler::LockfileParser.new(File.read(ARGV[0])).specs.map { |s| "#{s.name}@#{s.version}" }.uniq.sort)';
  const out = execFileSync('ruby', ['-e', script, lockfile], {
    encoding: 'utf8',
    cwd: dir,
    env: { ...process.env, BUNDLE_GEMFILE: join(dir, 'Gemfile'), BUNDLE_USER_HOME: dir },
  });
  return JSON.parse(out) as string[];
}

describe('gemspec parser against RubyGems', () => {
  it('every installed gemspec (ruby-rack, default gems) equals Gem::Specification.load', async () => {
    const files = (await Promise.all(SPEC_DIRS.map((d) => hostGlob(d, '/**/*.gemspec')))).flat();
    expect(files.some((f) => f.includes('/rack-'))).toBe(true);
    const truth = JSON.parse(
      ruby(
        'require "json"; puts JSON.generate(ARGV.map { |f| s = Gem::Specification.load(f); { "f" => f, "n" => s.name, "v" => s.version.to_s, "l" => s.licenses } })',
        ...files,
      ),
    ) as { f: string; n: string; v: string; l: string[] }[];
    const result = await parseHostFiles(gemspecParser!, files);
    expect(result.problems).toEqual([]);
    expect(nameVersions(result)).toEqual([...new Set(truth.map((t) => `${t.n}@${t.v}`))].sort());
    for (const t of truth) {
      const pkg = result.packages.find((p) => p.metadata.path === t.f);
      // RubyGems' names, as SPDX ids where they name one ("ruby" → "Ruby").
      expect(pkg?.licenses, t.f).toEqual(t.l.map(normalizeLicense));
    }
    expect(result.packages.find((p) => p.name === 'rack')?.purl).toMatch(/^pkg:gem\/rack@2\./);
  });

  it('equals `gem list --local` with GEM_PATH set to the rubygems-integration directory', async () => {
    const dir = SPEC_DIRS[0]!.replace(/\/specifications$/, '');
    const out = execFileSync('gem', ['list', '--local', '--no-details'], {
      encoding: 'utf8',
      env: { ...process.env, GEM_HOME: dir, GEM_PATH: dir },
    });
    const truth = out
      .split('\n')
      .flatMap((line) => {
        const m = /^(\S+) \((.*)\)$/.exec(line);
        return m === null
          ? []
          : m[2]!
              .replace(/^default: /, '')
              .split(', ')
              .map((v) => `${m[1]}@${v.replace(/^default: /, '')}`);
      })
      .sort();
    const files = await hostGlob(SPEC_DIRS[0]!, '/**/*.gemspec');
    const ours = nameVersions(await parseHostFiles(gemspecParser!, files));
    // gem list also shows the running Ruby's default gems; every gem we found must be listed
    for (const nv of ours) expect(truth).toContain(nv);
    expect(ours).toContain(truth.find((t) => t.startsWith('rack@')));
  });

  it('reads other literal forms and odd syntax without evaluating anything', async () => {
    const src = `Gem::Specification.new do |spec|
      spec.name    = %q{odd-gem}
      spec.version = Gem::Version.new('1.2.3')
      spec.license = 'Apache-2.0'
      spec.add_runtime_dependency "json", ">= 1"
      spec.files = \`git ls-files\`.split("\\n")
    end`;
    const result = await parseGemspec(
      { path: '/g/specifications/odd.gemspec', contents: Buffer.from(src) },
      hostContext(),
    );
    expect(result.packages[0]).toMatchObject({
      name: 'odd-gem',
      version: '1.2.3',
      licenses: ['Apache-2.0'],
      purl: 'pkg:gem/odd-gem@1.2.3',
    });
    expect(result.packages[0]!.metadata.dependencies).toEqual(['json']);
  });

  it.each([
    ['empty', ''],
    [
      'computed version',
      'Gem::Specification.new do |s|\n s.name = "x"\n s.version = File.read("VERSION")\nend',
    ],
    ['unterminated string', 's.name = "abc\ns.version = "1'],
    ['binary garbage', '\u0000\u00ff\u0001'],
  ])('records a problem for a %s gemspec', async (_label, src) => {
    const result = await parseGemspec(
      { path: '/g/specifications/bad.gemspec', contents: Buffer.from(src) },
      hostContext(),
    );
    expect(result.packages).toEqual([]);
    expect(result.problems[0]).toContain('/g/specifications/bad.gemspec');
  });
});

describe('Gemfile.lock parser against Bundler::LockfileParser', () => {
  const lockfiles: Record<string, string> = {
    'bundler-generated': '',
    'path-git-platforms': `GIT
  remote: https://github.com/example/widget.git
  revision: 0123456789abcdef0123456789abcdef01234567
  specs:
    widget (0.3.0)
      rack (>= 2)

PATH
  remote: engines/local
  specs:
    local_engine (1.0.0)
      nokogiri

GEM
  remote: https://rubygems.org/
  specs:
    nokogiri (1.15.4-x86_64-linux)
      racc (~> 1.4)
    nokogiri (1.15.4-aarch64-linux)
      racc (~> 1.4)
    racc (1.7.1)
    rack (2.2.8)

PLATFORMS
  aarch64-linux
  x86_64-linux

DEPENDENCIES
  local_engine!
  nokogiri
  widget!

BUNDLED WITH
   2.4.19
`,
  };

  it.each(Object.keys(lockfiles))('%s lockfile equals Bundler', async (label) => {
    const dir = await mkdtemp(join(tmpdir(), 'portcullis-gemlock-'));
    try {
      let text = lockfiles[label]!;
      if (text === '') {
        // A lockfile written by Bundler itself, resolved from the gems installed on this machine.
        await writeFile(
          join(dir, 'Gemfile'),
          'source "https://rubygems.org"\ngem "rack"\ngem "rake"\ngem "test-unit"\n',
        );
        execFileSync('bundle3.1', ['lock', '--local'], {
          cwd: dir,
          env: {
            ...process.env,
            GEM_PATH: '/usr/share/rubygems-integration/all:/usr/lib/ruby/gems/3.1.0',
            BUNDLE_USER_HOME: dir,
          },
        });
        text = await readFile(join(dir, 'Gemfile.lock'), 'utf8');
      }
      const path = join(dir, 'Gemfile.lock');
      await writeFile(path, text);
      if (label !== 'bundler-generated') await writeFile(join(dir, 'Gemfile'), '');
      const truth = bundlerParse(dir, path);
      expect(truth.length).toBeGreaterThan(2);
      const result = await parseGemfileLock({ path, contents: Buffer.from(text) }, hostContext());
      expect(result.problems).toEqual([]);
      expect(nameVersions(result)).toEqual(truth);
      if (label !== 'bundler-generated') {
        expect(result.relationships).toContainEqual({
          from: 'gem/widget@0.3.0',
          to: 'gem/rack@2.2.8',
          type: 'depends-on',
        });
        expect(result.packages.find((p) => p.name === 'local_engine')?.metadata.source).toBe('PATH');
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
