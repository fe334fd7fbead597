/**
 * SPDX 2.3 JSON. Written directly (no maintained JS library emits SPDX 2.3 JSON); the shape
 * follows the SPDX 2.3 specification, clauses 6 (document), 7 (package), 10 (other licensing
 * information) and 11 (relationships).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { SbomDocument } from '../document.js';
import { sortPackages } from '../document.js';
import type { Package } from '../model.js';
import { isSpdxLicenseId } from './spdx-licenses.js';

export interface SpdxOptions {
  /** Fixed namespace for reproducible output (tests); default: a fresh UUID-based URI. */
  documentNamespace?: string;
}

/** SPDXIDs allow only letters, digits, `.` and `-`. */
function spdxId(kind: string, key: string): string {
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 16);
  return `SPDXRef-${kind}-${key.replace(/[^A-Za-z0-9.-]+/g, '-').slice(0, 60)}-${hash}`;
}

function licenseRef(name: string): string {
  return `LicenseRef-${name.replace(/[^A-Za-z0-9.-]+/g, '-')}`;
}

/** Declared license as an SPDX expression; non-SPDX names become LicenseRefs (clause 10). */
function declaredLicense(pkg: Package, extracted: Map<string, string>): string {
  if (pkg.licenses.length === 0) return 'NOASSERTION';
  const terms = pkg.licenses.map((l) => {
    if (isSpdxLicenseId(l)) return l;
    if (
      /^[A-Za-z0-9.+-]+(\s+(AND|OR|WITH)\s+[A-Za-z0-9.+-]+)+$/.test(l) &&
      l
        .split(/\s+/)
        .every(
          (t) => /^(AND|OR|WITH)$/.test(t) || isSpdxLicenseId(t.replace(/\+$/, '')) || /exception/i.test(t),
        )
    ) {
      return `(${l})`;
    }
    const ref = licenseRef(l);
    extracted.set(ref, l);
    return ref;
  });
  return terms.length === 1 ? (terms[0] as string).replace(/^\((.*)\)$/, '$1') : terms.join(' AND ');
}

export function toSpdxJson(doc: SbomDocument, options: SpdxOptions = {}): string {
  const extracted = new Map<string, string>();
  const subjectId = spdxId('Image', doc.source.digest ?? doc.source.input);
  const ids = new Map<string, string>();
  const packages = sortPackages(doc.packages).map((pkg) => {
    const id = spdxId('Package', `${pkg.type}-${pkg.name}-${pkg.version}-${pkg.id}`);
    ids.set(pkg.id, id);
    return {
      name: pkg.name,
      SPDXID: id,
      versionInfo: pkg.version,
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      licenseConcluded: 'NOASSERTION',
      licenseDeclared: declaredLicense(pkg, extracted),
      copyrightText: 'NOASSERTION',
      primaryPackagePurpose: 'LIBRARY',
      ...(pkg.source
        ? { sourceInfo: `built from source package ${pkg.source.name} ${pkg.source.version}` }
        : {}),
      externalRefs: [
        { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: pkg.purl },
      ],
      ...(pkg.locations.length
        ? {
            comment: `found by ${pkg.foundBy} at ${pkg.locations.map((l) => l.path).join(', ')}${
              pkg.originLayer ? `; layer ${pkg.originLayer}` : ''
            }`,
          }
        : {}),
    };
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
      created: doc.createdAt.replace(/\.\d+Z$/, 'Z'),
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
