/** Findings grouped for people: per package, and per layer split into base image and application. */
import { SEVERITY_ORDER, type Finding, type NormalizedSeverity } from '../../matching/types.js';
import type { SbomLayer } from '../../sbom/document.js';
import { layerIndexOf } from '../layers.js';
import { compareFindings, isFixable } from './summary.js';

export interface PackageGroup {
  name: string;
  version: string;
  type: string;
  findings: Finding[];
  worst: NormalizedSeverity;
  fixable: number;
}

export interface LayerGroup {
  /** Undefined for findings whose layer is unknown. */
  index: number | undefined;
  createdBy: string | undefined;
  findings: Finding[];
}

export interface OriginGroup {
  origin: Finding['origin'];
  layers: LayerGroup[];
  count: number;
}

const worstOf = (findings: readonly Finding[]): NormalizedSeverity =>
  findings.reduce<NormalizedSeverity>(
    (worst, f) => (SEVERITY_ORDER.indexOf(f.severity) > SEVERITY_ORDER.indexOf(worst) ? f.severity : worst),
    'Unknown',
  );

export function groupByPackage(findings: readonly Finding[]): PackageGroup[] {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const key = `${f.package.type}\u0000${f.package.name}\u0000${f.package.version}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return [...groups.values()]
    .map((of) => {
      const first = of[0] as Finding;
      return {
        name: first.package.name,
        version: first.package.version,
        type: first.package.type,
        findings: of.sort(compareFindings),
        worst: worstOf(of),
        fixable: of.filter(isFixable).length,
      };
    })
    .sort(
      (a, b) =>
        SEVERITY_ORDER.indexOf(b.worst) - SEVERITY_ORDER.indexOf(a.worst) ||
        b.findings.length - a.findings.length ||
        a.name.localeCompare(b.name) ||
        a.version.localeCompare(b.version),
    );
}

const ORIGINS: readonly Finding['origin'][] = ['base', 'app', 'unknown'];

/** Base image first, then application, then unknown origin; layers in image order within each. */
export function groupByOrigin(findings: readonly Finding[], layers: readonly SbomLayer[]): OriginGroup[] {
  return ORIGINS.map((origin) => {
    const of = findings.filter((f) => f.origin === origin);
    const byLayer = new Map<number | undefined, Finding[]>();
    for (const f of of) {
      const index = layerIndexOf(f, layers);
      byLayer.set(index, [...(byLayer.get(index) ?? []), f]);
    }
    const groups = [...byLayer.entries()]
      .map(([index, fs]) => ({
        index,
        createdBy: layers.find((l) => l.index === index)?.createdBy,
        findings: fs.sort(compareFindings),
      }))
      .sort((a, b) => (a.index ?? Number.MAX_SAFE_INTEGER) - (b.index ?? Number.MAX_SAFE_INTEGER));
    return { origin, layers: groups, count: of.length };
  }).filter((g) => g.count > 0);
}
