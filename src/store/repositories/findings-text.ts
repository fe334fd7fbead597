/**
 * The JSON text an analysis's findings are stored as (a `json` column, migration 72, so the text
 * is kept as written): one finding per line, `[\n{…},\n{…}\n]`. Any JSON reader reads it as the
 * array it is; the re-match also reads each finding's own text back (`findingTexts`), so the
 * findings it keeps are written again as they were read instead of serialized again, which was
 * its largest single cost in Node (ADR 0043). `JSON.stringify` never writes a raw newline
 * (inside strings it escapes them), so the lines are the findings.
 */

const OPEN = '[\n';
const SEPARATOR = ',\n';
const CLOSE = '\n]';

/**
 * The stored text of `findings`. `textOf` gives a finding's text when the caller has it (as
 * `JSON.stringify` wrote it); the others are serialized here.
 */
export function findingsText<T>(findings: readonly T[], textOf?: (finding: T) => string | undefined): string {
  if (findings.length === 0) return '[]';
  const texts = findings.map((f) => textOf?.(f) ?? JSON.stringify(f));
  return OPEN + texts.join(SEPARATOR) + CLOSE;
}

/**
 * Each finding's text of a stored text written by `findingsText`, in order; undefined for any
 * other text (written before this layout, or by hand), whose findings are then serialized anew.
 */
export function findingTexts(stored: string): string[] | undefined {
  if (stored === '[]') return [];
  if (!stored.startsWith(`${OPEN}{`) || !stored.endsWith(`}${CLOSE}`)) return undefined;
  return stored.slice(OPEN.length, -CLOSE.length).split(SEPARATOR);
}

/** The stored text of a findings value of unknown shape: an array as `findingsText` writes it. */
export const storedFindingsText = (findings: unknown): string =>
  Array.isArray(findings) ? findingsText(findings) : JSON.stringify(findings);
