/**
 * Test helpers shared by the language catalogers' tests: run a parser over real files on this
 * machine (image path = host path), with a FileResolver backed by the host filesystem.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { posix } from 'node:path';
import picomatch from 'picomatch';
import type { CatalogerParser, FileResolver, ParseContext, ParseResult } from '../../types.js';

async function walk(dir: string, out: string[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const full = posix.join(dir, entry.name);
    if (entry.isDirectory()) await walk(full, out);
    else if (entry.isFile()) out.push(full);
  }
}

/** Every regular file under `root` (symlinks are not followed) whose path matches `pattern`. */
export async function hostGlob(root: string, pattern: string): Promise<string[]> {
  const files: string[] = [];
  // Walk only below the pattern's literal prefix: globbing from `/` would read the whole disk.
  const base = picomatch.scan(pattern).base || '/';
  await walk(base.startsWith(root) ? base : root, files);
  const isMatch = picomatch(pattern, { dot: true });
  return files.filter((f) => isMatch(f)).sort();
}

export function hostResolver(root = '/'): FileResolver {
  return {
    async read(path) {
      try {
        if (!(await stat(path)).isFile()) return undefined;
        return await readFile(path);
      } catch {
        return undefined;
      }
    },
    glob: (pattern) => hostGlob(root, pattern),
  };
}

export function hostContext(root = '/'): ParseContext {
  return { resolver: hostResolver(root), foundBy: 'test@1' };
}

/** Parses each file with the parser and merges the results. */
export async function parseHostFiles(
  parser: CatalogerParser,
  paths: string[],
  root = '/',
): Promise<ParseResult> {
  const merged: ParseResult = { packages: [], relationships: [], problems: [] };
  for (const path of paths) {
    const r = await parser.parse({ path, contents: await readFile(path) }, hostContext(root));
    merged.packages.push(...r.packages);
    merged.relationships.push(...r.relationships);
    merged.problems.push(...r.problems);
  }
  return merged;
}

/** `name@version` strings, sorted and de-duplicated: the comparison unit against ground truth. */
export function nameVersions(result: Pick<ParseResult, 'packages'>): string[] {
  return [...new Set(result.packages.map((p) => `${p.name}@${p.version}`))].sort();
}

/** An in-memory resolver for hand-built trees. */
export function memoryResolver(files: Record<string, string | Buffer>): FileResolver {
  return {
    async read(path) {
      const v = files[path];
      return v === undefined ? undefined : Buffer.from(v);
    },
    async glob(pattern) {
      const isMatch = picomatch(pattern, { dot: true });
      return Object.keys(files)
        .filter((f) => isMatch(f))
        .sort();
    },
  };
}
