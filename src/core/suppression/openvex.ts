/**
 * OpenVEX v0.2.0 (https://github.com/openvex/spec): a document of statements, each saying
 * whether products (and their subcomponents) are affected by one vulnerability. A statement's
 * own timestamp defaults to the document's, which decides which statement is the latest.
 */
import { z } from 'zod';
import { PortcullisError } from '../errors.js';
import { parseJsonText, validate } from './parse-json.js';
import type { ProductRef, VexDocument, VexStatement } from './types.js';

const component = z.object({
  '@id': z.string().min(1).optional(),
  identifiers: z.record(z.string(), z.string()).optional(),
});

// Pre-0.2.0 documents wrote products and subcomponents as bare ids; normalize them to objects.
const asComponent = (v: unknown) => (typeof v === 'string' ? { '@id': v } : v);
const product = component.extend({
  subcomponents: z.array(z.preprocess(asComponent, component)).optional(),
});

const statement = z.object({
  vulnerability: z.preprocess(
    (v) => (typeof v === 'string' ? { name: v } : v),
    z.object({
      name: z.string().min(1),
      '@id': z.string().optional(),
      aliases: z.array(z.string()).optional(),
    }),
  ),
  products: z.array(z.preprocess(asComponent, product)).min(1),
  status: z.enum(['not_affected', 'affected', 'fixed', 'under_investigation']),
  status_notes: z.string().optional(),
  justification: z
    .enum([
      'component_not_present',
      'vulnerable_code_not_present',
      'vulnerable_code_not_in_execute_path',
      'vulnerable_code_cannot_be_controlled_by_adversary',
      'inline_mitigations_already_exist',
    ])
    .optional(),
  impact_statement: z.string().optional(),
  action_statement: z.string().optional(),
  timestamp: z.iso.datetime({ offset: true }).optional(),
  last_updated: z.iso.datetime({ offset: true }).optional(),
});

const document = z.object({
  '@context': z.string().startsWith('https://openvex.dev/ns'),
  '@id': z.string().optional(),
  author: z.string().optional(),
  timestamp: z.iso.datetime({ offset: true }).optional(),
  last_updated: z.iso.datetime({ offset: true }).optional(),
  version: z.union([z.number(), z.string()]).optional(),
  statements: z.array(statement),
});

type Component = z.infer<typeof component>;

function refOf(c: Component): Omit<ProductRef, 'subcomponents'> {
  const purl = c.identifiers?.purl ?? (c['@id']?.startsWith('pkg:') ? c['@id'] : undefined);
  return { ...(purl ? { purl } : {}), ...(c['@id'] ? { ref: c['@id'] } : {}) };
}

/** True for a parsed JSON value that looks like OpenVEX (used to route a `--vex` file). */
export function isOpenVex(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<string, unknown>)['@context'] === 'string' &&
    ((value as Record<string, string>)['@context'] ?? '').startsWith('https://openvex.dev/ns')
  );
}

export function parseOpenVex(source: string, value: unknown, orderBase = 0): VexDocument {
  const doc = validate('VEX_INVALID', source, document, value);
  const statements = doc.statements.map((s, i): VexStatement => {
    const location = `statements[${i}]`;
    // The spec requires a justification or an impact statement for not_affected.
    if (s.status === 'not_affected' && !s.justification && !s.impact_statement)
      throw new PortcullisError(
        'VEX_INVALID',
        `${source}: ${location}: status not_affected needs a justification or impact_statement`,
        { details: { path: source, field: location } },
      );
    s.products.forEach((p, j) => {
      if (!p['@id'] && !p.identifiers?.purl)
        throw new PortcullisError(
          'VEX_INVALID',
          `${source}: ${location}.products[${j}]: needs @id or identifiers.purl`,
          {
            details: { path: source, field: `${location}.products[${j}]` },
          },
        );
    });
    const timestamp = s.last_updated ?? s.timestamp ?? doc.last_updated ?? doc.timestamp;
    const detail = s.impact_statement ?? s.status_notes;
    return {
      format: 'openvex',
      source,
      location,
      vulnerability: s.vulnerability.name,
      aliases: s.vulnerability.aliases ?? [],
      products: s.products.map((p) => ({
        ...refOf(p),
        subcomponents: (p.subcomponents ?? []).map((c) => ({ ...refOf(c), subcomponents: [] })),
      })),
      status: s.status,
      ...(s.justification ? { justification: s.justification } : {}),
      ...(detail ? { detail } : {}),
      ...(s.action_statement ? { action: s.action_statement } : {}),
      ...(timestamp ? { timestamp } : {}),
      order: orderBase + i,
    };
  });
  return { source, statements };
}

export function parseOpenVexText(source: string, text: Buffer | string, orderBase = 0): VexDocument {
  return parseOpenVex(source, parseJsonText('VEX_INVALID', source, text), orderBase);
}
