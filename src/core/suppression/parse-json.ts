/**
 * Edge parsing shared by the VEX and ignore-file readers: JSON text with a size bound, and zod
 * issues turned into one precise error that names the file and the JSON path.
 */
import type { z } from 'zod';
import { PortcullisError, type ErrorCode } from '../errors.js';

/** VEX documents and ignore files are hand-written or tool-written; 32 MiB is far beyond both. */
export const MAX_DOCUMENT_BYTES = 32 * 1024 * 1024;

export function jsonPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (typeof p === 'string' && /^[A-Za-z_$][\w$]*$/.test(p)) out += out ? `.${p}` : p;
    else out += `[${JSON.stringify(String(p))}]`;
  }
  return out || '$';
}

export function checkSize(code: ErrorCode, source: string, bytes: Buffer | string): void {
  const size = typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.length;
  if (size > MAX_DOCUMENT_BYTES)
    throw new PortcullisError(code, `${source}: ${size} bytes exceeds the ${MAX_DOCUMENT_BYTES}-byte limit`, {
      details: { path: source, size },
    });
}

export function parseJsonText(code: ErrorCode, source: string, text: Buffer | string): unknown {
  checkSize(code, source, text);
  try {
    return JSON.parse(typeof text === 'string' ? text : text.toString('utf8')) as unknown;
  } catch (err) {
    throw new PortcullisError(code, `${source}: not valid JSON (${(err as Error).message})`, {
      cause: err,
      details: { path: source },
    });
  }
}

export function validate<T>(code: ErrorCode, source: string, schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = jsonPath(issue?.path ?? []);
  throw new PortcullisError(code, `${source}: ${where}: ${issue?.message ?? 'invalid'}`, {
    details: { path: source, field: where, issues: result.error.issues.length },
  });
}
