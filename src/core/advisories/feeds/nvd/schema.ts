/**
 * zod schemas for NVD data: the (retired but still mirrored) 1.1 JSON feeds and the 2.0 API /
 * 2.0 JSON feeds. Items are validated one by one; the envelope decides the format.
 */
import { z } from 'zod';

const score = z.number().min(0).max(10);

// ---- 1.1 feeds -------------------------------------------------------------------------------
export const nvd11CpeMatch = z.object({
  vulnerable: z.boolean(),
  cpe23Uri: z.string(),
  versionStartIncluding: z.string().optional(),
  versionStartExcluding: z.string().optional(),
  versionEndIncluding: z.string().optional(),
  versionEndExcluding: z.string().optional(),
});

export interface Nvd11Node {
  operator?: string | undefined;
  negate?: boolean | undefined;
  children?: Nvd11Node[] | undefined;
  cpe_match?: z.infer<typeof nvd11CpeMatch>[] | undefined;
}

export const nvd11Node: z.ZodType<Nvd11Node> = z.lazy(() =>
  z.object({
    operator: z.string().optional(),
    negate: z.boolean().optional(),
    children: z.array(nvd11Node).optional(),
    cpe_match: z.array(nvd11CpeMatch).optional(),
  }),
);

export const nvd11Item = z.object({
  cve: z.object({ CVE_data_meta: z.object({ ID: z.string().regex(/^CVE-\d{4}-\d{4,}$/) }) }),
  configurations: z.object({ nodes: z.array(nvd11Node) }).optional(),
  impact: z
    .object({
      baseMetricV3: z
        .object({
          cvssV3: z.object({
            version: z.string(),
            vectorString: z.string(),
            baseScore: score,
            baseSeverity: z.string(),
          }),
        })
        .optional(),
      baseMetricV2: z
        .object({
          cvssV2: z.object({ version: z.string(), vectorString: z.string(), baseScore: score }),
          severity: z.string().optional(),
        })
        .optional(),
    })
    .optional(),
  publishedDate: z.string().optional(),
  lastModifiedDate: z.string().optional(),
});

export const nvd11Document = z.object({
  CVE_data_timestamp: z.string().optional(),
  CVE_data_numberOfCVEs: z.string().optional(),
  CVE_Items: z.array(z.unknown()),
});

// ---- 2.0 API and feeds ------------------------------------------------------------------------
const metric = z.object({
  source: z.string(),
  type: z.string().optional(),
  cvssData: z.object({
    version: z.string(),
    vectorString: z.string(),
    baseScore: score,
    baseSeverity: z.string().optional(),
  }),
  baseSeverity: z.string().optional(),
});

export const nvd20CpeMatch = z.object({
  vulnerable: z.boolean(),
  criteria: z.string(),
  versionStartIncluding: z.string().optional(),
  versionStartExcluding: z.string().optional(),
  versionEndIncluding: z.string().optional(),
  versionEndExcluding: z.string().optional(),
});

export const nvd20Node = z.object({
  operator: z.enum(['AND', 'OR']).optional(),
  negate: z.boolean().optional(),
  cpeMatch: z.array(nvd20CpeMatch).optional(),
});

export const nvd20Cve = z.object({
  id: z.string().regex(/^CVE-\d{4}-\d{4,}$/),
  published: z.string().optional(),
  lastModified: z.string().optional(),
  metrics: z
    .object({
      cvssMetricV2: z.array(metric).optional(),
      cvssMetricV30: z.array(metric).optional(),
      cvssMetricV31: z.array(metric).optional(),
      cvssMetricV40: z.array(metric).optional(),
    })
    .optional(),
  configurations: z
    .array(
      z.object({
        operator: z.enum(['AND', 'OR']).optional(),
        negate: z.boolean().optional(),
        nodes: z.array(nvd20Node),
      }),
    )
    .optional(),
});

export const nvd20Document = z.object({
  timestamp: z.string().optional(),
  totalResults: z.number().optional(),
  vulnerabilities: z.array(z.unknown()),
});

export const nvd20Wrapper = z.object({ cve: z.unknown() });

export type Nvd11Item = z.infer<typeof nvd11Item>;
export type Nvd20Cve = z.infer<typeof nvd20Cve>;
