/**
 * What the ecosystems' own tools say is installed in an unpacked rootfs: RubyGems' list of
 * gems and `npm ls`. Ground truth for SBOM tests on fixture images.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { flattenLs, type LsNode } from '../../ecosystems/npm/test-support/npm-install.js';

const run = (cmd: string, args: string[]): string =>
  execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 }).toString();

// RubyGems' own enumeration (what `gem list` prints), with its gem path and default-gem
// directory moved under the rootfs. The host's Ruby is bookworm's, as the fixture's is, so its
// Gem.path names the same directories Debian's rubygems-integration configures in the image.
const GEM_LIST = `
root = ARGV.fetch(0)
inside = ->(dir) { File.join(root, dir) }
default_dir = inside.(Gem.default_specifications_dir)
Gem.singleton_class.send(:define_method, :default_specifications_dir) { default_dir }
Gem::Specification.dirs = Gem.path.map(&inside)
Gem::Specification.stubs.each { |s| puts "#{s.name}@#{s.version}" }
`;

/** `name@version` of every gem RubyGems finds in the rootfs, default gems included. */
export function gemTruth(rootfs: string): Set<string> {
  return new Set(run('ruby', ['-e', GEM_LIST, rootfs]).trim().split('\n'));
}

/**
 * `npm ls --all` of the application in `appDir`: its own name@version and every module; with
 * `lockOnly`, what npm reads from its package-lock.json alone (`--package-lock-only`).
 */
export function npmTruth(appDir: string, options: { lockOnly?: boolean } = {}): Set<string> {
  const args = [
    'ls',
    '--all',
    '--json',
    '--prefix',
    appDir,
    ...(options.lockOnly ? ['--package-lock-only'] : []),
  ];
  const ls = JSON.parse(run('npm', args)) as LsNode & {
    name?: string;
  };
  const out = flattenLs(ls);
  if (ls.name && ls.version) out.add(`${ls.name}@${ls.version}`);
  return out;
}

/** Paths (relative to the rootfs) of every file called `name`, as find(1) lists them. */
export function lockFiles(rootfs: string, name: string): string[] {
  return run('find', [rootfs, '-name', name, '-type', 'f'])
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.slice(rootfs.length));
}

/** Gems a Gemfile.lock pins, as Bundler's own lock-file parser reads them. */
export function bundlerLockTruth(rootfs: string, lockFile: string): Set<string> {
  // Bundler resolves `PATH` sources against the Gemfile beside the lock file.
  const script = `ENV["BUNDLE_GEMFILE"] = File.join(File.dirname(ARGV[0]), "Gemfile")
require "bundler"
Bundler::LockfileParser.new(File.read(ARGV[0])).specs.each { |s| puts "#{s.name}@#{s.version}" }`;
  return new Set(
    run('ruby', ['-e', script, join(rootfs, lockFile)])
      .trim()
      .split('\n'),
  );
}
