/**
 * The all-layers scope: packages from every version of every evidence file, not just the
 * squashed one. The layer pass already captured each layer's copy of every cataloger input,
 * so this re-parses those copies (no second pass over layer bytes). A package the squashed
 * run did not find at that path is one that a later layer removed or replaced: it is added
 * with `inSquashed: false` and the layer where it first appeared.
 */
import picomatch from 'picomatch';
import type { Cataloger, ParseContext } from '../ecosystems/types.js';
import type { Package } from '../sbom/model.js';
import { EMPTY_RESOLVER, layerResolver, type SquashedView } from './content-view.js';
import type { LayerAnalysis } from './layer-analysis.js';
import { declaredBy, packageId, packageKey, type CatalogRun } from './run-catalogers.js';

/** Dedup key of the all-layers scope: (type, name, version, evidence path). */
function evidenceKey(p: { type: string; name: string; version: string }, path: string): string {
  return `${packageKey(p)}\0${path}`;
}

export async function addAllLayerPackages(
  view: SquashedView,
  analyses: readonly LayerAnalysis[],
  run: CatalogRun,
  catalogers: readonly Cataloger[],
  context: Omit<ParseContext, 'foundBy' | 'resolver'>,
): Promise<void> {
  const seen = new Set<string>();
  for (const pkg of run.packages) seen.add(evidenceKey(pkg, pkg.locations[0]?.path ?? ''));
  const reported = new Set<string>();
  const finalLayer = (path: string) => {
    try {
      return view.stat(path)?.layer;
    } catch {
      return undefined; // symlink loop in a parent: treat as not in the squashed view
    }
  };
  // One resolver per layer for the whole run: parsers cache sibling reads per resolver object
  // (dpkg status.d), so a fresh one per parse would re-read a layer's siblings for every file.
  const resolvers = analyses.map((analysis) => layerResolver(analysis));
  for (const cataloger of catalogers) {
    const foundBy = `${cataloger.id}@${cataloger.version}`;
    for (const parser of cataloger.parsers) {
      const matches = picomatch([...parser.globs], { dot: true });
      // Bottom layer first, so the first sighting of a package names its layer of origin.
      for (let layer = 0; layer < analyses.length; layer++) {
        const analysis = analyses[layer];
        const layerDiffId = view.layers[layer]?.diffId;
        if (!analysis) continue;
        for (const [path, contents] of analysis.captured) {
          if (!matches(path)) continue;
          let result;
          try {
            // Siblings only as this same layer wrote them: an old layer's view is not
            // reconstructed, so parsers that need siblings from other layers (dpkg copyright
            // licenses) report less for removed packages.
            result = await parser.parse(
              { path, contents, ...(layerDiffId ? { layerDiffId } : {}) },
              { ...context, resolver: resolvers[layer] ?? EMPTY_RESOLVER, foundBy },
            );
          } catch (err) {
            result = {
              packages: [],
              relationships: [],
              problems: [`parser failed: ${(err as Error).message}`],
            };
          }
          for (const problem of result.problems) {
            const key = `${layer}\0${path}\0${problem}`;
            // The squashed run already reported the final version's problems.
            if (reported.has(key) || finalLayer(path) === layer) continue;
            reported.add(key);
            run.unknowns.push({
              path,
              cataloger: cataloger.id,
              reason: problem,
              ...(layerDiffId ? { layerDiffId } : {}),
            });
          }
          for (const found of result.packages) {
            const parsed = declaredBy(parser, found);
            const key = evidenceKey(parsed, path);
            if (seen.has(key)) continue;
            seen.add(key);
            const primary = { path, annotation: 'primary' as const, ...(layerDiffId ? { layerDiffId } : {}) };
            const pkg: Package = {
              ...parsed,
              id: packageId(parsed, path),
              foundBy,
              locations: [primary, ...(parsed.locations ?? []).filter((l) => l.path !== path)],
              ...(layerDiffId ? { originLayer: layerDiffId } : {}),
              inSquashed: false,
            };
            run.packages.push(pkg);
          }
        }
      }
    }
  }
}
