/**
 * GitLab's container-scanning report (`gl-container-scanning-report.json`, security report
 * schema 15.2.4): one vulnerability per unsuppressed finding, located at the image, its
 * operating system and the package. GitLab has no notion of a dismissed-with-reason finding in
 * a report, so suppressed findings are left out and counted in an info message.
 */
import { createHash } from 'node:crypto';
import type { CvssRecord } from '../advisories/model.js';
import type { Finding, NormalizedSeverity } from '../matching/types.js';
import { advisoryUrl } from './advisory-links.js';
import { dataNotice } from './data-notice.js';
import type { RenderInput, ScanReport } from './types.js';

export const GITLAB_SCHEMA_VERSION = '15.2.4';
const SCHEMA_URL = `https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/v${GITLAB_SCHEMA_VERSION}/dist/container-scanning-report-format.json`;

const SEVERITY: Record<NormalizedSeverity, string> = {
  Critical: 'Critical',
  High: 'High',
  Medium: 'Medium',
  Low: 'Low',
  Negligible: 'Info',
  Unknown: 'Unknown',
};

const V2 = String.raw`(?:AV:[NAL]|AC:[LMH]|Au:[MSN]|[CIA]:[NPC])`;
const V3 = String.raw`(?:AV:[NALP]|AC:[LH]|PR:[NLH]|UI:[NR]|S:[UC]|[CIA]:[NLH]|E:[XUPFH]|RL:[XOTWU]|RC:[XURC]|[CIA]R:[XLMH]|MAV:[XNALP]|MAC:[XLH]|MPR:[XNLH]|MUI:[XNR]|MS:[XUC]|M[CIA]:[XNLH])`;

/** The vector grammars the schema accepts: CVSS 2 (bare), 3.0/3.1 and 4.0 base (prefixed). */
const VECTOR: Record<string, RegExp> = {
  '2.0': new RegExp(`^${V2}(?:/${V2})*$`),
  '3.0': new RegExp(`^CVSS:3\\.0/${V3}(?:/${V3})*$`),
  '3.1': new RegExp(`^CVSS:3\\.1/${V3}(?:/${V3})*$`),
  '4.0':
    /^CVSS:4\.0\/AV:[NALP]\/AC:[LH]\/AT:[NP]\/PR:[NLH]\/UI:[NPA]\/VC:[HLN]\/VI:[HLN]\/VA:[HLN]\/SC:[HLN]\/SI:[HLN]\/SA:[HLN]$/,
};

const MAX_TEXT = 7000;

function stamp(iso: string): string {
  return iso.slice(0, 19);
}

/** A stable UUID-shaped id per finding, so GitLab tracks the same finding across pipelines. */
function findingId(f: Finding): string {
  const h = createHash('sha256')
    .update(`${f.id}|${f.package.purl}|${f.package.path ?? ''}`)
    .digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function identifier(id: string): Record<string, string> {
  const type = /^([A-Za-z]+)-/.exec(id)?.[1]?.toLowerCase() ?? 'portcullis';
  return { type, name: id, value: id, url: advisoryUrl(id) };
}

function cvssVectors(records: readonly CvssRecord[]): { vendor: string; vector: string }[] {
  const seen = new Set<string>();
  const out: { vendor: string; vector: string }[] = [];
  for (const r of [...records].sort((a, b) => b.baseScore - a.baseScore)) {
    const vector = r.version === '2.0' ? r.vector.replace(/^\(|\)$/g, '') : r.vector;
    if (!VECTOR[r.version]?.test(vector) || seen.has(vector) || vector.length < 16) continue;
    seen.add(vector);
    out.push({ vendor: r.source || 'unknown', vector });
  }
  return out.slice(0, 10);
}

function operatingSystem(report: ScanReport): string {
  const d = report.distro;
  if (!d) return 'unknown';
  return d.versionId ? `${d.id} ${d.versionId}` : d.id;
}

function imageName(report: ScanReport): string {
  return report.source.tags?.[0] ?? report.source.input;
}

function vulnerability(f: Finding, report: ScanReport): Record<string, unknown> {
  const vectors = cvssVectors(f.cvss);
  const fix = f.fixedVersions.length
    ? `Upgrade ${f.package.name} to ${f.fixedVersions.join(' or ')}.`
    : undefined;
  return {
    id: findingId(f),
    name: f.id,
    description: (f.summary ?? `${f.id} in ${f.package.name} ${f.package.version}`).slice(0, MAX_TEXT),
    severity: SEVERITY[f.severity],
    ...(fix ? { solution: fix.slice(0, MAX_TEXT) } : {}),
    identifiers: [f.id, ...f.aliases].map(identifier),
    ...(vectors.length ? { cvss_vectors: vectors } : {}),
    links: [{ url: advisoryUrl(f.id) }],
    location: {
      dependency: { package: { name: f.package.name }, version: f.package.version },
      operating_system: operatingSystem(report),
      image: imageName(report),
    },
  };
}

export function renderGitlab({ report }: RenderInput): string {
  const shown = report.findings.filter((f) => !f.suppressed);
  const suppressed = report.findings.length - shown.length;
  const notice = dataNotice(report);
  const tool = {
    id: 'portcullis',
    name: 'Portcullis',
    version: report.descriptor.version,
    vendor: { name: 'Portcullis' },
    url: 'https://github.com/portcullis-project/portcullis',
  };
  const messages = [
    ...(notice ? [{ level: 'warn', value: notice }] : []),
    ...(suppressed
      ? [
          {
            level: 'info',
            value: `${suppressed} suppressed finding(s) left out (VEX, ignore rules, changelog)`,
          },
        ]
      : []),
  ];
  const doc = {
    version: GITLAB_SCHEMA_VERSION,
    schema: SCHEMA_URL,
    scan: {
      analyzer: tool,
      scanner: tool,
      type: 'container_scanning',
      start_time: stamp(report.createdAt),
      end_time: stamp(report.createdAt),
      status: 'success',
      ...(messages.length ? { messages } : {}),
    },
    vulnerabilities: shown.map((f) => vulnerability(f, report)),
    remediations: [],
  };
  return JSON.stringify(doc, null, 2) + '\n';
}
