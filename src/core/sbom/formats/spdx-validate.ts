/**
 * Validates SPDX 2.3 JSON documents: the structure (spdx-schema.ts) plus the rules a schema
 * cannot express, from the specification's text: SPDXIDs unique (3.2); relationship ends,
 * described elements, `hasFiles` and snippet files defined in the document or reached through
 * a declared external document reference (6.6, 7.x, 11); licence fields valid Annex D
 * expressions whose LicenseRefs are declared in `hasExtractedLicensingInfos` (10.1); no file
 * facts on packages whose files were not analyzed (7.8); checksum lengths per algorithm; the
 * Annex F reference types in their category. Every problem is reported, each with its path.
 */
import { PortcullisError } from '../../errors.js';
import { spdxDocumentSchema, type SpdxValidationMode } from './spdx-schema.js';
import { checkLicenseFields } from './spdx-validate-licenses.js';
import {
  formatPath,
  isRecord,
  ProblemList,
  records,
  strings,
  type Json,
  type PathPart,
  type SpdxProblem,
} from './spdx-json-walk.js';
import { CHECKSUM_HEX_LENGTH, EXTERNAL_SPDX_ID, LISTED_REFERENCE_TYPES } from './spdx-vocabulary.js';

export type { SpdxValidationMode } from './spdx-schema.js';
export type { SpdxProblem } from './spdx-json-walk.js';

const schemas = { strict: spdxDocumentSchema('strict'), lenient: spdxDocumentSchema('lenient') };

function schemaProblems(json: unknown, mode: SpdxValidationMode, out: ProblemList): void {
  const result = schemas[mode].safeParse(json);
  if (result.success) return;
  for (const issue of result.error.issues) {
    const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.add([...path, key], 'is not an SPDX 2.3 property');
    } else if (issue.code === 'invalid_type' && issue.input === undefined) {
      out.add(path, 'is required');
    } else {
      out.add(path, issue.message);
    }
  }
}

/** Every element id of the document, with where it was first defined; duplicates reported. */
function elementIds(doc: Json, out: ProblemList): Set<string> {
  const first = new Map<string, string>();
  const define = (id: unknown, path: PathPart[]) => {
    if (typeof id !== 'string') return;
    const seen = first.get(id);
    if (seen) out.add(path, `duplicate SPDXID "${id}" (first defined at ${seen})`);
    else first.set(id, formatPath(path));
  };
  define(doc.SPDXID, ['SPDXID']);
  for (const key of ['packages', 'files', 'snippets'])
    for (const [element, i] of records(doc, key)) define(element.SPDXID, [key, i, 'SPDXID']);
  return new Set(first.keys());
}

function checkReferences(doc: Json, ids: Set<string>, documentRefs: Set<string>, out: ProblemList): void {
  const defined = (id: string) =>
    ids.has(id) || (EXTERNAL_SPDX_ID.test(id) && documentRefs.has(id.slice(0, id.indexOf(':'))));
  const expect = (id: string, path: PathPart[], what: string) => {
    if (!defined(id))
      out.add(path, `${what} "${id}" is not an element of this document or of a declared external document`);
  };
  for (const [id, i] of strings(doc, 'documentDescribes'))
    expect(id, ['documentDescribes', i], 'described element');
  for (const [r, i] of records(doc, 'relationships')) {
    if (typeof r.spdxElementId === 'string')
      expect(r.spdxElementId, ['relationships', i, 'spdxElementId'], 'element');
    const related = r.relatedSpdxElement;
    if (typeof related === 'string' && related !== 'NONE' && related !== 'NOASSERTION')
      expect(related, ['relationships', i, 'relatedSpdxElement'], 'related element');
  }
  const fileIds = new Set(records(doc, 'files').map(([f]) => f.SPDXID));
  for (const [p, i] of records(doc, 'packages'))
    for (const [id, j] of strings(p, 'hasFiles'))
      if (!fileIds.has(id))
        out.add(['packages', i, 'hasFiles', j], `file "${id}" is not a file of this document`);
  for (const [s, i] of records(doc, 'snippets'))
    if (typeof s.snippetFromFile === 'string')
      expect(s.snippetFromFile, ['snippets', i, 'snippetFromFile'], 'file');
}

