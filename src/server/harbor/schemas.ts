/** Harbor's ScanRequest, parsed at the boundary (unknown fields, such as v1.2's, are ignored). */
import { z } from 'zod';

export const scanRequestSchema = z.object({
  registry: z.object({
    url: z
      .string()
      .min(1)
      .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), {
        message: 'must be an http(s) URL',
      }),
    authorization: z.string().default(''),
    insecure: z.boolean().optional(),
  }),
  artifact: z.object({
    repository: z
      .string()
      .regex(/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/, {
        message: 'must be a repository name',
      }),
    digest: z.string().regex(/^sha256:[0-9a-f]{64}$/, { message: 'must be a sha256 digest' }),
    tag: z.string().min(1).max(128).optional(),
    mime_type: z.string().optional(),
    size: z.number().int().nonnegative().optional(),
    namespace_id: z.number().int().optional(),
  }),
});
export type ScanRequest = z.infer<typeof scanRequestSchema>;
