/**
 * zod schema for the parts of a CSAF 2.0 VEX document (Red Hat's per-CVE files) the importer
 * reads: document tracking, the product tree (branches and relationships) and, per
 * vulnerability, product_status, remediations, threats and scores. Unknown fields pass.
 */
import { z } from 'zod';

const productIds = z.array(z.string()).optional();

export const fullProductName = z.object({
  name: z.string(),
  product_id: z.string(),
  product_identification_helper: z
    .object({ cpe: z.string().optional(), purl: z.string().optional() })
    .optional(),
});

export interface Branch {
  category: string;
  name: string;
  product?: z.infer<typeof fullProductName> | undefined;
  branches?: Branch[] | undefined;
}

const branch: z.ZodType<Branch> = z.lazy(() =>
  z.object({
    category: z.string(),
    name: z.string(),
    product: fullProductName.optional(),
    branches: z.array(branch).optional(),
  }),
);

const relationship = z.object({
  category: z.string(),
  full_product_name: fullProductName,
  product_reference: z.string(),
  relates_to_product_reference: z.string(),
});

const cvss = z.object({ vectorString: z.string(), baseScore: z.number() });

export const csafVulnerability = z.object({
  cve: z.string().optional(),
  title: z.string().optional(),
  release_date: z.string().optional(),
  product_status: z
    .object({
      fixed: productIds,
      known_affected: productIds,
      known_not_affected: productIds,
      under_investigation: productIds,
    })
    .optional(),
  remediations: z
    .array(
      z.object({
        category: z.string(),
        details: z.string().optional(),
        product_ids: productIds,
        url: z.string().optional(),
      }),
    )
    .optional(),
  threats: z
    .array(z.object({ category: z.string(), details: z.string(), product_ids: productIds }))
    .optional(),
  scores: z
    .array(z.object({ cvss_v3: cvss.optional(), cvss_v2: cvss.optional(), products: productIds }))
    .optional(),
});

export const csafDocument = z.object({
  document: z.object({
    category: z.string(),
    csaf_version: z.string(),
    title: z.string().optional(),
    tracking: z.object({ id: z.string().min(1).max(128), current_release_date: z.string() }),
    aggregate_severity: z.object({ text: z.string() }).optional(),
  }),
  product_tree: z
    .object({ branches: z.array(branch).optional(), relationships: z.array(relationship).optional() })
    .optional(),
  vulnerabilities: z.array(csafVulnerability).optional(),
});

export type CsafDocument = z.infer<typeof csafDocument>;
export type CsafVulnerability = z.infer<typeof csafVulnerability>;
