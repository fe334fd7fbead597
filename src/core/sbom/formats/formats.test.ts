import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { expectGolden } from '../../../../test/support/golden.js';
import { toCycloneDxJson } from './cyclonedx.js';
import { toSpdxJson } from './spdx.js';
import { toNativeJson, toPurlList } from './text.js';
import { decodeSbom } from './decode.js';
import { layer1, SAMPLE_INTEGRITY, sampleDocument } from './test-support/sample-document.js';
import { validateSpdxDocument } from './spdx-validate.js';
import type { Package } from '../model.js';
import { isPortcullisError, type PortcullisError } from '../../errors.js';

const golden = (name: string) => fileURLToPath(new URL(`./__golden__/${name}`, import.meta.url));

describe('SBOM formats', () => {
  it('CycloneDX 1.6 output validates against the official schema and keeps layers and ownership', async () => {
    const json = toCycloneDxJson(sampleDocument(), 'urn:uuid:00000000-0000-4000-8000-000000000000');
    const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);
    expect(await validator.validate(json)).toBeNull();
    const bom = JSON.parse(json) as {
      specVersion: string;
      components: { 'bom-ref': string; purl: string; properties: { name: string; value: string }[] }[];
      dependencies: { ref: string; dependsOn?: string[] }[];
    };
    expect(bom.specVersion).toBe('1.6');
    expect(bom.components.map((c) => c.purl).sort()).toEqual(
      sampleDocument()
        .packages.map((p) => p.purl)
        .sort(),
    );
    const requests = bom.components.find((c) => c['bom-ref'] === 'python-requests');
    expect(requests?.properties).toContainEqual({
      name: 'portcullis:package:ownedBy',
      value: 'deb:python3-requests@2.28.1+dfsg-1',
    });
    expect(bom.dependencies.find((d) => d.ref === 'npm-babel-core')?.dependsOn).toEqual(['deb-libssl3']);
    expectGolden(golden('sample.cdx.json'), json + '\n');
  });

  it('native JSON validates against the committed schema', () => {
    const schema = JSON.parse(
      readFileSync(
        fileURLToPath(new URL('../../../../schema/portcullis-sbom-1.0.schema.json', import.meta.url)),
        'utf8',
      ),
    ) as object;
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    const doc = JSON.parse(toNativeJson(sampleDocument())) as unknown;
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    const broken = { ...(doc as Record<string, unknown>), packages: [{ name: 'x' }] };
    expect(validate(broken)).toBe(false);
  });

  it('SPDX 2.3 output passes our SPDX 2.3 validator and matches the golden file', () => {
    const json = toSpdxJson(sampleDocument(), { documentNamespace: 'https://portcullis.dev/spdx/test' });
    expect(validateSpdxDocument(JSON.parse(json))).toEqual([]);
    expectGolden(golden('sample.spdx.json'), json + '\n');
  });

  it('SPDX packages carry supplier, originator, checksums, download location and licence expressions', () => {
    const doc = JSON.parse(toSpdxJson(sampleDocument())) as {
      packages: Record<string, unknown>[];
      hasExtractedLicensingInfos: { licenseId: string; extractedText: string }[];
    };
    const byName = (name: string) => doc.packages.find((p) => p.name === name) ?? {};
    expect(byName('libssl3')).toMatchObject({
      supplier: 'Organization: Debian OpenSSL Team (pkg-openssl-devel@alioth-lists.debian.net)',
      sourceInfo: 'built from source package openssl 3.0.11-1~deb12u2',
      licenseDeclared: 'Apache-2.0',
    });
    const sha512 = Buffer.from(SAMPLE_INTEGRITY.slice('sha512-'.length), 'base64').toString('hex');
    expect(byName('@babel/core')).toMatchObject({
      downloadLocation: 'https://registry.npmjs.org/@babel/core/-/core-7.24.0.tgz',
      checksums: [{ algorithm: 'SHA512', checksumValue: sha512 }],
      homepage: 'https://babel.dev/docs/en/next/babel-core',
    });
    const requests = byName('requests');
    expect(requests.originator).toBe('Person: Kenneth Reitz (me@kennethreitz.org)');
    const ref = doc.hasExtractedLicensingInfos.find((e) => e.extractedText === 'Apache 2.0 (see LICENSE)');
    expect(requests.licenseDeclared).toBe(
      `${ref?.licenseId} AND GPL-2.0-or-later WITH Libtool-exception AND (MIT OR Apache-2.0)`,
    );
    expect(byName('oci-dir:/tmp/layout:app').primaryPackagePurpose).toBe('CONTAINER');
  });

  it('CycloneDX joins SPDX licences and expressions into one expression, and keeps every licence otherwise', () => {
    const doc = sampleDocument();
    const ssl = doc.packages[0] as Package;
    ssl.licenses = ['Apache-2.0', 'GPL-2.0-only WITH Linux-syscall-note', 'MIT OR BSD-3-Clause'];
    const bom = JSON.parse(toCycloneDxJson(doc)) as {
      components: { 'bom-ref': string; licenses?: Record<string, unknown>[] }[];
    };
    const licenses = (ref: string) => bom.components.find((c) => c['bom-ref'] === ref)?.licenses;
    expect(licenses('deb-libssl3')).toEqual([
      { expression: 'Apache-2.0 AND GPL-2.0-only WITH Linux-syscall-note AND (MIT OR BSD-3-Clause)' },
    ]);
    expect(licenses('python-requests')).toHaveLength(3);
  });

  it('lists unique PURLs sorted by type and name', () => {
    expect(toPurlList(sampleDocument()).trim().split('\n')).toEqual([
      'pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl',
      'pkg:gem/rake@13.0.1',
      'pkg:npm/%40babel/core@7.24.0',
      'pkg:pypi/requests@2.28.1',
    ]);
  });
});

