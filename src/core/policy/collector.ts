/** Collects validation problems with their JSON paths, so one pass reports all of them. */
import type { z } from 'zod';
import { formatPath, type PathPart } from './json-path.js';

export interface BundleIssue {
  /** JSON path of the offending field, `$` for the whole document. */
  path: string;
  message: string;
}

export class Collector {
  readonly errors: BundleIssue[] = [];
  readonly warnings: BundleIssue[] = [];
  error(path: readonly PathPart[], message: string): void {
    this.errors.push({ path: formatPath(path), message });
  }
  warn(path: readonly PathPart[], message: string): void {
    this.warnings.push({ path: formatPath(path), message });
  }
  /** Parses with zod, reporting every issue under `base`; undefined when invalid. */
  parse<S extends z.ZodType>(schema: S, value: unknown, base: readonly PathPart[]): z.infer<S> | undefined {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
      const where = [...base, ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))];
      const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
      this.error(where, missing ? 'is required' : issue.message);
    }
    return undefined;
  }
  /** Reports ids seen twice in one list. */
  unique(ids: readonly (string | undefined)[], base: readonly PathPart[], what: string, field = 'id'): void {
    const first = new Map<string, number>();
    ids.forEach((id, i) => {
      if (id === undefined) return;
      const seen = first.get(id);
      if (seen === undefined) first.set(id, i);
      else
        this.error(
          [...base, i, field],
          `duplicate ${what} id "${id}" (first used at ${formatPath([...base, seen])})`,
        );
    });
  }
}
