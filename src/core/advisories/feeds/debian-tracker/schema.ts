/**
 * zod schemas for the Debian security tracker JSON
 * (`https://security-tracker.debian.org/tracker/data/json`):
 * `{ <source package>: { <CVE or TEMP id>: { description?, scope?, debianbug?, releases } } }`.
 * Entries are validated one by one, so one odd entry is skipped, not the whole document.
 */
import { z } from 'zod';

export const trackerRelease = z.object({
  status: z.enum(['resolved', 'open', 'undetermined']),
  repositories: z.record(z.string(), z.string()).optional(),
  fixed_version: z.string().min(1).optional(),
  urgency: z.string().optional(),
  nodsa: z.string().optional(),
  nodsa_reason: z.string().optional(),
});

export const trackerEntry = z.object({
  description: z.string().optional(),
  scope: z.string().optional(),
  debianbug: z.number().optional(),
  // The tracker writes `"releases": []` (an empty PHP-style array) when no release is tracked.
  releases: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown()).max(0)]),
});

/** The document's outer shape: package → id → entry (checked per entry later). */
export const trackerDocument = z.record(z.string(), z.record(z.string(), z.unknown()));

export type TrackerRelease = z.infer<typeof trackerRelease>;
