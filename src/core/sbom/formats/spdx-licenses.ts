/**
 * SPDX licence ids and licence expressions (SPDX 2.3 Annex D). Expressions are parsed with
 * spdx-expression-parse, which knows the SPDX licence and exception lists as the
 * spdx-license-ids and spdx-exceptions packages ship them.
 */
import { createRequire } from 'node:module';
import parseSpdxExpression from 'spdx-expression-parse';

const require = createRequire(import.meta.url);
const ids: ReadonlySet<string> = new Set([
  ...(require('spdx-license-ids') as string[]),
  ...(require('spdx-license-ids/deprecated.json') as string[]),
]);
const idsByLowerCase: ReadonlyMap<string, string> = new Map([...ids].map((id) => [id.toLowerCase(), id]));

export function isSpdxLicenseId(value: string): boolean {
  return ids.has(value);
}

/** The listed id written in its canonical case; SPDX matches ids case-insensitively. */
export function canonicalLicenseId(value: string): string | undefined {
  return idsByLowerCase.get(value.toLowerCase());
}

export type ParsedLicenseExpression =
  { ok: true; compound: boolean; licenseRefs: string[] } | { ok: false; reason: string };

type Node = parseSpdxExpression.Info;

function collect(node: Node, refs: string[]): void {
  if ('conjunction' in node) {
    collect(node.left, refs);
    collect(node.right, refs);
  } else if (/^(DocumentRef-[^:]+:)?LicenseRef-/.test(node.license)) {
    refs.push(node.license);
  }
}

/**
 * Parses an SPDX licence expression. `compound` tells whether it needs parentheses when it
 * is joined with others; `licenseRefs` lists the LicenseRef-/DocumentRef- ids it uses.
 */
export function parseLicenseExpression(text: string): ParsedLicenseExpression {
  // Annex D operators are upper case; the parser would accept `mit and x` half-way.
  const operator = text.split(/[\s()]+/).find((w) => /^(and|or|with)$/i.test(w) && w !== w.toUpperCase());
  if (operator) return { ok: false, reason: `operator "${operator}" must be written in upper case` };
  let tree: Node;
  try {
    tree = parseSpdxExpression(text);
  } catch (err) {
    return { ok: false, reason: (err as Error).message || 'incomplete expression' };
  }
  const licenseRefs: string[] = [];
  collect(tree, licenseRefs);
  return { ok: true, compound: 'conjunction' in tree, licenseRefs };
}
