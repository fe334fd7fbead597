/**
 * Layer of origin: the first layer whose evidence shows the package at its final version.
 * An evidence file rewritten by later layers (dpkg's status after every apt-get) is re-parsed
 * as each of those layers wrote it, from the contents the layer pass captured.
 */
import type { Package } from '../sbom/model.js';
import { EMPTY_RESOLVER, layerResolver, type CapturedContent, type SquashedView } from './content-view.js';
import type { LayerAnalysis } from './layer-analysis.js';
import { packageKey, type CatalogRun } from './run-catalogers.js';

export async function attachOrigins(
  view: SquashedView,
  content: CapturedContent,
  analyses: readonly LayerAnalysis[],
  run: CatalogRun,
  foundByContext: { distro?: { id: string; versionId?: string } },
): Promise<void> {
  // Only parsers whose package list depends on siblings get them: the rest stay cheap.
  const resolvers = new Map<number, ReturnType<typeof layerResolver>>();
  const siblingsOf = (layer: number) => {
    let resolver = resolvers.get(layer);
    if (!resolver) resolvers.set(layer, (resolver = layerResolver(analyses[layer])));
    return resolver;
  };
  // Cache: one parse per (evidence path, layer), shared by all packages of that file.
  const parsedKeys = new Map<string, Promise<Set<string>>>();
  const keysAt = (
    path: string,
    layer: number,
    parse: CatalogRun['evidence'] extends Map<string, infer E> ? E : never,
  ) => {
    const cacheKey = `${layer}\0${path}`;
    let pending = parsedKeys.get(cacheKey);
    if (!pending) {
      pending = (async () => {
        const bytes = content.inLayer(layer, path);
        if (!bytes) return new Set<string>();
        try {
          const result = await parse.parser.parse(
            { path, contents: bytes },
            {
              resolver: parse.parser.siblingsDecidePackages ? siblingsOf(layer) : EMPTY_RESOLVER,
              foundBy: parse.cataloger.id,
              ...(foundByContext.distro ? { distro: foundByContext.distro } : {}),
            },
          );
          return new Set(result.packages.map(packageKey));
        } catch {
          return new Set<string>();
        }
      })();
      parsedKeys.set(cacheKey, pending);
    }
    return pending;
  };

  for (const pkg of run.packages) {
    const ev = run.evidence.get(pkg.id);
    if (!ev) continue;
    const layers = ev.entry.layers;
    pkg.originLayer = view.layers[ev.entry.layer]?.diffId ?? pkg.originLayer;
    pkg.inSquashed = true;
    if (layers.length <= 1) continue;
    for (const layer of layers) {
      if (layer === ev.entry.layer) break;
      if ((await keysAt(ev.entry.path, layer, ev)).has(packageKey(pkg))) {
        pkg.originLayer = view.layers[layer]?.diffId ?? pkg.originLayer;
        break;
      }
    }
  }
}

export function originIndex(pkg: Package, view: SquashedView): number | undefined {
  const i = view.layers.findIndex((l) => l.diffId === pkg.originLayer);
  return i < 0 ? undefined : i;
}
