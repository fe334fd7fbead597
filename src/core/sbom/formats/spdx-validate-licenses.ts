/**
 * Licence fields of an SPDX 2.3 document: every expression parses under Annex D with ids from
 * the SPDX licence and exception lists, NONE and NOASSERTION stand alone, each LicenseRef used
 * is declared in `hasExtractedLicensingInfos` (clause 10.1) or lives in a declared external
 * document, and each declared LicenseRef is declared once.
 */
import {
  formatPath,
  records,
  strings,
  type Json,
  type PathPart,
  type ProblemList,
} from './spdx-json-walk.js';
import { parseLicenseExpression } from './spdx-licenses.js';

/** Fields holding one licence expression. */
const EXPRESSION_FIELDS = ['licenseConcluded', 'licenseDeclared'];
/** Fields holding a list of licences found in files (clauses 7.14, 8.6, 9.6). */
const LIST_FIELDS = ['licenseInfoFromFiles', 'licenseInfoInFiles', 'licenseInfoInSnippets'];

interface Context {
  declared: ReadonlySet<string>;
  documentRefs: ReadonlySet<string>;
  out: ProblemList;
}

function checkExpression(value: string, path: PathPart[], context: Context): void {
  if (value === 'NONE' || value === 'NOASSERTION') return;
  const parsed = parseLicenseExpression(value);
  if (!parsed.ok) {
    context.out.add(path, `"${value}" is not a valid SPDX licence expression: ${parsed.reason}`);
    return;
  }
  for (const ref of parsed.licenseRefs) {
    const external = /^(DocumentRef-[^:]+):/.exec(ref);
    if (external) {
      if (!context.documentRefs.has(external[1] as string))
        context.out.add(
          path,
          `${ref} names an external document that is not declared in externalDocumentRefs`,
        );
    } else if (!context.declared.has(ref)) {
      context.out.add(path, `${ref} is not declared in hasExtractedLicensingInfos`);
    }
  }
}

function checkElement(element: Json, base: PathPart[], context: Context): void {
  for (const field of EXPRESSION_FIELDS) {
    const value = element[field];
    if (typeof value === 'string') checkExpression(value, [...base, field], context);
  }
  for (const field of LIST_FIELDS)
    for (const [value, i] of strings(element, field)) checkExpression(value, [...base, field, i], context);
}

export function checkLicenseFields(doc: Json, documentRefs: ReadonlySet<string>, out: ProblemList): void {
  const first = new Map<string, string>();
  for (const [info, i] of records(doc, 'hasExtractedLicensingInfos')) {
    if (typeof info.licenseId !== 'string') continue;
    const path = ['hasExtractedLicensingInfos', i, 'licenseId'];
    const seen = first.get(info.licenseId);
    if (seen) out.add(path, `${info.licenseId} is declared twice (first at ${seen})`);
    else first.set(info.licenseId, formatPath(path));
  }
  const context: Context = { declared: new Set(first.keys()), documentRefs, out };
  for (const key of ['packages', 'files', 'snippets'])
    for (const [element, i] of records(doc, key)) checkElement(element, [key, i], context);
}
