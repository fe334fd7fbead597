/** Schemas shared by the routes: Anchore's mixed-case booleans, digests, the error body. */
import { z } from 'zod';

/** `true`/`True`/`false`/`False` (anchore-cli sends both cases). */
export const queryBoolean = z
  .enum(['true', 'True', 'TRUE', 'false', 'False', 'FALSE'])
  .transform((v) => v.toLowerCase() === 'true');

export const imageDigest = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'expected sha256:<64 hex>');

export const errorSchema = z.object({
  message: z.string(),
  httpcode: z.number().int(),
  detail: z.record(z.string(), z.unknown()),
});

/** ISO-8601 UTC with Z and no fraction, as Anchore writes timestamps. */
export function isoTime(date: Date | null | undefined): string | null {
  return date ? date.toISOString().replace(/\.\d{3}Z$/, 'Z') : null;
}

export const timestamp = z.string().nullable();

/** A bare JSON string answer (Anchore's `"deleted"`); fastify would send a string as plain text. */
export const jsonString = (value: string) => JSON.stringify(value);
