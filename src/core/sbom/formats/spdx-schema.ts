/**
 * The structure of an SPDX 2.3 JSON document as zod schemas, written from the specification's
 * clauses 6 (document creation), 7 (package), 8 (file), 9 (snippet), 10 (other licensing
 * information), 11 (relationships) and 12 (annotations). Rules that need the whole document
 * (ids defined, licence expressions, LicenseRefs declared) live in spdx-validate.ts.
 *
 * `strict` is for documents we write: closed vocabularies, exact formats, no unknown
 * properties. `lenient` is for documents other tools wrote (`sbom:` input, SPDX 2.2 too): the
 * fields we read must be there with the right types, everything else may deviate.
 */
import { z } from 'zod';
import {
  ACTOR,
  ANNOTATION_TYPES,
  CHECKSUM_ALGORITHMS,
  DOCUMENT_REF_ID,
  FILE_TYPES,
  LICENSE_REF_ID,
  PACKAGE_PURPOSES,
  REFERENCE_CATEGORIES,
  RELATIONSHIP_TYPES,
  SPDX_DATE,
  SPDX_ID,
} from './spdx-vocabulary.js';

export type SpdxValidationMode = 'strict' | 'lenient';

/** An absolute URI (RFC 3986): a scheme, then something. */
const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$/;

function isCalendarDate(value: string): boolean {
  const time = Date.parse(value);
  return !Number.isNaN(time) && new Date(time).toISOString().replace(/\.\d+Z$/, 'Z') === value;
}

