/** NVD items → CVSS records and CPE configurations. Pure. */
import type { CpeConfigRecord, CpeMatch, CpeNode, CvssRecord } from '../../model.js';
import type { Nvd11Item, Nvd11Node, Nvd20Cve } from './schema.js';

/** The 1.1 feeds carry NVD's own scores only. */
const NVD_SOURCE = 'nvd@nist.gov';

function match(
  m: {
    vulnerable: boolean;
    versionStartIncluding?: string | undefined;
    versionStartExcluding?: string | undefined;
    versionEndIncluding?: string | undefined;
    versionEndExcluding?: string | undefined;
  },
  criteria: string,
): CpeMatch {
  const out: CpeMatch = { vulnerable: m.vulnerable, criteria };
  if (m.versionStartIncluding) out.versionStartIncluding = m.versionStartIncluding;
  if (m.versionStartExcluding) out.versionStartExcluding = m.versionStartExcluding;
  if (m.versionEndIncluding) out.versionEndIncluding = m.versionEndIncluding;
  if (m.versionEndExcluding) out.versionEndExcluding = m.versionEndExcluding;
  return out;
}

const operatorOf = (op: string | undefined): 'AND' | 'OR' => (op === 'AND' ? 'AND' : 'OR');

function node11(node: Nvd11Node): CpeNode {
  return {
    operator: operatorOf(node.operator),
    negate: node.negate ?? false,
    cpeMatch: (node.cpe_match ?? []).map((m) => match(m, m.cpe23Uri)),
    children: (node.children ?? []).map(node11),
  };
}

export function nvd11Records(item: Nvd11Item): { cvss: CvssRecord[]; cpe?: CpeConfigRecord } {
  const cve = item.cve.CVE_data_meta.ID;
  const cvss: CvssRecord[] = [];
  const v3 = item.impact?.baseMetricV3?.cvssV3;
  if (v3) {
    cvss.push({
      cve,
      source: NVD_SOURCE,
      version: v3.version,
      vector: v3.vectorString,
      baseScore: v3.baseScore,
      severity: v3.baseSeverity,
    });
  }
  const v2 = item.impact?.baseMetricV2;
  if (v2) {
    const record: CvssRecord = {
      cve,
      source: NVD_SOURCE,
      version: v2.cvssV2.version,
      vector: v2.cvssV2.vectorString,
      baseScore: v2.cvssV2.baseScore,
    };
    if (v2.severity) record.severity = v2.severity;
    cvss.push(record);
  }
  const nodes = (item.configurations?.nodes ?? []).map(node11);
  // The 1.1 layout has one implicit configuration whose top-level nodes are OR-ed.
  return nodes.length > 0 ? { cvss, cpe: { cve, configurations: [{ operator: 'OR', nodes }] } } : { cvss };
}

export function nvd20Records(item: Nvd20Cve): { cvss: CvssRecord[]; cpe?: CpeConfigRecord } {
  const cve = item.id;
  const cvss: CvssRecord[] = [];
  const metrics = item.metrics ?? {};
  for (const list of [
    metrics.cvssMetricV40,
    metrics.cvssMetricV31,
    metrics.cvssMetricV30,
    metrics.cvssMetricV2,
  ]) {
    for (const m of list ?? []) {
      const record: CvssRecord = {
        cve,
        source: m.source,
        version: m.cvssData.version,
        vector: m.cvssData.vectorString,
        baseScore: m.cvssData.baseScore,
      };
      const severity = m.cvssData.baseSeverity ?? m.baseSeverity;
      if (severity) record.severity = severity;
      cvss.push(record);
    }
  }
  const configurations = (item.configurations ?? []).map((c) => ({
    operator: operatorOf(c.operator),
    nodes: c.nodes.map((n): CpeNode => ({
      operator: operatorOf(n.operator),
      negate: n.negate ?? false,
      cpeMatch: (n.cpeMatch ?? []).map((m) => match(m, m.criteria)),
      children: [],
    })),
  }));
  return configurations.length > 0 ? { cvss, cpe: { cve, configurations } } : { cvss };
}
