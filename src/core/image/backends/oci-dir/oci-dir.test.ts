import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  OCI_INDEX,
  OCI_MANIFEST,
  blob,
  descriptor,
  miniImage,
  tagged,
  writeLayout,
  type MiniImage,
} from '../../archive/test-support/mini-layout.js';
import { openImage, openSource } from '../../open.js';
import { openFailure, testOpenOptions } from '../../archive/test-support/helpers.js';
import { type TestImageOptions, pair } from '../../test-support/image-options.js';

let work: string;
let options: TestImageOptions;
let amd64: MiniImage;
let arm64: MiniImage;
let n = 0;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pc-oci-dir-'));
  options = testOpenOptions(work);
  amd64 = await miniImage(work, { 'etc/arch': 'amd64\n' });
  arm64 = await miniImage(work, { 'etc/arch': 'arm64\n' }, { os: 'linux', architecture: 'arm64' });
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const layoutDir = () => join(work, `layout-${n++}`);

const failure = (source: string) => openFailure(source, options);

describe('oci-dir back-end', () => {
  it('opens the only image without a tag and reads its layer', async () => {
    const dir = await writeLayout(layoutDir(), amd64.blobs, {
      schemaVersion: 2,
      manifests: [descriptor(amd64.manifest)],
    });
    const image = await openImage(`oci-dir:${dir}`, options.env, options.request);
    expect(image.digest).toBe(amd64.manifest.digest);
    const [layer] = await image.layers();
    expect(layer?.diffId).toBe(amd64.diffId);
  });

  it('selects the platform from a nested index (index → index → manifests)', async () => {
    const inner = blob(OCI_INDEX, {
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        descriptor(amd64.manifest, { platform: { os: 'linux', architecture: 'amd64' } }),
        descriptor(arm64.manifest, { platform: { os: 'linux', architecture: 'arm64' } }),
      ],
    });
    const outer = blob(OCI_INDEX, { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [descriptor(inner)] });
    const dir = await writeLayout(layoutDir(), [...amd64.blobs, ...arm64.blobs, inner, outer], {
      schemaVersion: 2,
      manifests: [tagged(outer, 'v1')],
    });
    const opened = await openSource(`oci-dir:${dir}:v1`, options.env, options.request);
    expect(opened.kind).toBe('index');
    const image = await openImage(
      `oci-dir:${dir}:v1`,
      ...pair(options, {
        platform: { os: 'linux', architecture: 'arm64' },
      }),
    );
    expect(image.digest).toBe(arm64.manifest.digest);
    expect(image.platform.architecture).toBe('arm64');
  });

  it('lists the available tags when the tag does not exist', async () => {
    const dir = await writeLayout(layoutDir(), [...amd64.blobs, ...arm64.blobs], {
      schemaVersion: 2,
      manifests: [tagged(amd64.manifest, 'one'), tagged(arm64.manifest, 'two')],
    });
    const err = await failure(`oci-dir:${dir}:three`);
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toContain('"three"');
    expect(err.message).toContain('one, two');
    const ambiguous = await failure(`oci-dir:${dir}`);
    expect(ambiguous.code).toBe('INVALID_ARGUMENT');
    expect(ambiguous.message).toContain('one, two');
  });

  it('refuses a digest that would leave blobs/ (sha256:../../etc)', async () => {
    const dir = await writeLayout(layoutDir(), amd64.blobs, {
      schemaVersion: 2,
      manifests: [{ mediaType: OCI_MANIFEST, digest: 'sha256:../../etc/passwd', size: 10 }],
    });
    const err = await failure(`oci-dir:${dir}`);
    expect(err.code).toBe('MANIFEST_INVALID');
    expect(err.message).toMatch(/not a sha256\/sha512 digest/);
  });

  it('reports a missing index.json, a missing oci-layout and an unsupported layout version', async () => {
    const noIndex = await writeLayout(layoutDir(), amd64.blobs, '{}');
    await rm(join(noIndex, 'index.json'));
    const e1 = await failure(`oci-dir:${noIndex}`);
    expect(e1.code).toBe('NOT_FOUND');
    expect(e1.message).toContain('index.json');
    const noLayout = await writeLayout(layoutDir(), amd64.blobs, {
      schemaVersion: 2,
      manifests: [descriptor(amd64.manifest)],
    });
    await rm(join(noLayout, 'oci-layout'));
    expect((await failure(`oci-dir:${noLayout}`)).message).toContain('oci-layout');
    const v2 = await writeLayout(layoutDir(), amd64.blobs, {
      schemaVersion: 2,
      manifests: [descriptor(amd64.manifest)],
    });
    await writeFile(join(v2, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '2.0.0' }));
    expect((await failure(`oci-dir:${v2}`)).code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses index.json and manifests that are not JSON', async () => {
    const badIndex = await writeLayout(layoutDir(), amd64.blobs, '{ not json');
    const e1 = await failure(`oci-dir:${badIndex}`);
    expect(e1.code).toBe('MANIFEST_INVALID');
    expect(e1.message).toContain('index.json');
    const garbage = blob(OCI_MANIFEST, 'garbage, not a manifest');
    const dir = await writeLayout(layoutDir(), [garbage], {
      schemaVersion: 2,
      manifests: [descriptor(garbage)],
    });
    const e2 = await failure(`oci-dir:${dir}`);
    expect(e2.code).toBe('MANIFEST_INVALID');
    expect(e2.message).toMatch(/not valid JSON/);
  });

  it('refuses a Docker schema-1 manifest in an OCI layout', async () => {
    const schema1 = blob('application/vnd.docker.distribution.manifest.v1+json', {
      schemaVersion: 1,
      name: 'library/x',
      tag: 'latest',
      fsLayers: [],
    });
    const dir = await writeLayout(layoutDir(), [schema1], {
      schemaVersion: 2,
      manifests: [descriptor(schema1)],
    });
    expect((await failure(`oci-dir:${dir}`)).code).toBe('SCHEMA1_MANIFEST');
  });

  it('fails with DIGEST_MISMATCH naming the image and layer when a layer blob was altered', async () => {
    const dir = await writeLayout(layoutDir(), amd64.blobs, {
      schemaVersion: 2,
      manifests: [descriptor(amd64.manifest)],
    });
    const bytes = Buffer.from(amd64.layer.bytes);
    bytes[bytes.length - 5] = (bytes[bytes.length - 5] ?? 0) ^ 0xff;
    await writeFile(join(dir, 'blobs/sha256', amd64.layer.digest.slice(7)), bytes);
    const err = await failure(`oci-dir:${dir}`);
    expect(['DIGEST_MISMATCH', 'CORRUPT_LAYER']).toContain(err.code);
    expect(err.message).toContain(`oci-dir:${dir}`);
    expect(err.message).toContain(`layer 0 (${amd64.layer.digest})`);
  });

  it('names a missing blob, and a directory that does not exist', async () => {
    const dir = await writeLayout(layoutDir(), [amd64.manifest, amd64.config], {
      schemaVersion: 2,
      manifests: [descriptor(amd64.manifest)],
    });
    const e1 = await failure(`oci-dir:${dir}`);
    expect(e1.code).toBe('NOT_FOUND');
    expect(e1.message).toContain(amd64.layer.digest);
    const e2 = await failure(`oci-dir:${join(work, 'does-not-exist')}`);
    expect(e2.code).toBe('NOT_FOUND');
    expect(e2.message).toContain('does-not-exist');
  });
});
