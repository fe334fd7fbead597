import type { SbomDocument } from '../document.js';
import { sortPackages } from '../document.js';

/** One PURL per line, sorted, unique. */
export function toPurlList(doc: SbomDocument): string {
  return [...new Set(sortPackages(doc.packages).map((p) => p.purl))].join('\n') + '\n';
}

export function toNativeJson(doc: SbomDocument): string {
  return JSON.stringify({ ...doc, packages: sortPackages(doc.packages) }, null, 2);
}

/** Rows for the table output: name, version, type, layer index of origin. */
export function tableRows(doc: SbomDocument): string[][] {
  const layerIndex = new Map(doc.source.layers.map((l) => [l.diffId, l.index]));
  return sortPackages(doc.packages).map((p) => [
    p.name,
    p.version,
    p.type,
    p.originLayer !== undefined ? String(layerIndex.get(p.originLayer) ?? '?') : '-',
    p.ownedBy ? `${p.ownedBy.name} (${p.ownedBy.type})` : '',
  ]);
}
