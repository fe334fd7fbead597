/** Reading a JSON document whose shape is not yet trusted, and collecting problems with their paths. */

export interface SpdxProblem {
  /** JSON path of the offending value, e.g. `packages[3].licenseDeclared`; `$` is the document. */
  path: string;
  message: string;
}

export type PathPart = string | number;
export type Json = Record<string, unknown>;

export function formatPath(parts: readonly PathPart[]): string {
  let out = '';
  for (const part of parts) out += typeof part === 'number' ? `[${part}]` : out === '' ? part : `.${part}`;
  return out === '' ? '$' : out;
}

export function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The objects of an array property with their indexes; anything malformed was reported by the schema. */
export function records(owner: Json, key: string): [Json, number][] {
  const list = owner[key];
  return Array.isArray(list) ? list.flatMap((v, i): [Json, number][] => (isRecord(v) ? [[v, i]] : [])) : [];
}

export function strings(owner: Json, key: string): [string, number][] {
  const list = owner[key];
  return Array.isArray(list)
    ? list.flatMap((v, i): [string, number][] => (typeof v === 'string' ? [[v, i]] : []))
    : [];
}

export class ProblemList {
  readonly problems: SpdxProblem[] = [];
  add(path: readonly PathPart[], message: string): void {
    this.problems.push({ path: formatPath(path), message });
  }
}
