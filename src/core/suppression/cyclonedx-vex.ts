/**
 * CycloneDX VEX (spec 1.4–1.6): a BOM whose `vulnerabilities[]` carry an `analysis` and
 * `affects[].ref`. A ref is a bom-ref of a component in the same BOM (resolved to its PURL),
 * a BOM-Link (`urn:cdx:<serial>/<version>#<bom-ref>`), or a PURL written directly.
 * Vulnerabilities without `analysis` are plain listings, not statements, and are skipped.
 */
import { z } from 'zod';
import { parseJsonText, validate } from './parse-json.js';
import type { ProductRef, VexDocument, VexStatement } from './types.js';

interface CdxComponent {
  'bom-ref'?: string | undefined;
  purl?: string | undefined;
  components?: CdxComponent[] | undefined;
}

const componentSchema: z.ZodType<CdxComponent> = z.lazy(() =>
  z.object({
    'bom-ref': z.string().optional(),
    purl: z.string().optional(),
    components: z.array(componentSchema).optional(),
  }),
);

const vulnerability = z.object({
  id: z.string().min(1),
  references: z.array(z.object({ id: z.string().min(1) })).optional(),
  analysis: z
    .object({
      state: z.enum([
        'resolved',
        'resolved_with_pedigree',
        'exploitable',
        'in_triage',
        'false_positive',
        'not_affected',
      ]),
      justification: z
        .enum([
          'code_not_present',
          'code_not_reachable',
          'requires_configuration',
          'requires_dependency',
          'requires_environment',
          'protected_by_compiler',
          'protected_at_runtime',
          'protected_at_perimeter',
          'protected_by_mitigating_control',
        ])
        .optional(),
      response: z.array(z.string()).optional(),
      detail: z.string().optional(),
      firstIssued: z.iso.datetime({ offset: true }).optional(),
      lastUpdated: z.iso.datetime({ offset: true }).optional(),
    })
    .optional(),
  affects: z.array(z.object({ ref: z.string().min(1) })).min(1),
});

const bom = z.object({
  bomFormat: z.literal('CycloneDX'),
  specVersion: z.string(),
  metadata: z
    .object({ timestamp: z.iso.datetime({ offset: true }).optional(), component: componentSchema.optional() })
    .optional(),
  components: z.array(componentSchema).optional(),
  vulnerabilities: z.array(vulnerability),
});

export function isCycloneDx(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<string, unknown>).bomFormat === 'CycloneDX'
  );
}

function indexRefs(components: readonly CdxComponent[], into: Map<string, string>): void {
  for (const c of components) {
    if (c['bom-ref'] && c.purl) into.set(c['bom-ref'], c.purl);
    if (c.components) indexRefs(c.components, into);
  }
}

function productOf(ref: string, purls: ReadonlyMap<string, string>): ProductRef {
  const local = ref.startsWith('urn:cdx:') && ref.includes('#') ? ref.slice(ref.indexOf('#') + 1) : ref;
  const purl = purls.get(local) ?? (local.startsWith('pkg:') ? local : undefined);
  return { ...(purl ? { purl } : {}), ref: local, subcomponents: [] };
}

export function parseCycloneDxVex(source: string, value: unknown, orderBase = 0): VexDocument {
  const doc = validate('VEX_INVALID', source, bom, value);
  const purls = new Map<string, string>();
  if (doc.metadata?.component) indexRefs([doc.metadata.component], purls);
  indexRefs(doc.components ?? [], purls);
  const statements: VexStatement[] = [];
  doc.vulnerabilities.forEach((v, i) => {
    const analysis = v.analysis;
    if (!analysis) return;
    const timestamp = analysis.lastUpdated ?? analysis.firstIssued ?? doc.metadata?.timestamp;
    const action = analysis.response?.length ? analysis.response.join(', ') : undefined;
    statements.push({
      format: 'cyclonedx',
      source,
      location: `vulnerabilities[${i}]`,
      vulnerability: v.id,
      aliases: (v.references ?? []).map((r) => r.id),
      products: v.affects.map((a) => productOf(a.ref, purls)),
      status: analysis.state,
      ...(analysis.justification ? { justification: analysis.justification } : {}),
      ...(analysis.detail ? { detail: analysis.detail } : {}),
      ...(action ? { action } : {}),
      ...(timestamp ? { timestamp } : {}),
      order: orderBase + i,
    });
  });
  return { source, statements };
}

export function parseCycloneDxVexText(source: string, text: Buffer | string, orderBase = 0): VexDocument {
  return parseCycloneDxVex(source, parseJsonText('VEX_INVALID', source, text), orderBase);
}
