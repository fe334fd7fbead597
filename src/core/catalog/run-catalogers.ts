/**
 * The generic cataloger: hands every file that matches a parser's globs to that parser,
 * turns parsed packages into SBOM packages (ids, locations, foundBy), resolves relationship
 * keys to ids, and records files that failed as "unknowns" — a parser error never stops a scan.
 */
import { createHash } from 'node:crypto';
import picomatch from 'picomatch';
import type { Cataloger, CatalogerParser, ParseContext, ParsedPackage } from '../ecosystems/types.js';
import type { FsEntry } from '../fs/types.js';
import type { Package, Relationship, Unknown } from '../sbom/model.js';
import type { CapturedContent, SquashedView } from './content-view.js';
import { basenamePrefilter } from './glob-prefilter.js';
import { resolveToFile, unreadableCode } from './unreadable.js';

export interface CatalogRun {
  packages: Package[];
  relationships: Relationship[];
  unknowns: Unknown[];
  /** For each package id: the evidence entry and the parser that produced it (for layer of origin). */
  evidence: Map<string, { entry: FsEntry; cataloger: Cataloger; parser: CatalogerParser }>;
}

export function packageKey(p: { type: string; name: string; version: string }): string {
  return `${p.type}/${p.name}@${p.version}`;
}

export function packageId(p: { type: string; name: string; version: string }, path: string): string {
  const digest = createHash('sha256')
    .update(`${packageKey(p)}\0${path}`)
    .digest('hex')
    .slice(0, 16);
  return `${p.type}-${p.name.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 40)}-${digest}`;
}

function matcher(globs: readonly string[]): (path: string) => boolean {
  return picomatch([...globs], { dot: true });
}

export async function runCatalogers(
  view: SquashedView,
  content: CapturedContent,
  catalogers: readonly Cataloger[],
  context: Omit<ParseContext, 'foundBy' | 'resolver'>,
): Promise<CatalogRun> {
  const run: CatalogRun = { packages: [], relationships: [], unknowns: [], evidence: new Map() };
  const isFile = (e: FsEntry) => e.type === 'file' || e.type === 'hardlink';
  // Package databases are looked for among every kind of entry, so that a symlink loop or a
  // dangling link where the database should be is reported rather than silently skipped.
  const all = view.entries().filter((e) => e.type !== 'dir');
  const files = all.filter(isFile);
  const names = (list: readonly FsEntry[]) => list.map((e) => e.path.slice(e.path.lastIndexOf('/') + 1));
  const [allNames, fileNames] = [names(all), names(files)];
  const resolver = content.resolver();
  const byKey = new Map<string, string>();
  const pendingRelations: { from: string; to: string; type: Relationship['type'] }[] = [];
  for (const cataloger of catalogers) {
    const foundBy = `${cataloger.id}@${cataloger.version}`;
    const code = unreadableCode(cataloger);
    const [entries, basenames] = cataloger.packageDatabase ? [all, allNames] : [files, fileNames];
    for (const parser of cataloger.parsers) {
      const matches = matcher(parser.globs);
      const pre = basenamePrefilter(parser.globs);
      for (let i = 0; i < entries.length; i++) {
        const entry = entries[i] as FsEntry;
        if (pre && !pre(basenames[i] as string)) continue;
        if (!matches(entry.path)) continue;
        const layerDiffId = view.layers[entry.layer]?.diffId;
        const unknown = (reason: string) =>
          run.unknowns.push({
            path: entry.path,
            cataloger: cataloger.id,
            reason,
            ...(layerDiffId ? { layerDiffId } : {}),
            ...code,
          });
        const resolved = resolveToFile(view, entry);
        if ('problem' in resolved) {
          unknown(resolved.problem);
          continue;
        }
        // Declared inputs were captured in the layer pass; a missing one was filtered out by
        // the parser's `keep` test or is over the size cap. Never another pass over a layer
        // here, except for a database reached through a symlink (its target matched no glob).
        const contents = isFile(entry) ? content.captured(entry) : await resolver.read(entry.path);
        if (!contents) {
          if (!parser.keep) unknown(`file of ${resolved.file.size} bytes is over the cataloger size cap`);
          continue;
        }
        let result;
        try {
          result = await parser.parse(
            { path: entry.path, contents, ...(layerDiffId ? { layerDiffId } : {}) },
            { ...context, resolver, foundBy },
          );
        } catch (err) {
          unknown(`parser failed: ${(err as Error).message}`);
          continue;
        }
        // A database that yields no package but problems could not be read; other problems
        // (one malformed stanza among many) are recorded without a code.
        const unreadable = result.packages.length === 0;
        for (const problem of result.problems) {
          if (unreadable) unknown(problem);
          else
            run.unknowns.push({
              path: entry.path,
              cataloger: cataloger.id,
              reason: problem,
              ...(layerDiffId ? { layerDiffId } : {}),
            });
        }
        for (const parsed of result.packages) {
          const pkg = toPackage(declaredBy(parser, parsed), entry, layerDiffId, foundBy);
          if (run.evidence.has(pkg.id)) continue; // the same file listed twice (hard link + path)
          run.packages.push(pkg);
          run.evidence.set(pkg.id, { entry, cataloger, parser });
          if (!byKey.has(packageKey(pkg))) byKey.set(packageKey(pkg), pkg.id);
        }
        pendingRelations.push(...result.relationships);
      }
    }
  }
  const seen = new Set<string>();
  for (const rel of pendingRelations) {
    const from = byKey.get(rel.from);
    const to = byKey.get(rel.to);
    if (!from || !to || from === to) continue;
    const key = `${from}|${rel.type}|${to}`;
    if (seen.has(key)) continue;
    seen.add(key);
    run.relationships.push({ from, to, type: rel.type });
  }
  return run;
}

/** A lock-file parser's packages are declared, whatever the parser itself says. */
export function declaredBy(parser: CatalogerParser, parsed: ParsedPackage): ParsedPackage {
  return parser.declares ? { ...parsed, declaredOnly: true } : parsed;
}

function toPackage(
  parsed: ParsedPackage,
  entry: FsEntry,
  layerDiffId: string | undefined,
  foundBy: string,
): Package {
  const primary = {
    path: entry.path,
    annotation: 'primary' as const,
    ...(layerDiffId ? { layerDiffId } : {}),
  };
  const extra = (parsed.locations ?? []).filter((l) => l.path !== entry.path);
  const pkg: Package = {
    ...parsed,
    id: packageId(parsed, entry.path),
    foundBy,
    locations: [primary, ...extra],
  };
  return pkg;
}
