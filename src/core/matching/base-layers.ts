/**
 * How many of an image's bottom layers come from its base image. Exact when the base image's
 * diffIDs are known (they must be a prefix of the image's); otherwise read from history:
 * a base image's history ends with its CMD/ENTRYPOINT (an empty layer), and the first
 * filesystem layer after that starts the application.
 */
import type { HistoryEntry } from '../image/types.js';

export function baseLayersFromDiffIds(
  imageDiffIds: readonly string[],
  baseDiffIds: readonly string[],
): number | undefined {
  if (baseDiffIds.length === 0 || baseDiffIds.length > imageDiffIds.length) return undefined;
  return baseDiffIds.every((d, i) => imageDiffIds[i] === d) ? baseDiffIds.length : undefined;
}

export function baseLayersFromHistory(history: readonly HistoryEntry[]): number | undefined {
  let layersSoFar = 0;
  let boundary: number | undefined;
  let sawBaseEnd = false;
  for (const entry of history) {
    const text = entry.created_by ?? '';
    if (entry.empty_layer) {
      if (/(?:#\(nop\)\s*|^)(?:CMD|ENTRYPOINT)\b/.test(text)) sawBaseEnd = true;
      continue;
    }
    if (sawBaseEnd && boundary === undefined) boundary = layersSoFar;
    layersSoFar++;
  }
  return boundary !== undefined && boundary > 0 ? boundary : undefined;
}
