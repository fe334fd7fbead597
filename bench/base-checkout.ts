/**
 * The older checkout a benchmark is compared with, side by side ("measured side by side with
 * the previous commit", issue 10): PORTCULLIS_BENCH_BASE_ROOT=<a worktree of that commit with
 * its node_modules>. Unset, each benchmark keeps its own baseline (a budget, a bare tool).
 */
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** This checkout. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));

export const BASE_ROOT: string | undefined = process.env.PORTCULLIS_BENCH_BASE_ROOT || undefined;

/** A module of the checkout at `root` (tsx loads its TypeScript as it loads ours). */
export async function importFrom<T>(root: string, path: string): Promise<T> {
  return (await import(pathToFileURL(join(root, path)).href)) as T;
}
