/**
 * SPDX 2.3 JSON. Written directly (no maintained JS library emits SPDX 2.3 JSON); the shape
 * follows the SPDX 2.3 specification, clauses 6 (document), 7 (package), 10 (other licensing
 * information) and 11 (relationships). spdx-validate.ts checks every document we write.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { SbomDocument } from '../document.js';
import { sortPackages } from '../document.js';
import type { Package } from '../model.js';
import { canonicalLicenseId, parseLicenseExpression } from './spdx-licenses.js';
import {
  checksumsOf,
  downloadLocationOf,
  homepageOf,
  originatorOf,
  supplierOf,
} from './spdx-package-facts.js';

export interface SpdxOptions {
  /** Fixed namespace for reproducible output (tests); default: a fresh UUID-based URI. */
  documentNamespace?: string;
}

const shortHash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

/** SPDXIDs allow only letters, digits, `.` and `-`. */
function spdxId(kind: string, key: string): string {
  return `SPDXRef-${kind}-${key.replace(/[^A-Za-z0-9.-]+/g, '-').slice(0, 60)}-${shortHash(key)}`;
}

/** LicenseRefs declared so far, by id, with the text each stands for (clause 10). */
type ExtractedLicenses = Map<string, string>;

/** A LicenseRef for licence text that is no SPDX expression; distinct texts never share one. */
function licenseRef(text: string, extracted: ExtractedLicenses): string {
  const base = `LicenseRef-${text.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '') || 'unnamed'}`;
  const taken = extracted.get(base);
  const ref = taken === undefined || taken === text ? base : `${base}-${shortHash(text).slice(0, 8)}`;
  extracted.set(ref, text);
  return ref;
}

/** One declared licence as an SPDX expression term (Annex D), or a LicenseRef for its text. */
function licenseTerm(license: string, extracted: ExtractedLicenses): { term: string; compound: boolean } {
  const parsed = parseLicenseExpression(license);
  // An expression naming LicenseRefs of its own would point at texts this document lacks.
  if (parsed.ok && parsed.licenseRefs.length === 0) return { term: license, compound: parsed.compound };
  const id = canonicalLicenseId(license.trim());
  if (id) return { term: id, compound: false };
  return { term: licenseRef(license, extracted), compound: false };
}

/** Declared licences joined with AND; NOASSERTION when the package declares none. */
function declaredLicense(pkg: Package, extracted: ExtractedLicenses): string {
  const terms = [...new Set(pkg.licenses)].map((l) => licenseTerm(l, extracted));
  if (terms.length === 0) return 'NOASSERTION';
  if (terms.length === 1) return (terms[0] as { term: string }).term;
  return [...new Set(terms.map((t) => (t.compound ? `(${t.term})` : t.term)))].join(' AND ');
}

/** Creation time as the spec writes it: UTC, to the second. */
function spdxDate(iso: string): string {
  const time = Date.parse(iso);
  return new Date(Number.isNaN(time) ? 0 : time).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** The SPDX annotation comment that carries `declaredOnly` (CycloneDX: a property of that name). */
export const DECLARED_ONLY_ANNOTATION = 'portcullis:package:declaredOnly';

/**
 * SPDX 2.3 has no package properties; an annotation carries what CycloneDX keeps in the
 * `portcullis:package:declaredOnly` property: the package is declared (a lock file), not installed.
 */
function declaredOnlyAnnotation(doc: SbomDocument) {
  return {
    annotator: `Tool: portcullis-${doc.descriptor.version}`,
    annotationDate: spdxDate(doc.createdAt),
    annotationType: 'OTHER',
    comment: `${DECLARED_ONLY_ANNOTATION}=true (declared by a lock file or manifest, not installed)`,
  };
}

function spdxPackage(pkg: Package, id: string, extracted: ExtractedLicenses) {
  const supplier = supplierOf(pkg);
  const originator = originatorOf(pkg);
  const checksums = checksumsOf(pkg);
  const homepage = homepageOf(pkg);
  return {
    name: pkg.name,
    SPDXID: id,
    versionInfo: pkg.version,
    ...(supplier ? { supplier } : {}),
    ...(originator ? { originator } : {}),
    downloadLocation: downloadLocationOf(pkg),
    filesAnalyzed: false,
    ...(checksums.length ? { checksums } : {}),
    ...(homepage ? { homepage } : {}),
    ...(pkg.source
      ? { sourceInfo: `built from source package ${pkg.source.name} ${pkg.source.version}` }
      : {}),
    licenseConcluded: 'NOASSERTION',
    licenseDeclared: declaredLicense(pkg, extracted),
    copyrightText: 'NOASSERTION',
    ...(pkg.locations.length
      ? {
          comment: `found by ${pkg.foundBy} at ${pkg.locations.map((l) => l.path).join(', ')}${
            pkg.originLayer ? `; layer ${pkg.originLayer}` : ''
          }`,
        }
      : {}),
    externalRefs: [
      { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: pkg.purl },
    ],
    primaryPackagePurpose: 'LIBRARY',
  };
}

export function toSpdxJson(doc: SbomDocument, options: SpdxOptions = {}): string {
  const extracted = new Map<string, string>();
  const subjectId = spdxId('Image', doc.source.digest ?? doc.source.input);
  const ids = new Map<string, string>();
  const packages = sortPackages(doc.packages).map((pkg) => {
    const id = spdxId('Package', `${pkg.type}-${pkg.name}-${pkg.version}-${pkg.id}`);
    ids.set(pkg.id, id);
    const out = spdxPackage(pkg, id, extracted);
    return pkg.declaredOnly ? { ...out, annotations: [declaredOnlyAnnotation(doc)] } : out;
  });
  const relationships = [
    { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: subjectId },
    ...packages.map((p) => ({
      spdxElementId: subjectId,
      relationshipType: 'CONTAINS',
      relatedSpdxElement: p.SPDXID,
    })),
    ...doc.relationships.flatMap((r) => {
      const from = ids.get(r.from);
      const to = ids.get(r.to);
      if (!from || !to) return [];
      const type =
        r.type === 'depends-on'
          ? 'DEPENDS_ON'
          : r.type === 'dev-depends-on'
            ? 'DEV_DEPENDENCY_OF'
            : 'CONTAINS';
      return type === 'DEV_DEPENDENCY_OF'
        ? [{ spdxElementId: to, relationshipType: type, relatedSpdxElement: from }]
        : [{ spdxElementId: from, relationshipType: type, relatedSpdxElement: to }];
    }),
  ];
  const name = doc.source.input;
  const out = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name,
    documentNamespace:
      options.documentNamespace ?? `https://portcullis.dev/spdx/${encodeURIComponent(name)}-${randomUUID()}`,
    creationInfo: {
      created: spdxDate(doc.createdAt),
      creators: [`Tool: portcullis-${doc.descriptor.version}`],
    },
    documentDescribes: [subjectId],
    packages: [
      {
        name,
        SPDXID: subjectId,
        versionInfo: doc.source.digest ?? 'NOASSERTION',
        downloadLocation: 'NOASSERTION',
        filesAnalyzed: false,
        licenseConcluded: 'NOASSERTION',
        licenseDeclared: 'NOASSERTION',
        copyrightText: 'NOASSERTION',
        primaryPackagePurpose: 'CONTAINER',
      },
      ...packages,
    ],
    relationships,
    ...(extracted.size
      ? {
          hasExtractedLicensingInfos: [...extracted].map(([licenseId, text]) => ({
            licenseId,
            extractedText: text,
            name: text,
          })),
        }
      : {}),
  };
  return JSON.stringify(out, null, 2);
}
