import type { FileInput, ParseContext, ParseResult } from '../types.js';
import { gemPurl } from './parse-gemspec.js';

const SOURCE_SECTIONS = new Set(['GEM', 'PATH', 'GIT', 'PLUGIN SOURCE']);

/** `nokogiri (1.12.5-x86_64-linux)` → name, version, platform. Gem versions never contain `-`. */
function readSpec(text: string): { name: string; version: string; platform?: string } | undefined {
  const m = /^(\S+) \(([^)]+)\)$/.exec(text);
  if (m === null) return undefined;
  const [version = '', platform] = (m[2] ?? '').split(/-(.*)/s);
  return { name: m[1] ?? '', version, ...(platform !== undefined && platform !== '' && { platform }) };
}

/**
 * Bundler's Gemfile.lock: source sections (GEM, PATH, GIT) hold `specs:` with gems at four
 * spaces and their dependencies at six.
 */
export async function parseGemfileLock(file: FileInput, _context: ParseContext): Promise<ParseResult> {
  const result: ParseResult = { packages: [], relationships: [], problems: [] };
  const text = file.contents.toString('utf8');
  let section = '';
  let inSpecs = false;
  let current: { name: string; version: string } | undefined;
  const versions = new Map<string, string>();
  const edges: [string, string][] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    if (!line.startsWith(' ')) {
      section = line.trim();
      inSpecs = false;
      current = undefined;
      return;
    }
    if (!SOURCE_SECTIONS.has(section)) return;
    if (/^ {2}\S/.test(line)) {
      inSpecs = line.trim() === 'specs:';
      return;
    }
    if (!inSpecs) return;
    if (/^ {4}\S/.test(line)) {
      const spec = readSpec(line.trim());
      if (spec === undefined || spec.name === '' || spec.version === '') {
        result.problems.push(`${file.path}:${index + 1}: cannot read spec "${line.trim()}"`);
        current = undefined;
        return;
      }
      current = spec;
      if (versions.has(spec.name) && versions.get(spec.name) === spec.version) return; // one per platform
      versions.set(spec.name, spec.version);
      const metadata: Record<string, unknown> = { path: file.path, source: section };
      if (spec.platform !== undefined) metadata.platform = spec.platform;
      try {
        result.packages.push({
          name: spec.name,
          version: spec.version,
          type: 'gem',
          purl: gemPurl(spec.name, spec.version),
          licenses: [],
          metadata,
        });
      } catch (err) {
        result.problems.push(`${file.path}:${index + 1}: ${(err as Error).message}`);
      }
    } else if (/^ {6}\S/.test(line) && current !== undefined) {
      const dep = /^(\S+)/.exec(line.trim())?.[1];
      if (dep !== undefined) edges.push([`gem/${current.name}@${current.version}`, dep]);
    }
  });
  for (const [from, dep] of edges) {
    const version = versions.get(dep);
    if (version !== undefined)
      result.relationships.push({ from, to: `gem/${dep}@${version}`, type: 'depends-on' });
  }
  return result;
}
