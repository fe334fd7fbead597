/**
 * Parsers for the dpkg database: /var/lib/dpkg/status (all packages in one file) and the
 * distroless layout /var/lib/dpkg/status.d/<pkg> (one stanza per file, md5sums beside it).
 */
import { posix } from 'node:path';
import type { CatalogerParser, FileInput, ParseContext, ParsedPackage, ParseResult } from '../types.js';
import { decodeControl, parseControl } from './control.js';
import { licensesFromCopyright } from './copyright.js';
import { infoBaseNames, readOwnedFiles } from './files.js';
import { stanzaToPackage } from './package.js';
import { dependencyEdges } from './relationships.js';

const STATUS_D = '/var/lib/dpkg/status.d';
/** Distroless images hold tens of packages; a bound keeps a hostile image from fanning out. */
const MAX_STATUS_D_SIBLINGS = 2_000;
/** Sibling reads in flight at once: enough to hide file-system latency, few enough to bound memory. */
const READ_CONCURRENCY = 16;

export const dpkgStatusParser: CatalogerParser = {
  globs: ['/var/lib/dpkg/status'],
  prefetch: ['/var/lib/dpkg/info/*.list', '/var/lib/dpkg/info/*.md5sums', '/usr/share/doc/*/copyright'],
  async parse(file, context) {
    const result = parseStanzas(file, context, false);
    const infoDir = posix.join(posix.dirname(file.path), 'info');
    await inBatches(result.packages, (pkg) => enrich(pkg, file, context, infoDir, '.list'));
    result.relationships = dependencyEdges(result.packages);
    return result;
  },
};

export const dpkgStatusDParser: CatalogerParser = {
  globs: [`${STATUS_D}/*`],
  prefetch: ['/var/lib/dpkg/status.d/*', '/usr/share/doc/*/copyright'],
  async parse(file, context) {
    // md5sums files sit in the same folder; they are read as siblings of their stanza file.
    if (file.path.endsWith('.md5sums')) return { packages: [], relationships: [], problems: [] };
    const result = parseStanzas(file, context, true);
    const dir = posix.dirname(file.path);
    await inBatches(result.packages, (pkg) => enrich(pkg, file, context, dir, '.md5sums'));
    const installed = await siblingPackages(file, context);
    const own = new Set(result.packages.map((p) => `${p.name}@${p.version}`));
    const all = [...result.packages, ...installed.filter((p) => !own.has(`${p.name}@${p.version}`))];
    result.relationships = dependencyEdges(all).filter((e) =>
      result.packages.some((p) => e.from === `deb/${p.name}@${p.version}`),
    );
    return result;
  },
};

function parseStanzas(file: FileInput, context: ParseContext, distroless: boolean): ParseResult {
  const { stanzas, problems } = parseControl(decodeControl(file.contents), file.path);
  const packages: ParsedPackage[] = [];
  const fallbackStatus = distroless
    ? { want: 'install', flag: 'ok', state: 'installed' as const }
    : undefined;
  for (const stanza of stanzas) {
    const r = stanzaToPackage(stanza, file.path, context, fallbackStatus);
    if ('problem' in r) problems.push(r.problem);
    else if ('package' in r) packages.push(r.package);
  }
  if (stanzas.length === 0 && !distroless && file.contents.length > 0) {
    problems.push(`${file.path}: no package stanzas found`);
  }
  return { packages, relationships: [], problems };
}

async function enrich(
  pkg: ParsedPackage,
  file: FileInput,
  context: ParseContext,
  infoDir: string,
  listExtension: '.list' | '.md5sums',
): Promise<void> {
  const locations: NonNullable<ParsedPackage['locations']> = [location(file.path, file, 'primary')];
  const arch = typeof pkg.metadata.architecture === 'string' ? pkg.metadata.architecture : undefined;
  const owned = await readOwnedFiles(context.resolver, infoDir, infoBaseNames(pkg.name, arch), listExtension);
  if (owned) {
    pkg.metadata.files = owned.files;
    for (const s of owned.sources) locations.push(location(s, undefined, 'supporting'));
  }
  const copyrightPath = `/usr/share/doc/${pkg.name}/copyright`;
  const copyright = await context.resolver.read(copyrightPath);
  if (copyright !== undefined) {
    pkg.licenses = licensesFromCopyright(copyright);
    locations.push(location(copyrightPath, undefined, 'supporting'));
  }
  pkg.locations = locations;
}

function location(path: string, file: FileInput | undefined, annotation: 'primary' | 'supporting') {
  return file?.layerDiffId ? { path, layerDiffId: file.layerDiffId, annotation } : { path, annotation };
}

/**
 * The distroless stanza files of one image view, read once per resolver: every status.d file
 * is parsed separately, and re-reading all siblings for each would be quadratic. The cache is
 * keyed on the resolver object, which stands for one immutable view of the image.
 */
const statusDCache = new WeakMap<object, Map<string, Promise<ParsedPackage[]>>>();

async function siblingPackages(file: FileInput, context: ParseContext): Promise<ParsedPackage[]> {
  const dir = posix.dirname(file.path);
  let byDir = statusDCache.get(context.resolver);
  if (!byDir) {
    byDir = new Map();
    statusDCache.set(context.resolver, byDir);
  }
  let all = byDir.get(dir);
  if (!all) {
    all = readStatusDir(dir, context);
    byDir.set(dir, all);
  }
  return (await all).filter((p) => p.locations?.[0]?.path !== file.path);
}

async function readStatusDir(dir: string, context: ParseContext): Promise<ParsedPackage[]> {
  const paths = (await context.resolver.glob(`${dir}/*`))
    .filter((p) => !p.endsWith('.md5sums'))
    .slice(0, MAX_STATUS_D_SIBLINGS);
  const out: ParsedPackage[] = [];
  for (const path of paths) {
    const contents = await context.resolver.read(path);
    if (contents === undefined) continue;
    for (const pkg of parseStanzas({ path, contents }, context, true).packages) {
      pkg.locations = [{ path }];
      out.push(pkg);
    }
  }
  return out;
}

async function inBatches<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += READ_CONCURRENCY) {
    await Promise.all(items.slice(i, i + READ_CONCURRENCY).map(work));
  }
}
