/**
 * The offline bundle: one gzip stream of newline-delimited JSON. Line 1 is the manifest (format,
 * schema version, per-source freshness and row counts, and the sha256 of the payload); every
 * later line is one FeedRecord, grouped by source in manifest order. The payload is the bytes
 * after the manifest line, each line ending in "\n", exactly as decompressed.
 */
import { z } from 'zod';

export const BUNDLE_FORMAT = 'portcullis-vulndb';
export const BUNDLE_FORMAT_VERSION = 1;
/** No record line (not even a big advisory) comes near this; a longer line is garbage. */
export const MAX_BUNDLE_LINE_BYTES = 16 * 1024 * 1024;

const skipReason = z.enum([
  'malformed-record',
  'unknown-ecosystem',
  'unknown-release',
  'unparsable-version',
  'unparsable-range',
  'duplicate-id',
  'empty-releases',
  'too-large',
]);

const importReportSchema = z.object({
  driver: z.string(),
  files: z.array(z.string()),
  entries: z.number().int().nonnegative(),
  records: z.number().int().nonnegative(),
  skipped: z.array(
    z.object({
      reason: skipReason,
      id: z.string().optional(),
      file: z.string(),
      detail: z.string().optional(),
    }),
  ),
  skippedByReason: z.partialRecord(skipReason, z.number().int().nonnegative()),
  durationMs: z.number().nonnegative(),
});

export const bundleSourceSchema = z.object({
  source: z.string().min(1).max(200),
  lastSync: z.iso.datetime({ offset: true }),
  /** What the driver reported when the source was synced (shown by `db status`). */
  records: z.number().int().nonnegative(),
  sourceVersion: z.string().optional(),
  report: z.union([importReportSchema, z.object({}).strict()]),
  /** Payload lines that belong to this source. */
  rows: z.number().int().nonnegative(),
});

export const bundleManifestSchema = z.object({
  format: z.literal(BUNDLE_FORMAT),
  formatVersion: z.literal(BUNDLE_FORMAT_VERSION),
  /** The store schema (newest migration id) the bundle was exported from. */
  schemaVersion: z.number().int().positive(),
  createdAt: z.iso.datetime({ offset: true }),
  payload: z.object({
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    bytes: z.number().int().nonnegative(),
    lines: z.number().int().nonnegative(),
  }),
  sources: z.array(bundleSourceSchema),
});

export type BundleManifest = z.infer<typeof bundleManifestSchema>;
export type BundleSource = z.infer<typeof bundleSourceSchema>;
