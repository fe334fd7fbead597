/**
 * `portcullis sbom` through the real CLI entry on the app fixture: every output format,
 * validated against the official schemas (CycloneDX 1.6, our native schema) or structurally
 * (SPDX 2.3), package sets checked against dpkg-query on the unpacked rootfs, an `sbom:`
 * round trip, and bad input (empty image, no distro, malformed package file, bad flags).
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFixtureImage, type FixtureImage } from '../../../test/harness/fixtures/index.js';
import type { SbomDocument } from '../../core/sbom/document.js';
import { validateSpdxDocument } from '../../core/sbom/formats/spdx-validate.js';
import { runCli, type CliRun } from '../../../test/support/cli.js';
import { dpkgInstalled } from '../../../test/support/dpkg-truth.js';

let root: string;
let fixture: FixtureImage;
let source: string;
let native: SbomDocument;

async function run(args: string[]): Promise<CliRun> {
  return runCli(['--cache-dir', join(root, 'cache'), ...args]);
}

const debSet = (doc: SbomDocument) =>
  new Set(doc.packages.filter((p) => p.type === 'deb').map((p) => `${p.name}@${p.version}`));

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pc-sbom-cli-'));
  fixture = await getFixtureImage('app');
  source = `oci-dir:${fixture.ociLayoutDir}:${fixture.tag}`;
  const { code, out, err } = await run(['sbom', source, '-o', 'native']);
  expect(err).toBe('');
  expect(code).toBe(0);
  native = JSON.parse(out) as SbomDocument;
});
afterAll(async () => rm(root, { recursive: true, force: true }));

describe('portcullis sbom on the app fixture', () => {
  it('native JSON validates against the committed schema and equals dpkg-query', async () => {
    const schema = JSON.parse(
      await readFile(new URL('../../../schema/portcullis-sbom-1.0.schema.json', import.meta.url), 'utf8'),
    ) as object;
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    expect(validate(native), JSON.stringify(validate.errors)).toBe(true);
    expect(debSet(native)).toEqual(dpkgInstalled(fixture.rootfsDir));
    expect(native.source.layers.map((l) => l.diffId)).toEqual(fixture.hostManifest.diffIds);
  });

  it('CycloneDX 1.6 validates against the official schema and lists the same packages', async () => {
    const { code, out } = await run(['sbom', source, '-o', 'cyclonedx-json']);
    expect(code).toBe(0);
    const errors = await new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(out);
    expect(errors).toBeNull();
    const bom = JSON.parse(out) as { specVersion: string; components: { purl?: string }[] };
    expect(bom.specVersion).toBe('1.6');
    expect(new Set(bom.components.map((c) => c.purl))).toEqual(new Set(native.packages.map((p) => p.purl)));
  });

  it('SPDX 2.3 from the CLI passes the SPDX validator and lists every installed deb', async () => {
    const { code, out } = await run(['sbom', source, '-o', 'spdx-json']);
    expect(code).toBe(0);
    const spdx: unknown = JSON.parse(out);
    expect(validateSpdxDocument(spdx, 'strict')).toEqual([]);
    const { packages } = spdx as { packages: { name: string; versionInfo?: string }[] };
    const named = new Set(packages.map((p) => `${p.name}@${p.versionInfo}`));
    for (const deb of dpkgInstalled(fixture.rootfsDir)) expect(named.has(deb)).toBe(true);
  });

  it('table shows name, version, type, origin layer and owner', async () => {
    const { code, out } = await run(['sbom', source, '-o', 'table']);
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+VERSION\s+TYPE\s+ORIGIN LAYER\s+OWNED BY$/);
    expect(lines).toHaveLength(native.packages.length + 1);
    const bashVersion = [...dpkgInstalled(fixture.rootfsDir)].find((p) => p.startsWith('bash@'))?.slice(5);
    expect(
      lines.some((l) =>
        new RegExp(`^bash\\s+${bashVersion?.replace(/[.+~]/g, '\\$&')}\\s+deb\\s+0\\s*$`).test(l),
      ),
    ).toBe(true);
    // python3-requests' Python package belongs to the deb of that name (Debian ships it)
    expect(lines.some((l) => /^requests\s.*\spython\s+\d+\s+python3-requests \(deb\)$/.test(l))).toBe(true);
  });

  it('purls: one unique PURL per line, in package order', async () => {
    const { code, out } = await run(['sbom', source, '-o', 'purls']);
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(new Set(lines).size).toBe(lines.length);
    expect(new Set(lines)).toEqual(new Set(native.packages.map((p) => p.purl)));
    expect(lines).toContain('pkg:npm/minimist@1.2.0');
  });

  it('writes --file atomically and reads it back as sbom:<file> with the same packages', async () => {
    const outDir = join(root, 'out');
    await mkdir(outDir, { recursive: true });
    const file = join(outDir, 'app.cdx.json');
    const written = await run(['sbom', source, '-o', 'cyclonedx-json', '--file', file]);
    expect(written).toMatchObject({ code: 0, out: '' });
    expect(await readdir(outDir)).toEqual(['app.cdx.json']); // no temp file left behind
    const back = await run(['sbom', `sbom:${file}`, '-o', 'native']);
    expect(back.code).toBe(0);
    const doc = JSON.parse(back.out) as SbomDocument;
    // Compared by PURL: CycloneDX has no field for our bare Java artifact name (it comes back
    // as group:artifact), while the PURL carries type, namespace, name and version exactly.
    const set = (d: SbomDocument) => new Set(d.packages.map((p) => `${p.type}|${p.purl}|${p.version}`));
    expect(doc.packages).toHaveLength(native.packages.length);
    expect(set(doc)).toEqual(set(native));
  });

  it('all-layers scope marks every package of the squashed image as surviving', async () => {
    const { code, out } = await run(['sbom', source, '--scope', 'all-layers']);
    expect(code).toBe(0);
    const doc = JSON.parse(out) as SbomDocument;
    const ids = (d: SbomDocument) => d.packages.filter((p) => p.inSquashed !== false).map((p) => p.id);
    expect(new Set(ids(doc))).toEqual(new Set(ids(native)));
  });
});

describe('portcullis sbom bad input', () => {
  it('an empty image gives an SBOM with zero packages', async () => {
    const empty = join(root, 'empty');
    await mkdir(empty, { recursive: true });
    const { code, out } = await run(['sbom', `dir:${empty}`]);
    expect(code).toBe(0);
    const doc = JSON.parse(out) as SbomDocument;
    expect(doc.packages).toEqual([]);
    expect(doc.distro).toBeUndefined();
  });

  it('an image with no distro still catalogs its language packages', async () => {
    const tree = join(root, 'nodistro');
    await mkdir(join(tree, 'app/node_modules/left-pad'), { recursive: true });
    await writeFile(
      join(tree, 'app/node_modules/left-pad/package.json'),
      JSON.stringify({ name: 'left-pad', version: '1.3.0' }),
    );
    const { code, out } = await run(['sbom', `dir:${tree}`, '-o', 'purls']);
    expect(code).toBe(0);
    expect(out).toBe('pkg:npm/left-pad@1.3.0\n');
  });

  it('a malformed package file is recorded as an unknown and the scan finishes', async () => {
    const tree = join(root, 'malformed');
    await mkdir(join(tree, 'app/node_modules/broken'), { recursive: true });
    await mkdir(join(tree, 'app/node_modules/fine'), { recursive: true });
    await writeFile(join(tree, 'app/node_modules/broken/package.json'), '{"name": "broken", "vers');
    await writeFile(
      join(tree, 'app/node_modules/fine/package.json'),
      JSON.stringify({ name: 'fine', version: '2.0.0' }),
    );
    const { code, out } = await run(['sbom', `dir:${tree}`]);
    expect(code).toBe(0);
    const doc = JSON.parse(out) as SbomDocument;
    expect(doc.packages.map((p) => `${p.name}@${p.version}`)).toEqual(['fine@2.0.0']);
    expect(doc.unknowns.map((u) => u.path)).toContain('/app/node_modules/broken/package.json');
  });

  it.each([
    [['-o', 'xml'], /argument 'xml' is invalid/],
    [['--scope', 'some'], /--scope must be squashed or all-layers/],
  ])('refuses %j with exit code 1', async (flags, message) => {
    const { code, err } = await run(['sbom', source, ...flags]);
    expect(code).toBe(1);
    expect(err).toMatch(message);
  });

  it('an unreadable sbom: file is a precise error', async () => {
    const { code, err } = await run(['sbom', `sbom:${join(root, 'missing.json')}`]);
    expect(code).toBe(1);
    expect(err).toMatch(/NOT_FOUND.*missing\.json/);
  });

  it('a --file in a missing directory fails with IO and names the file', async () => {
    const file = join(root, 'no-such-dir', 'x.json');
    const { code, err } = await run(['sbom', `sbom:${join(root, 'out', 'app.cdx.json')}`, '--file', file]);
    expect(code).toBe(1);
    expect(err).toContain(`[IO]: cannot write SBOM to ${file}`);
  });
});
