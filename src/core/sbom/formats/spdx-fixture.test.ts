/**
 * `portcullis sbom -o spdx-json` on the app fixture image: the document passes our SPDX 2.3
 * validator, names every installed deb with its dpkg Maintainer as supplier, carries Debian
 * licence exceptions as WITH expressions; and, when the official SPDX 2.3 JSON schema is on
 * the machine ($PORTCULLIS_SPDX_SCHEMA or shared/schemas/spdx-2.3.schema.json), passes it too.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFixtureImage, type FixtureImage } from '../../../../test/harness/fixtures/index.js';
import { runCli } from '../../../../test/support/cli.js';
import { dpkgInstalled, dpkgQuery } from '../../../../test/support/dpkg-truth.js';
import { SHARED_DATA } from '../../../../test/support/shared-data.js';
import { toSpdxJson } from './spdx.js';
import { validateSpdxDocument } from './spdx-validate.js';
import { sampleDocument } from './test-support/sample-document.js';

interface SpdxPackage {
  name: string;
  versionInfo?: string;
  supplier?: string;
  licenseDeclared?: string;
  externalRefs?: { referenceType: string; referenceLocator: string }[];
}

const officialSchemaPath =
  process.env.PORTCULLIS_SPDX_SCHEMA ?? resolve(dirname(SHARED_DATA), 'schemas', 'spdx-2.3.schema.json');
const officialSchemaPresent = existsSync(officialSchemaPath);

let root: string;
let fixture: FixtureImage;
let spdxText: string;
let spdx: { packages: SpdxPackage[] };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pc-spdx-fixture-'));
  fixture = await getFixtureImage('app');
  const source = `oci-dir:${fixture.ociLayoutDir}:${fixture.tag}`;
  const run = await runCli(['--cache-dir', join(root, 'cache'), 'sbom', source, '-o', 'spdx-json']);
  expect(run.err).toBe('');
  expect(run.code).toBe(0);
  spdxText = run.out;
  spdx = JSON.parse(spdxText) as { packages: SpdxPackage[] };
});
afterAll(async () => rm(root, { recursive: true, force: true }));

/** Maintainer of every installed deb, as dpkg-query reads the rootfs's database. */
function dpkgMaintainers(rootfs: string): Map<string, string> {
  return new Map(
    dpkgQuery(rootfs, ['Package', 'Version', 'Maintainer']).map(
      (f) => [`${f[0]}@${f[1]}`, f[2] ?? ''] as const,
    ),
  );
}

describe('SPDX 2.3 output of the app fixture', () => {
  it('passes our SPDX 2.3 validator with no problem', () => {
    expect(validateSpdxDocument(JSON.parse(spdxText))).toEqual([]);
  });

  it('lists every installed deb with its dpkg Maintainer as supplier', () => {
    const debs = new Map(
      spdx.packages
        .filter((p) => p.externalRefs?.some((r) => r.referenceLocator.startsWith('pkg:deb/')))
        .map((p) => [`${p.name}@${p.versionInfo}`, p]),
    );
    const maintainers = dpkgMaintainers(fixture.rootfsDir);
    const installed = dpkgInstalled(fixture.rootfsDir);
    expect(installed.size).toBeGreaterThan(50);
    for (const deb of installed) {
      const supplier = debs.get(deb)?.supplier ?? '';
      const [, name, email] = /^(.*?)\s*<([^>]+)>$/.exec(maintainers.get(deb) ?? '') ?? [];
      expect(supplier, deb).toMatch(/^(Person|Organization): /);
      // Parentheses inside the name ("Laszlo Boszormenyi (GCS)") would read as the e-mail part.
      const written = name?.replace(/[()]/g, '');
      expect(supplier.endsWith(`: ${written} (${email})`), `${deb}: ${supplier}`).toBe(true);
    }
  });

  it('writes Debian licence exceptions that have an SPDX id as WITH expressions', () => {
    const withExpressions = spdx.packages.flatMap((p) => p.licenseDeclared?.match(/\S+ WITH \S+/g) ?? []);
    // systemd's libraries declare "GPL-2 with Linux-syscall-note exception" in their copyright.
    expect(withExpressions).toContain('GPL-2.0-only WITH Linux-syscall-note');
    const lib = spdx.packages.find((p) => p.name === 'libsystemd0');
    expect(lib?.licenseDeclared).toContain('GPL-2.0-only WITH Linux-syscall-note');
  });
});

describe('the official SPDX 2.3 JSON schema', () => {
  it.skipIf(!officialSchemaPresent)(
    officialSchemaPresent
      ? `validates the sample and the app fixture's SPDX (schema: ${officialSchemaPath})`
      : `official SPDX 2.3 JSON schema absent (no $PORTCULLIS_SPDX_SCHEMA, no ${officialSchemaPath}): not checked`,
    () => {
      const schema = JSON.parse(readFileSync(officialSchemaPath, 'utf8')) as { $schema?: string };
      // The published schema declares draft-07; Ajv2019 reads it once its meta-schema is known.
      const ajv = new Ajv2019({ allErrors: true, strict: false });
      if (schema.$schema?.includes('draft-07'))
        ajv.addMetaSchema(
          createRequire(import.meta.url)('ajv/dist/refs/json-schema-draft-07.json') as object,
        );
      addFormats.default(ajv);
      const validate = ajv.compile(schema);
      for (const text of [toSpdxJson(sampleDocument()), spdxText]) {
        expect(validate(JSON.parse(text)), JSON.stringify(validate.errors)).toBe(true);
      }
    },
  );
});
