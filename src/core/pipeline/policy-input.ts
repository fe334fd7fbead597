/**
 * Adapts an analysis (SBOM document, retrieved files, image config, matched findings, feed
 * freshness) to the policy engine's input. The only place that knows both shapes.
 */
import type { ImageConfigFile } from '../image/types.js';
import type { Finding } from '../matching/types.js';
import { configFacts, dockerfileFor } from '../policy/index.js';
import type { FeedStatus, PolicyInput, VulnerabilityFinding } from '../policy/index.js';
import type { SbomDocument } from '../sbom/document.js';

export interface AnalysisForPolicy {
  document: SbomDocument;
  retrieved: ReadonlyMap<string, Buffer>;
  /** Absent for `sbom:` sources: config-based gates then see an empty config. */
  config?: ImageConfigFile;
  findings: readonly Finding[];
  feeds: readonly FeedStatus[];
  /** The database as a whole: present, and since when. */
  vulnerabilityData?: PolicyInput['vulnerabilityData'];
  /** The image's tag (registry/repo:tag) for mappings, when known. */
  tags: readonly string[];
  dockerfile?: string;
  now: Date;
}

const NVD = 'nvd@nist.gov';

/** NVD's and the first other source's CVSS v3 base score, found in one pass. */
function nvdAndVendor(f: Finding): VulnerabilityFinding['cvssV3'] {
  const scores: VulnerabilityFinding['cvssV3'] = {};
  let vendor: number | undefined;
  for (const c of f.cvss) {
    if (!c.version.startsWith('3')) continue;
    if (c.source === NVD) scores.nvd ??= { base: c.baseScore };
    else vendor ??= c.baseScore;
  }
  // In this order (nvd, then vendor), as the policy engine's evidence has always shown them.
  if (vendor !== undefined) scores.vendor = { base: vendor };
  return scores;
}

/** The distro's own rating (Debian urgency), what Anchore called the vendor severity. */
function vendorSeverity(f: Finding): string | undefined {
  for (const s of f.severities) {
    if (s.scheme !== 'label' || s.source.startsWith('osv')) continue;
    return s.label ? s.label.charAt(0) + s.label.slice(1).toLowerCase() : undefined;
  }
  return undefined;
}

/**
 * A finding as the policy engine reads it. Built field by field (optional ones only when set,
 * in the same key order as ever): every finding of every image goes through here on a re-match
 * (ADR 0043).
 */
export function toPolicyFinding(f: Finding): VulnerabilityFinding {
  const pkg: VulnerabilityFinding['package'] = {
    name: f.package.name,
    version: f.package.version,
    type: f.package.type,
  };
  if (f.package.path) pkg.path = f.package.path;
  const out: VulnerabilityFinding = {
    id: f.id,
    aliases: f.aliases,
    package: pkg,
    severity: f.severity,
  } as VulnerabilityFinding;
  const vendor = vendorSeverity(f);
  if (vendor) out.vendorSeverity = vendor;
  out.cvssV3 = nvdAndVendor(f);
  out.fixedVersions = f.fixedVersions;
  out.fixState = f.fixState;
  if (f.published) out.publishedAt = new Date(f.published);
  out.kev = f.kev !== undefined;
  if (f.epss) out.epss = f.epss;
  out.origin = f.origin;
  out.confidence = f.confidence;
  out.namespace = f.evidence[0]?.namespace ?? '';
  return out;
}

function splitTag(tag: string): { registry?: string; repository?: string; tag?: string } {
  const at = tag.lastIndexOf(':');
  const slash = tag.indexOf('/');
  const hasTag = at > tag.lastIndexOf('/');
  const name = hasTag ? tag.slice(0, at) : tag;
  return {
    ...(slash > 0
      ? { registry: name.slice(0, name.indexOf('/')), repository: name.slice(name.indexOf('/') + 1) }
      : { repository: name }),
    ...(hasTag ? { tag: tag.slice(at + 1) } : {}),
  };
}

export function buildPolicyInput(a: AnalysisForPolicy): PolicyInput {
  const doc = a.document;
  const emptyConfig: ImageConfigFile = {
    architecture: '',
    os: '',
    config: {},
    rootfs: { type: 'layers', diff_ids: [] },
    history: [],
  };
  const config = a.config ?? emptyConfig;
  const primaryTag = a.tags[0];
  return {
    image: {
      digest: doc.source.digest ?? '',
      tags: [...a.tags],
      ...(primaryTag ? splitTag(primaryTag) : {}),
      ...(doc.distro
        ? {
            distro: {
              name: doc.distro.id,
              version: doc.distro.versionId ?? '',
              like: doc.distro.idLike ?? [],
            },
          }
        : {}),
      size: doc.files.reduce((sum, f) => sum + (f.type === 'file' ? f.size : 0), 0),
      ...(config.architecture ? { architecture: config.architecture } : {}),
      ...(config.os ? { os: config.os } : {}),
      layerCount: doc.source.layers.length,
      ...(config.created ? { createdAt: new Date(config.created) } : {}),
    },
    config: configFacts(config),
    ...(a.config || a.dockerfile !== undefined ? { dockerfile: dockerfileFor(config, a.dockerfile) } : {}),
    packages: doc.packages,
    findings: a.findings.filter((f) => !f.suppressed).map(toPolicyFinding),
    files: doc.files.map((f) => ({
      path: f.path,
      type: f.type,
      mode: f.mode,
      uid: f.uid,
      gid: f.gid,
      size: f.size,
      ...(f.sha256 ? { sha256: f.sha256 } : {}),
      ...(f.linkTarget !== undefined ? { linkTarget: f.linkTarget } : {}),
    })),
    fileContents: (path) => a.retrieved.get(path),
    contentMatches: (doc.contentMatches ?? []).map((m) => ({ path: m.path, rule: m.rule, line: m.line })),
    secrets: doc.secrets.map((s) => ({ path: s.path, rule: s.rule, line: s.line })),
    feeds: [...a.feeds],
    ...(a.vulnerabilityData ? { vulnerabilityData: { ...a.vulnerabilityData } } : {}),
    unknowns: doc.unknowns,
    now: a.now,
  };
}
