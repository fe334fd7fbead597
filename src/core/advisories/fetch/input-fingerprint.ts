/**
 * What a feed's input looked like when it was imported: every file under the driver's folder
 * with its size and modification time, plus one SHA-256 over names and contents. `db update`
 * compares the cheap part first (a stat per file); only when sizes or times differ does it hash
 * the files, so a mirror copied anew (new times, same bytes) is still recognized as unchanged.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { z } from 'zod';

const fileSchema = z.object({ path: z.string(), size: z.number(), mtimeMs: z.number() });

export const inputFingerprintSchema = z.object({
  driver: z.string(),
  /** The driver's version: a driver that reads the same bytes differently must re-import. */
  driverVersion: z.number(),
  files: z.array(fileSchema),
  sha256: z.string(),
});

export type InputFingerprint = z.infer<typeof inputFingerprintSchema>;
type InputFile = z.infer<typeof fileSchema>;

/** Downloads in flight or abandoned (conditional-download.ts, fetch state) are not input. */
const SCRATCH = /\.(partial|tmp)$/;

/** Every regular file under `dir`, sorted by path; a missing folder has no files. */
export async function listInputFiles(dir: string): Promise<InputFile[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  const files: InputFile[] = [];
  for (const entry of entries) {
    if (!entry.isFile() || SCRATCH.test(entry.name)) continue;
    const full = join(entry.parentPath, entry.name);
    const info = await stat(full);
    files.push({ path: relative(dir, full), size: info.size, mtimeMs: info.mtimeMs });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function hashFiles(dir: string, files: readonly InputFile[]): Promise<string> {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(`${file.path}\0${file.size}\0`);
    for await (const chunk of createReadStream(join(dir, file.path))) hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

export async function fingerprintInput(
  driver: { id: string; version: number },
  dir: string,
): Promise<InputFingerprint> {
  const files = await listInputFiles(dir);
  return { driver: driver.id, driverVersion: driver.version, files, sha256: await hashFiles(dir, files) };
}

const sameFile = (a: InputFile, b: InputFile | undefined): boolean =>
  b !== undefined && a.path === b.path && a.size === b.size && a.mtimeMs === b.mtimeMs;

/**
 * Whether `dir` still holds the input `stored` describes. `same` with a `refreshed`
 * fingerprint means the bytes are equal but the times moved: record the new times so the next
 * comparison is a stat again.
 */
export async function compareInput(
  stored: unknown,
  driver: { id: string; version: number },
  dir: string,
): Promise<{ same: false } | { same: true; refreshed?: InputFingerprint }> {
  const parsed = inputFingerprintSchema.safeParse(stored);
  if (!parsed.success) return { same: false };
  const previous = parsed.data;
  if (previous.driver !== driver.id || previous.driverVersion !== driver.version) return { same: false };
  const files = await listInputFiles(dir);
  // A source the mirror does not carry at all (no folder) stays unchanged while it stays
  // absent; an empty folder (a download that left nothing) is never taken as unchanged.
  if (files.length === 0)
    return previous.files.length === 0 && !existsSync(dir) ? { same: true } : { same: false };
  if (files.length === previous.files.length && files.every((f, i) => sameFile(f, previous.files[i])))
    return { same: true };
  const sizesMatch =
    files.length === previous.files.length &&
    files.every((f, i) => f.path === previous.files[i]?.path && f.size === previous.files[i]?.size);
  if (!sizesMatch) return { same: false };
  const sha256 = await hashFiles(dir, files);
  return sha256 === previous.sha256
    ? { same: true, refreshed: { ...previous, files, sha256 } }
    : { same: false };
}
