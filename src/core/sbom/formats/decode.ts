/**
 * Reads an SBOM back as an inventory (`sbom:<file>` source): native JSON, CycloneDX JSON
 * (1.4–1.6) or SPDX 2.2/2.3 JSON. Packages are rebuilt from PURLs; what the format cannot
 * carry (layers, ownership) is restored from our own `portcullis:` properties when present.
 */
import { PackageURL } from 'packageurl-js';
import { z } from 'zod';
import { PortcullisError } from '../../errors.js';
import { NATIVE_SCHEMA_VERSION, type SbomDocument } from '../document.js';
import type { Location, Package, PackageType, Relationship } from '../model.js';
import { isDistroType, packageTypeOfPurl } from '../package-types.js';
import { DECLARED_ONLY_ANNOTATION } from './spdx.js';
import { assertValidSpdx } from './spdx-validate.js';
import { PORTCULLIS_VERSION } from '../../version.js';

export type SbomFormat = 'native' | 'cyclonedx-json' | 'spdx-json';

const property = z.object({ name: z.string(), value: z.string().optional() });
const cdxLicense = z.object({
  license: z.object({ id: z.string().optional(), name: z.string().optional() }).optional(),
  expression: z.string().optional(),
});
const cdxComponent = z.looseObject({
  'bom-ref': z.string().optional(),
  name: z.string(),
  version: z.string().optional(),
  purl: z.string().optional(),
  licenses: z.array(cdxLicense).optional(),
  properties: z.array(property).optional(),
});
const cdxBom = z.looseObject({
  bomFormat: z.literal('CycloneDX'),
  specVersion: z.string(),
  metadata: z
    .looseObject({ timestamp: z.string().optional(), component: cdxComponent.optional() })
    .optional(),
  components: z.array(cdxComponent).default([]),
  dependencies: z.array(z.object({ ref: z.string(), dependsOn: z.array(z.string()).optional() })).optional(),
});
const spdxDoc = z.looseObject({
  spdxVersion: z.string().regex(/^SPDX-2\.[23]$/),
  name: z.string(),
  creationInfo: z.looseObject({ created: z.string() }),
  packages: z
    .array(
      z.looseObject({
        SPDXID: z.string(),
        name: z.string(),
        versionInfo: z.string().optional(),
        licenseDeclared: z.string().optional(),
        annotations: z
          .array(z.looseObject({ comment: z.string().optional().catch(undefined) }))
          .optional()
          .catch(undefined),
        externalRefs: z
          .array(
            z.object({
              referenceCategory: z.string(),
              referenceType: z.string(),
              referenceLocator: z.string(),
            }),
          )
          .optional(),
      }),
    )
    .default([]),
  relationships: z
    .array(
      z.object({ spdxElementId: z.string(), relationshipType: z.string(), relatedSpdxElement: z.string() }),
    )
    .default([]),
});

export function detectSbomFormat(json: unknown): SbomFormat | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const o = json as Record<string, unknown>;
  if (o.bomFormat === 'CycloneDX') return 'cyclonedx-json';
  if (typeof o.spdxVersion === 'string') return 'spdx-json';
  if (typeof o.schemaVersion === 'string' && typeof o.descriptor === 'object') return 'native';
  return undefined;
}

function packageFromPurl(purlText: string, fallbackName: string, fallbackVersion: string, id: string) {
  let purl: PackageURL;
  try {
    purl = PackageURL.fromString(purlText);
  } catch (err) {
    throw new PortcullisError('INVALID_ARGUMENT', `invalid PURL "${purlText}": ${(err as Error).message}`);
  }
  const type = packageTypeOfPurl(purl.type) ?? 'binary';
  const name =
    // Java packages are named by artifactId, as the java cataloger names them; the groupId
    // stays in the PURL (matching reads Maven coordinates from there).
    type === 'java'
      ? purl.name
      : purl.namespace && !isDistroType(type)
        ? `${purl.namespace}/${purl.name}`
        : purl.name;
  const pkg: Package = {
    id,
    name: name || fallbackName,
    version: purl.version ?? fallbackVersion,
    type,
    purl: purlText,
    licenses: [],
    locations: [],
    foundBy: 'sbom-import@1',
    metadata: {},
  };
  const upstream = purl.qualifiers?.upstream;
  if (upstream && isDistroType(type)) {
    const [srcName, srcVersion] = upstream.split('@');
    pkg.source = { name: srcName ?? upstream, version: srcVersion ?? pkg.version };
  }
  return pkg;
}

