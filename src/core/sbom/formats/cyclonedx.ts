/**
 * CycloneDX 1.6 JSON, built with @cyclonedx/cyclonedx-library's models and serializer so the
 * output follows the spec's normalization rules; validated against the official schema in tests.
 */
import { Enums, Models, Serialize, Spec } from '@cyclonedx/cyclonedx-library';
import type { SbomDocument } from '../document.js';
import { sortPackages } from '../document.js';
import type { Package } from '../model.js';
import { isSpdxLicenseId, parseLicenseExpression } from './spdx-licenses.js';

const PROPERTY_PREFIX = 'portcullis';

/**
 * A CycloneDX licence list is either licences or one expression. Licences that are all SPDX
 * ids or expressions become one expression joined with AND; otherwise every licence is kept
 * as an entry, an expression among them by its text, so none is dropped.
 */
function licensesOf(pkg: Package): Models.License[] {
  const licenses = [...new Set(pkg.licenses)];
  const parsed = licenses.map((l) => ({ text: l, parsed: parseLicenseExpression(l) }));
  const isExpression = (p: (typeof parsed)[number]) => p.parsed.ok && !isSpdxLicenseId(p.text);
  if (parsed.some(isExpression) && parsed.every((p) => p.parsed.ok)) {
    const terms = parsed.map((p) =>
      p.parsed.ok && p.parsed.compound && licenses.length > 1 ? `(${p.text})` : p.text,
    );
    return [new Models.LicenseExpression(terms.join(' AND '))];
  }
  return licenses.map((l) => (isSpdxLicenseId(l) ? new Models.SpdxLicense(l) : new Models.NamedLicense(l)));
}

function componentOf(pkg: Package): Models.Component {
  const component = new Models.Component(Enums.ComponentType.Library, pkg.name, {
    bomRef: pkg.id,
    version: pkg.version,
    purl: pkg.purl,
  });
  for (const l of licensesOf(pkg)) component.licenses.add(l);
  const props: [string, string | undefined][] = [
    ['type', pkg.type],
    ['foundBy', pkg.foundBy],
    ['originLayer', pkg.originLayer],
    ['inSquashed', pkg.inSquashed === undefined ? undefined : String(pkg.inSquashed)],
    ['declaredOnly', pkg.declaredOnly ? 'true' : undefined],
    ['sourcePackage', pkg.source ? `${pkg.source.name}@${pkg.source.version}` : undefined],
    ['ownedBy', pkg.ownedBy ? `${pkg.ownedBy.type}:${pkg.ownedBy.name}@${pkg.ownedBy.version}` : undefined],
  ];
  for (const [name, value] of props) {
    if (value !== undefined)
      component.properties.add(new Models.Property(`${PROPERTY_PREFIX}:package:${name}`, value));
  }
  pkg.locations.forEach((loc, i) => {
    component.properties.add(new Models.Property(`${PROPERTY_PREFIX}:location:${i}:path`, loc.path));
    if (loc.layerDiffId) {
      component.properties.add(
        new Models.Property(`${PROPERTY_PREFIX}:location:${i}:layerDiffId`, loc.layerDiffId),
      );
    }
  });
  return component;
}

export function buildCycloneDxBom(doc: SbomDocument, serialNumber?: string): Models.Bom {
  const bom = new Models.Bom();
  if (serialNumber) bom.serialNumber = serialNumber;
  bom.metadata.timestamp = new Date(doc.createdAt);
  bom.metadata.tools.components.add(
    new Models.Component(Enums.ComponentType.Application, doc.descriptor.name, {
      version: doc.descriptor.version,
    }),
  );
  const subject = new Models.Component(Enums.ComponentType.Container, doc.source.input, {
    bomRef: `source:${doc.source.digest ?? doc.source.input}`,
    ...(doc.source.digest ? { version: doc.source.digest } : {}),
  });
  if (doc.distro) {
    subject.properties.add(new Models.Property(`${PROPERTY_PREFIX}:distro:id`, doc.distro.id));
    if (doc.distro.versionId)
      subject.properties.add(
        new Models.Property(`${PROPERTY_PREFIX}:distro:versionId`, doc.distro.versionId),
      );
  }
  bom.metadata.component = subject;

  const byId = new Map<string, Models.Component>();
  for (const pkg of sortPackages(doc.packages)) {
    const component = componentOf(pkg);
    byId.set(pkg.id, component);
    bom.components.add(component);
    subject.dependencies.add(component.bomRef);
  }
  for (const rel of doc.relationships) {
    if (rel.type !== 'depends-on') continue;
    const from = byId.get(rel.from);
    const to = byId.get(rel.to);
    if (from && to) from.dependencies.add(to.bomRef);
  }
  return bom;
}

export function toCycloneDxJson(doc: SbomDocument, serialNumber?: string): string {
  const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6));
  return serializer.serialize(buildCycloneDxBom(doc, serialNumber), { sortLists: true, space: 2 });
}
