/** Human-readable origin of a finding: which layer the package came from, base or app. */
import type { Finding } from '../matching/types.js';
import type { SbomLayer } from '../sbom/document.js';

export function layerIndexOf(finding: Finding, layers: readonly SbomLayer[]): number | undefined {
  if (!finding.originLayer) return undefined;
  const layer = layers.find((l) => l.diffId === finding.originLayer);
  return layer?.index;
}

/** e.g. `base #0`, `app #3`, `#3` (origin unknown), `-` (no layer: SBOM without layers). */
export function originLabel(finding: Finding, layers: readonly SbomLayer[]): string {
  const index = layerIndexOf(finding, layers);
  const where = index === undefined ? '' : `#${index}`;
  if (finding.origin === 'unknown') return where || '-';
  return where ? `${finding.origin} ${where}` : finding.origin;
}