function checkPackages(doc: Json, out: ProblemList): void {
  for (const [p, i] of records(doc, 'packages')) {
    if (p.filesAnalyzed === false)
      for (const key of ['hasFiles', 'packageVerificationCode', 'licenseInfoFromFiles'])
        if (p[key] !== undefined)
          out.add(['packages', i, key], 'must be omitted when filesAnalyzed is false');
    for (const [ref, j] of records(p, 'externalRefs')) {
      const path = ['packages', i, 'externalRefs', j];
      const type = String(ref.referenceType);
      const category = String(ref.referenceCategory).replace('_', '-');
      const expected = LISTED_REFERENCE_TYPES.get(type);
      if (expected && expected !== category)
        out.add([...path, 'referenceCategory'], `reference type "${type}" belongs to category ${expected}`);
      const locator = String(ref.referenceLocator);
      const prefix =
        type === 'purl' ? 'pkg:' : type === 'cpe23Type' ? 'cpe:2.3:' : type === 'cpe22Type' ? 'cpe:/' : '';
      if (!locator.startsWith(prefix))
        out.add([...path, 'referenceLocator'], `a ${type} locator starts with "${prefix}"`);
    }
  }
}

function checkChecksum(c: Json, path: PathPart[], out: ProblemList): void {
  const length = CHECKSUM_HEX_LENGTH[c.algorithm as keyof typeof CHECKSUM_HEX_LENGTH];
  if (length !== undefined && typeof c.checksumValue === 'string' && c.checksumValue.length !== length)
    out.add(
      [...path, 'checksumValue'],
      `a ${String(c.algorithm)} checksum has ${length} hex digits, not ${c.checksumValue.length}`,
    );
}

function checkChecksums(doc: Json, out: ProblemList): void {
  for (const key of ['packages', 'files'])
    for (const [element, i] of records(doc, key)) {
      const list = records(element, 'checksums');
      for (const [c, j] of list) checkChecksum(c, [key, i, 'checksums', j], out);
      if (key === 'files' && list.length > 0 && !list.some(([c]) => c.algorithm === 'SHA1'))
        out.add([key, i, 'checksums'], 'a file needs a SHA1 checksum');
    }
  for (const [ref, i] of records(doc, 'externalDocumentRefs')) {
    if (!isRecord(ref.checksum)) continue;
    checkChecksum(ref.checksum, ['externalDocumentRefs', i, 'checksum'], out);
    if (ref.checksum.algorithm !== 'SHA1')
      out.add(
        ['externalDocumentRefs', i, 'checksum', 'algorithm'],
        'an external document is identified by its SHA1',
      );
  }
}

/**
 * All problems of an SPDX JSON document; empty when it is valid. `strict` (our output)
 * applies every rule; `lenient` (input from other tools) checks the structure we read and
 * that SPDXIDs are unique, since packages and relationships are keyed by them.
 */
export function validateSpdxDocument(json: unknown, mode: SpdxValidationMode = 'strict'): SpdxProblem[] {
  const out = new ProblemList();
  if (!isRecord(json)) return [{ path: '$', message: 'an SPDX JSON document is an object' }];
  schemaProblems(json, mode, out);
  const ids = elementIds(json, out);
  if (mode === 'strict') {
    const documentRefs = new Set(
      records(json, 'externalDocumentRefs').map(([r]) => String(r.externalDocumentId)),
    );
    checkReferences(json, ids, documentRefs, out);
    checkPackages(json, out);
    checkChecksums(json, out);
    checkLicenseFields(json, documentRefs, out);
  }
  return out.problems;
}

/** One line per problem, at most `limit` of them, for error messages. */
export function describeSpdxProblems(problems: readonly SpdxProblem[], limit = 20): string {
  const lines = problems.slice(0, limit).map((p) => `  ${p.path}: ${p.message}`);
  if (problems.length > limit) lines.push(`  ... and ${problems.length - limit} more`);
  return lines.join('\n');
}

/** Throws INVALID_ARGUMENT listing every problem (in `details.problems`) unless `json` is valid. */
export function assertValidSpdx(json: unknown, mode: SpdxValidationMode, name: string): void {
  const problems = validateSpdxDocument(json, mode);
  if (problems.length === 0) return;
  throw new PortcullisError(
    'INVALID_ARGUMENT',
    `${name}: not a valid SPDX ${mode === 'strict' ? '2.3' : '2.2/2.3'} JSON document (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${describeSpdxProblems(problems)}`,
    { details: { problems } },
  );
}