function fromCycloneDx(json: unknown, input: string): SbomDocument {
  const parsed = cdxBom.safeParse(json);
  if (!parsed.success)
    throw new PortcullisError(
      'INVALID_ARGUMENT',
      `${input}: not a valid CycloneDX BOM: ${parsed.error.issues[0]?.message}`,
    );
  const bom = parsed.data;
  const packages: Package[] = [];
  bom.components.forEach((c, i) => {
    if (!c.purl) return;
    const pkg = packageFromPurl(c.purl, c.name, c.version ?? '', c['bom-ref'] ?? `component-${i}`);
    pkg.licenses = (c.licenses ?? []).flatMap((l) =>
      [l.license?.id ?? l.license?.name ?? l.expression ?? []].flat(),
    );
    const props = new Map((c.properties ?? []).map((p) => [p.name, p.value ?? '']));
    const locations: Location[] = [];
    for (let n = 0; props.has(`portcullis:location:${n}:path`); n++) {
      const loc: Location = { path: props.get(`portcullis:location:${n}:path`) as string };
      const layer = props.get(`portcullis:location:${n}:layerDiffId`);
      if (layer) loc.layerDiffId = layer;
      locations.push(loc);
    }
    pkg.locations = locations;
    const origin = props.get('portcullis:package:originLayer');
    if (origin) pkg.originLayer = origin;
    if (props.get('portcullis:package:declaredOnly') === 'true') pkg.declaredOnly = true;
    const foundBy = props.get('portcullis:package:foundBy');
    if (foundBy) pkg.foundBy = foundBy;
    const owned = props.get('portcullis:package:ownedBy')?.match(/^([a-z]+):(.+)@([^@]+)$/);
    if (owned)
      pkg.ownedBy = { type: owned[1] as PackageType, name: owned[2] as string, version: owned[3] as string };
    const source = props.get('portcullis:package:sourcePackage')?.match(/^(.+)@([^@]+)$/);
    if (source) pkg.source = { name: source[1] as string, version: source[2] as string };
    packages.push(pkg);
  });
  const ids = new Set(packages.map((p) => p.id));
  const relationships: Relationship[] = (bom.dependencies ?? []).flatMap((d) =>
    ids.has(d.ref)
      ? (d.dependsOn ?? [])
          .filter((t) => ids.has(t))
          .map((to) => ({ from: d.ref, to, type: 'depends-on' as const }))
      : [],
  );
  const subjectProps = new Map(
    (bom.metadata?.component?.properties ?? []).map((p) => [p.name, p.value ?? '']),
  );
  return withDistro(
    emptyDocument(input, bom.metadata?.timestamp, packages, relationships),
    distroOf(packages, subjectProps),
  );
}

function fromSpdx(json: unknown, input: string): SbomDocument {
  // Other tools' SPDX may deviate harmlessly from 2.3; what we read must be well formed.
  assertValidSpdx(json, 'lenient', input);
  const parsed = spdxDoc.safeParse(json);
  if (!parsed.success)
    throw new PortcullisError(
      'INVALID_ARGUMENT',
      `${input}: not a valid SPDX 2.x JSON document: ${parsed.error.issues[0]?.message}`,
    );
  const packages: Package[] = [];
  for (const p of parsed.data.packages) {
    const purl = p.externalRefs?.find((r) => r.referenceType === 'purl')?.referenceLocator;
    if (!purl) continue;
    const pkg = packageFromPurl(purl, p.name, p.versionInfo ?? '', p.SPDXID);
    const declared = p.licenseDeclared;
    if (declared && declared !== 'NOASSERTION' && declared !== 'NONE') pkg.licenses = [declared];
    if (p.annotations?.some((a) => a.comment?.startsWith(`${DECLARED_ONLY_ANNOTATION}=true`)))
      pkg.declaredOnly = true;
    packages.push(pkg);
  }
  const ids = new Set(packages.map((p) => p.id));
  const relationships: Relationship[] = parsed.data.relationships
    .filter(
      (r) => r.relationshipType === 'DEPENDS_ON' && ids.has(r.spdxElementId) && ids.has(r.relatedSpdxElement),
    )
    .map((r) => ({ from: r.spdxElementId, to: r.relatedSpdxElement, type: 'depends-on' }));
  return withDistro(
    emptyDocument(input, parsed.data.creationInfo.created, packages, relationships),
    distroOf(packages),
  );
}

function withDistro(doc: SbomDocument, distro: SbomDocument['distro']): SbomDocument {
  return distro ? { ...doc, distro } : doc;
}

/**
 * The distro an imported SBOM describes: our own CycloneDX properties when present, else the
 * `distro=<id>-<version>` qualifier distro package PURLs carry (purl-spec deb/rpm/apk).
 */
function distroOf(
  packages: readonly Package[],
  properties?: ReadonlyMap<string, string>,
): SbomDocument['distro'] {
  const id = properties?.get('portcullis:distro:id');
  if (id) {
    const versionId = properties?.get('portcullis:distro:versionId');
    return { id, ...(versionId ? { versionId } : {}) };
  }
  for (const pkg of packages) {
    if (!isDistroType(pkg.type)) continue;
    const m = /[?&]distro=([a-z]+)-([0-9][^&#]*)/.exec(pkg.purl);
    if (m) return { id: m[1] as string, versionId: decodeURIComponent(m[2] as string) };
  }
  return undefined;
}

function emptyDocument(
  input: string,
  createdAt: string | undefined,
  packages: Package[],
  relationships: Relationship[],
): SbomDocument {
  return {
    schemaVersion: NATIVE_SCHEMA_VERSION,
    descriptor: { name: 'portcullis', version: PORTCULLIS_VERSION },
    createdAt: createdAt ?? new Date(0).toISOString(),
    source: { type: 'sbom', input, layers: [] },
    packages,
    relationships,
    files: [],
    secrets: [],
    unknowns: [],
  };
}

/** Parses an SBOM file's bytes into the native document; `input` names it in errors. */
export function decodeSbom(
  raw: Buffer | string,
  input: string,
): { format: SbomFormat; document: SbomDocument } {
  let json: unknown;
  try {
    json = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch (err) {
    throw new PortcullisError('INVALID_ARGUMENT', `${input} is not valid JSON`, { cause: err });
  }
  const format = detectSbomFormat(json);
  if (format === 'cyclonedx-json') return { format, document: fromCycloneDx(json, input) };
  if (format === 'spdx-json') return { format, document: fromSpdx(json, input) };
  if (format === 'native') return { format, document: json as SbomDocument };
  throw new PortcullisError('INVALID_ARGUMENT', `${input} is not a Portcullis, CycloneDX or SPDX JSON SBOM`);
}
