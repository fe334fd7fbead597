/**
 * The closed vocabularies of SPDX 2.3, as its specification lists them: checksum algorithms
 * (clause 7.10), external reference categories and the types each category defines (7.21,
 * Annex F), package purposes (7.24), file types (8.3), relationship types (11.1) and
 * annotation types (12.3).
 */

/** Checksum algorithms with the hex length their digests have; undefined: variable length. */
export const CHECKSUM_HEX_LENGTH = {
  SHA1: 40,
  SHA224: 56,
  SHA256: 64,
  SHA384: 96,
  SHA512: 128,
  'SHA3-256': 64,
  'SHA3-384': 96,
  'SHA3-512': 128,
  'BLAKE2b-256': 64,
  'BLAKE2b-384': 96,
  'BLAKE2b-512': 128,
  BLAKE3: undefined,
  MD2: 32,
  MD4: 32,
  MD5: 32,
  MD6: undefined,
  ADLER32: 8,
} as const satisfies Record<string, number | undefined>;

export type ChecksumAlgorithm = keyof typeof CHECKSUM_HEX_LENGTH;
export const CHECKSUM_ALGORITHMS = Object.keys(CHECKSUM_HEX_LENGTH) as [
  ChecksumAlgorithm,
  ...ChecksumAlgorithm[],
];

/** 2.3 writes the two-word categories with a hyphen and also accepts the underscore form. */
export const REFERENCE_CATEGORIES = [
  'SECURITY',
  'PACKAGE-MANAGER',
  'PACKAGE_MANAGER',
  'PERSISTENT-ID',
  'PERSISTENT_ID',
  'OTHER',
] as const;

/**
 * The reference types Annex F defines, by the category they belong to. Other types are
 * allowed (OTHER, or a URI naming the type), so only these are checked for their category.
 */
export const LISTED_REFERENCE_TYPES: ReadonlyMap<string, string> = new Map([
  ['cpe22Type', 'SECURITY'],
  ['cpe23Type', 'SECURITY'],
  ['advisory', 'SECURITY'],
  ['fix', 'SECURITY'],
  ['url', 'SECURITY'],
  ['swid', 'SECURITY'],
  ['maven-central', 'PACKAGE-MANAGER'],
  ['npm', 'PACKAGE-MANAGER'],
  ['nuget', 'PACKAGE-MANAGER'],
  ['bower', 'PACKAGE-MANAGER'],
  ['purl', 'PACKAGE-MANAGER'],
  ['swh', 'PERSISTENT-ID'],
  ['gitoid', 'PERSISTENT-ID'],
]);

export const PACKAGE_PURPOSES = [
  'APPLICATION',
  'FRAMEWORK',
  'LIBRARY',
  'CONTAINER',
  'OPERATING-SYSTEM',
  'DEVICE',
  'FIRMWARE',
  'SOURCE',
  'ARCHIVE',
  'FILE',
  'INSTALL',
  'OTHER',
] as const;

export const FILE_TYPES = [
  'SOURCE',
  'BINARY',
  'ARCHIVE',
  'APPLICATION',
  'AUDIO',
  'IMAGE',
  'TEXT',
  'VIDEO',
  'DOCUMENTATION',
  'SPDX',
  'OTHER',
] as const;

export const RELATIONSHIP_TYPES = [
  'DESCRIBES',
  'DESCRIBED_BY',
  'CONTAINS',
  'CONTAINED_BY',
  'DEPENDS_ON',
  'DEPENDENCY_OF',
  'DEPENDENCY_MANIFEST_OF',
  'BUILD_DEPENDENCY_OF',
  'DEV_DEPENDENCY_OF',
  'OPTIONAL_DEPENDENCY_OF',
  'PROVIDED_DEPENDENCY_OF',
  'TEST_DEPENDENCY_OF',
  'RUNTIME_DEPENDENCY_OF',
  'EXAMPLE_OF',
  'GENERATES',
  'GENERATED_FROM',
  'ANCESTOR_OF',
  'DESCENDANT_OF',
  'VARIANT_OF',
  'DISTRIBUTION_ARTIFACT',
  'PATCH_FOR',
  'PATCH_APPLIED',
  'COPY_OF',
  'FILE_ADDED',
  'FILE_DELETED',
  'FILE_MODIFIED',
  'EXPANDED_FROM_ARCHIVE',
  'DYNAMIC_LINK',
  'STATIC_LINK',
  'DATA_FILE_OF',
  'TEST_CASE_OF',
  'BUILD_TOOL_OF',
  'DEV_TOOL_OF',
  'TEST_OF',
  'TEST_TOOL_OF',
  'DOCUMENTATION_OF',
  'OPTIONAL_COMPONENT_OF',
  'METAFILE_OF',
  'PACKAGE_OF',
  'AMENDS',
  'PREREQUISITE_FOR',
  'HAS_PREREQUISITE',
  'REQUIREMENT_DESCRIPTION_FOR',
  'SPECIFICATION_FOR',
  'OTHER',
] as const;

export const ANNOTATION_TYPES = ['REVIEW', 'OTHER'] as const;

/** SPDX element ids (clause 3.2): `SPDXRef-` and letters, digits, `.` and `-`. */
export const SPDX_ID = /^SPDXRef-[A-Za-z0-9.-]+$/;
/** An element of another document, through its external document reference (6.6). */
export const EXTERNAL_SPDX_ID = /^DocumentRef-[A-Za-z0-9.-]+:SPDXRef-[A-Za-z0-9.-]+$/;
export const DOCUMENT_REF_ID = /^DocumentRef-[A-Za-z0-9.-]+$/;
export const LICENSE_REF_ID = /^LicenseRef-[A-Za-z0-9.-]+$/;
/** Dates are UTC, to the second: YYYY-MM-DDThh:mm:ssZ (clause 6.9 and others). */
export const SPDX_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
/** Creators, suppliers, originators and annotators name their kind first (6.8, 7.5, 7.6, 12.1). */
export const ACTOR = /^(Person|Organization|Tool): *\S/;