describe('SBOM decoding (sbom: source)', () => {
  const key = (p: { type: string; name: string; version: string }) => `${p.type}:${p.name}@${p.version}`;

  it('round-trips packages, layers and ownership through CycloneDX', () => {
    const original = sampleDocument();
    const { format, document } = decodeSbom(toCycloneDxJson(original), 'x.cdx.json');
    expect(format).toBe('cyclonedx-json');
    expect(document.packages.map(key).sort()).toEqual(original.packages.map(key).sort());
    const requests = document.packages.find((p) => p.name === 'requests');
    expect(requests?.ownedBy).toEqual(original.packages[2]?.ownedBy);
    expect(requests?.originLayer).toBe(layer1);
    expect(document.packages.filter((p) => p.declaredOnly).map((p) => p.name)).toEqual(['rake']);
    expect(document.packages.find((p) => p.name === 'libssl3')?.source).toEqual({
      name: 'openssl',
      version: '3.0.11-1~deb12u2',
    });
    expect(document.relationships).toEqual([
      { from: 'npm-babel-core', to: 'deb-libssl3', type: 'depends-on' },
    ]);
  });

  it('round-trips packages through SPDX', () => {
    const original = sampleDocument();
    const { format, document } = decodeSbom(toSpdxJson(original), 'x.spdx.json');
    expect(format).toBe('spdx-json');
    expect(document.packages.map(key).sort()).toEqual(original.packages.map(key).sort());
    expect(document.packages.filter((p) => p.declaredOnly).map((p) => p.name)).toEqual(['rake']);
    expect(document.relationships).toHaveLength(1);
    // SPDX has no distro field: it comes from the deb PURLs' distro qualifier.
    expect(document.distro).toEqual({ id: 'debian', versionId: '12' });
  });

  it('reads SPDX 2.2 from another tool, with properties and values outside our own output', () => {
    const spdx22 = {
      spdxVersion: 'SPDX-2.2',
      dataLicense: 'CC0-1.0',
      SPDXID: 'SPDXRef-DOCUMENT',
      name: 'alpine:3.19',
      documentNamespace: 'https://example.test/alpine-3.19',
      creationInfo: { created: '2024-01-02T03:04:05.678Z', creators: ['Tool: other-1.0'], vendorNote: 'x' },
      packages: [
        {
          name: 'musl',
          SPDXID: 'SPDXRef-Package-apk-musl',
          versionInfo: '1.2.4-r2',
          licenseDeclared: 'mit',
          externalRefs: [
            {
              referenceCategory: 'PACKAGE_MANAGER',
              referenceType: 'purl',
              referenceLocator: 'pkg:apk/alpine/musl@1.2.4-r2?distro=alpine-3.19.0',
            },
          ],
        },
      ],
    };
    const { document } = decodeSbom(JSON.stringify(spdx22), 'alpine.spdx.json');
    expect(document.packages.map((p) => `${p.type}:${p.name}@${p.version}`)).toEqual(['apk:musl@1.2.4-r2']);
    expect(document.distro).toEqual({ id: 'alpine', versionId: '3.19.0' });
  });

  it('rejects a structurally broken SPDX document with a coded error listing every problem', () => {
    const doc = JSON.parse(toSpdxJson(sampleDocument())) as {
      packages: Record<string, unknown>[];
      relationships: unknown;
    };
    delete doc.packages[1]?.SPDXID;
    (doc.packages[2] as Record<string, unknown>).name = ['not', 'a', 'string'];
    doc.relationships = 'none';
    let caught: unknown;
    try {
      decodeSbom(JSON.stringify(doc), 'broken.spdx.json');
    } catch (err) {
      caught = err;
    }
    expect(isPortcullisError(caught, 'INVALID_ARGUMENT')).toBe(true);
    const message = (caught as Error).message;
    expect(message).toMatch(/^broken\.spdx\.json: not a valid SPDX 2\.2\/2\.3 JSON document \(3 problems\):/);
    expect(message).toContain('packages[1].SPDXID: is required');
    expect(message).toContain('packages[2].name:');
    expect(message).toContain('relationships:');
    expect((caught as PortcullisError).details.problems).toHaveLength(3);
  });

  it('rejects what is not an SBOM with a clear message', () => {
    expect(() => decodeSbom('{"hello":1}', 'x.json')).toThrow(/not a Portcullis, CycloneDX or SPDX/);
    expect(() => decodeSbom('{oops', 'x.json')).toThrow(/x.json is not valid JSON/);
    expect(() =>
      decodeSbom(
        '{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"name":"a","purl":"nonsense"}]}',
        'y.json',
      ),
    ).toThrow(/invalid PURL "nonsense"/);
  });
});
