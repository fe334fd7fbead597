import { PackageURL } from 'packageurl-js';
import type { FileInput, ParseContext, ParsedPackage, ParseResult } from '../types.js';
import { isElf } from './elf.js';
import { parseModInfo, type GoModule } from './parse-modinfo.js';
import { readGoBuildInfo } from './read-buildinfo.js';

/** `github.com/x/y` → namespace `github.com/x`, name `y`, as purl-spec's golang type wants. */
export function goPurl(path: string, version: string): string {
  const slash = path.lastIndexOf('/');
  const namespace = slash > 0 ? path.slice(0, slash) : undefined;
  const name = slash > 0 ? path.slice(slash + 1) : path;
  return new PackageURL(
    'golang',
    namespace,
    name,
    version === '' ? undefined : version,
    undefined,
    undefined,
  ).toString();
}

export const goKey = (path: string, version: string): string => `go/${path}@${version}`;

/**
 * A module as the binary was built with it: a replacement with a version is what got compiled
 * (so it names the package); a local directory replacement has none, so the required version stays.
 */
function modulePackage(mod: GoModule, binary: string, extra: Record<string, unknown>): ParsedPackage {
  const replaced =
    mod.replace !== undefined && mod.replace.version !== '' && mod.replace.version !== '(devel)';
  const path = replaced ? mod.replace!.path : mod.path;
  const version = replaced ? mod.replace!.version : mod.version;
  const metadata: Record<string, unknown> = { path: binary, ...extra };
  const sum = replaced ? mod.replace!.sum : mod.sum;
  if (sum !== undefined) metadata.h1Digest = sum;
  if (mod.replace !== undefined) metadata.replace = { from: `${mod.path}@${mod.version}`, to: mod.replace };
  return { name: path, version, type: 'go', purl: goPurl(path, version), licenses: [], metadata };
}

/** Module build info embedded in a Go ELF executable. Non-Go and non-ELF files give nothing. */
export async function parseGoBinary(file: FileInput, _context: ParseContext): Promise<ParseResult> {
  const result: ParseResult = { packages: [], relationships: [], problems: [] };
  if (!isElf(file.contents)) return result;
  let raw;
  try {
    raw = readGoBuildInfo(file.contents);
  } catch (err) {
    // Out-of-range reads on a corrupt ELF; the binary stays an unknown.
    result.problems.push(`${file.path}: unreadable Go build info: ${(err as Error).message}`);
    return result;
  }
  if (raw === undefined) return result;
  const info = parseModInfo(raw.modinfo);
  const goVersion = raw.goVersion;
  const common = { goVersion, ...(info.path !== undefined && { mainPackage: info.path }) };
  try {
    // The standard library is compiled in too and has its own vulnerabilities.
    if (/^go\d/.test(goVersion)) {
      const v = goVersion.replace(/^go/, '').split(/\s/)[0] ?? '';
      result.packages.push({
        name: 'stdlib',
        version: v,
        type: 'go',
        purl: goPurl('stdlib', v),
        licenses: ['BSD-3-Clause'],
        metadata: { path: file.path, goVersion },
      });
    }
    let mainKey: string | undefined;
    if (info.main !== undefined) {
      const main = modulePackage(info.main, file.path, {
        ...common,
        mainModule: true,
        buildSettings: info.settings,
      });
      // `(devel)`: built from a checkout, not a tagged module; keep the marker where it is visible.
      if (info.main.version === '(devel)') main.metadata.devel = true;
      result.packages.push(main);
      mainKey = goKey(main.name, main.version);
    }
    for (const dep of info.deps) {
      const pkg = modulePackage(dep, file.path, common);
      result.packages.push(pkg);
      if (mainKey !== undefined)
        result.relationships.push({ from: mainKey, to: goKey(pkg.name, pkg.version), type: 'depends-on' });
    }
  } catch (err) {
    result.problems.push(`${file.path}: bad module path in build info: ${(err as Error).message}`);
  }
  return result;
}
