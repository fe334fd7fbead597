import { PackageURL } from 'packageurl-js';
import type { FileInput, ParseContext, ParseResult } from '../types.js';
import { normalizeLicense } from '../../sbom/license-names.js';
import { readString, readStringArray } from './ruby-literals.js';

/** Installed gemspecs are generated files; a huge one is not RubyGems' output. */
const MAX_GEMSPEC_BYTES = 2 * 1024 * 1024;

export function gemPurl(name: string, version: string): string {
  return new PackageURL('gem', undefined, name, version, undefined, undefined).toString();
}

/** Value assigned to `<var>.<attr> = …` (first occurrence), as a string or string array. */
function assignment(src: string, variable: string, attr: string): { index: number } | undefined {
  const re = new RegExp(`(?:^|[\\s;])${variable}\\.${attr}\\s*=(?!=)`, 'm');
  const m = re.exec(src);
  return m === null ? undefined : { index: m.index + m[0].length };
}

function readVersion(src: string, pos: number): string | undefined {
  const direct = readString(src, pos);
  if (direct !== undefined) return direct.value;
  // `Gem::Version.new("1.2.3")` in older generated specs
  const m = /^\s*Gem::Version\.new\(\s*/.exec(src.slice(pos));
  return m === null ? undefined : readString(src, pos + m[0].length)?.value;
}

/** `specifications/*.gemspec` as RubyGems writes them when installing a gem. */
export async function parseGemspec(file: FileInput, _context: ParseContext): Promise<ParseResult> {
  const result: ParseResult = { packages: [], relationships: [], problems: [] };
  if (file.contents.length > MAX_GEMSPEC_BYTES) {
    result.problems.push(`${file.path}: ${file.contents.length} bytes is too large for a gemspec`);
    return result;
  }
  const src = file.contents.toString('utf8');
  const variable = /Gem::Specification\.new\s*(?:do|\{)\s*\|\s*(\w+)\s*\|/.exec(src)?.[1] ?? 's';
  const at = (attr: string) => assignment(src, variable, attr)?.index;
  const namePos = at('name');
  const versionPos = at('version');
  const name = namePos === undefined ? undefined : readString(src, namePos)?.value;
  const version = versionPos === undefined ? undefined : readVersion(src, versionPos);
  if (name === undefined || version === undefined || name === '' || version === '') {
    result.problems.push(`${file.path}: no literal ${variable}.name and ${variable}.version assignments`);
    return result;
  }
  const licensesPos = at('licenses') ?? at('license');
  const licenses =
    licensesPos === undefined ? [] : (readStringArray(src, licensesPos) ?? []).map(normalizeLicense);
  const metadata: Record<string, unknown> = { path: file.path };
  for (const attr of ['homepage', 'summary'] as const) {
    const pos = at(attr);
    const value = pos === undefined ? undefined : readString(src, pos)?.value;
    if (value !== undefined) metadata[attr] = value;
  }
  const runtime = new Set<string>();
  const depRe = new RegExp(`${variable}\\.add_(?:runtime_)?dependency\\(?\\s*`, 'g');
  for (let m = depRe.exec(src); m !== null; m = depRe.exec(src)) {
    const dep = readString(src, m.index + m[0].length);
    if (dep !== undefined) runtime.add(dep.value);
  }
  metadata.dependencies = [...runtime];
  try {
    result.packages.push({ name, version, type: 'gem', purl: gemPurl(name, version), licenses, metadata });
  } catch (err) {
    result.problems.push(
      `${file.path}: cannot form a PURL for ${name}@${version}: ${(err as Error).message}`,
    );
  }
  return result;
}