export function spdxDocumentSchema(mode: SpdxValidationMode): z.ZodType {
  const strict = mode === 'strict';
  const text = z.string();
  const texts = z.array(text);
  const object = <T extends z.core.$ZodLooseShape>(shape: T): z.ZodType =>
    strict ? z.strictObject(shape) : z.looseObject(shape);
  const oneOf = (values: readonly [string, ...string[]], what: string): z.ZodType =>
    strict
      ? z.enum(values, { error: (issue) => `${JSON.stringify(issue.input)} is not an SPDX 2.3 ${what}` })
      : text;
  const pattern = (re: RegExp, message: string): z.ZodType =>
    strict ? text.regex(re, { error: message }) : text;

  const date = strict
    ? text
        .regex(SPDX_DATE, { error: 'must be a UTC date YYYY-MM-DDThh:mm:ssZ' })
        .refine(isCalendarDate, { error: 'is not a real calendar date and time' })
    : text.refine((v) => !Number.isNaN(Date.parse(v)), { error: 'is not a date' });
  const spdxId = strict
    ? pattern(SPDX_ID, 'must be "SPDXRef-" followed by letters, digits, "." or "-"')
    : text.min(1);
  const actor = pattern(ACTOR, 'must start with "Person: ", "Organization: " or "Tool: "');
  const party = strict
    ? text.refine((v) => v === 'NOASSERTION' || /^(Person|Organization): *\S/.test(v), {
        error: 'must be NOASSERTION or start with "Person: " or "Organization: "',
      })
    : text;
  const uriOrNone = strict
    ? text.refine((v) => v === 'NONE' || v === 'NOASSERTION' || ABSOLUTE_URI.test(v), {
        error: 'must be NONE, NOASSERTION or an absolute URI',
      })
    : text;

  const checksum = object({
    algorithm: oneOf(CHECKSUM_ALGORITHMS, 'checksum algorithm'),
    checksumValue: pattern(/^[0-9a-f]+$/, 'must be lower-case hexadecimal'),
  });
  const annotation = object({
    annotator: actor,
    annotationDate: date,
    annotationType: oneOf(ANNOTATION_TYPES, 'annotation type'),
    comment: text,
  });
  const annotations = z.array(annotation).optional();
  const externalRef = object({
    referenceCategory: oneOf(REFERENCE_CATEGORIES, 'external reference category'),
    referenceType: text.min(1),
    referenceLocator: strict ? text.regex(/^\S+$/, { error: 'must not contain white space' }) : text,
    comment: text.optional(),
  });

  const pkg = object({
    name: text.min(1),
    SPDXID: spdxId,
    versionInfo: text.optional(),
    packageFileName: text.optional(),
    supplier: party.optional(),
    originator: party.optional(),
    downloadLocation: strict ? uriOrNone : text.optional(),
    filesAnalyzed: z.boolean().optional(),
    packageVerificationCode: object({
      packageVerificationCodeValue: pattern(/^[0-9a-f]{40}$/, 'must be 40 lower-case hex digits (SHA1)'),
      packageVerificationCodeExcludedFiles: texts.optional(),
    }).optional(),
    checksums: z.array(checksum).optional(),
    homepage: uriOrNone.optional(),
    sourceInfo: text.optional(),
    licenseConcluded: text.optional(),
    licenseInfoFromFiles: texts.optional(),
    licenseDeclared: text.optional(),
    licenseComments: text.optional(),
    copyrightText: text.optional(),
    summary: text.optional(),
    description: text.optional(),
    comment: text.optional(),
    externalRefs: z.array(externalRef).optional(),
    attributionTexts: texts.optional(),
    primaryPackagePurpose: oneOf(PACKAGE_PURPOSES, 'primary package purpose').optional(),
    releaseDate: date.optional(),
    builtDate: date.optional(),
    validUntilDate: date.optional(),
    hasFiles: texts.optional(),
    annotations,
  });

  const file = object({
    fileName: text.min(1),
    SPDXID: spdxId,
    fileTypes: z.array(oneOf(FILE_TYPES, 'file type')).optional(),
    checksums: strict ? z.array(checksum).min(1, { error: 'needs at least the SHA1 checksum' }) : z.unknown(),
    licenseConcluded: text.optional(),
    licenseInfoInFiles: texts.optional(),
    licenseComments: text.optional(),
    copyrightText: text.optional(),
    comment: text.optional(),
    noticeText: text.optional(),
    fileContributors: texts.optional(),
    attributionTexts: texts.optional(),
    fileDependencies: texts.optional(),
    artifactOfs: z.array(z.looseObject({})).optional(),
    annotations,
  });

  const pointer = object({
    reference: text,
    offset: z.int().positive().optional(),
    lineNumber: z.int().positive().optional(),
  });
  const snippet = object({
    SPDXID: spdxId,
    snippetFromFile: text,
    ranges: z.array(object({ startPointer: pointer, endPointer: pointer })).min(1),
    licenseConcluded: text.optional(),
    licenseInfoInSnippets: texts.optional(),
    licenseComments: text.optional(),
    copyrightText: text.optional(),
    comment: text.optional(),
    name: text.optional(),
    attributionTexts: texts.optional(),
    annotations,
  });

  const extractedLicense = object({
    licenseId: pattern(LICENSE_REF_ID, 'must be "LicenseRef-" followed by letters, digits, "." or "-"'),
    extractedText: text,
    name: text.optional(),
    seeAlsos: texts.optional(),
    comment: text.optional(),
  });

  const relationship = object({
    spdxElementId: text,
    relationshipType: oneOf(RELATIONSHIP_TYPES, 'relationship type'),
    relatedSpdxElement: text,
    comment: text.optional(),
  });

  return object({
    spdxVersion: strict
      ? z.literal('SPDX-2.3', { error: 'must be "SPDX-2.3"' })
      : text.regex(/^SPDX-2\.[23]$/, { error: 'must be "SPDX-2.2" or "SPDX-2.3"' }),
    dataLicense: strict ? z.literal('CC0-1.0', { error: 'must be "CC0-1.0"' }) : text.optional(),
    SPDXID: strict ? z.literal('SPDXRef-DOCUMENT', { error: 'must be "SPDXRef-DOCUMENT"' }) : text.optional(),
    name: text,
    documentNamespace: strict
      ? text
          .regex(ABSOLUTE_URI, { error: 'must be an absolute URI' })
          .refine((v) => !v.includes('#'), { error: 'must not contain "#"' })
      : text.optional(),
    externalDocumentRefs: z
      .array(
        object({
          externalDocumentId: pattern(
            DOCUMENT_REF_ID,
            'must be "DocumentRef-" followed by letters, digits, "." or "-"',
          ),
          spdxDocument: strict ? text.regex(ABSOLUTE_URI, { error: 'must be an absolute URI' }) : text,
          checksum,
        }),
      )
      .optional(),
    creationInfo: object({
      creators: strict ? z.array(actor).min(1, { error: 'needs at least one creator' }) : z.unknown(),
      created: date,
      comment: text.optional(),
      licenseListVersion: pattern(/^\d+\.\d+$/, 'must be "major.minor"').optional(),
    }),
    comment: text.optional(),
    documentDescribes: texts.optional(),
    packages: z.array(pkg).optional(),
    files: z.array(file).optional(),
    snippets: z.array(snippet).optional(),
    hasExtractedLicensingInfos: z.array(extractedLicense).optional(),
    relationships: z.array(relationship).optional(),
    annotations,
    revieweds: z
      .array(object({ reviewDate: date, reviewer: text.optional(), comment: text.optional() }))
      .optional(),
  });
}
