/**
 * The image back-end conformance suite: every back-end (registry, docker, docker-archive,
 * oci-archive, oci-dir, dir) runs the same checks against a fixture image whose truth was
 * written by umoci/skopeo and is read here with plain JSON and node:crypto.
 *
 *   describeImageConformance('oci-dir base', () => openImage('oci-dir:…', options), { fixture })
 *
 * Stable API: the registry tests call it too. `open` must return a fresh Image each call.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { execFileSync } from 'node:child_process';
import { extract } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { isPortcullisError } from '../../src/core/errors.js';
import type { Image } from '../../src/core/image/types.js';
import type { FixtureImage, FixtureManifest, FixturePlatform } from './fixtures/index.js';

export interface ConformanceExpectations {
  fixture: FixtureImage;
  /** Which platform of the fixture the back-end yields; default the fixture's host manifest. */
  platform?: FixturePlatform;
  /**
   * The back-end rebuilds the image as one layer from the unpacked rootfs (dir:): the layer
   * is checked against `fixture.rootfsDir` instead of the fixture's diff_ids and config.
   */
  singleLayer?: boolean;
  /** The manifest digest, when the back-end serves the fixture's manifest unchanged. */
  manifestDigest?: string;
  /** Opens a copy of the image with one layer blob altered; reading it must fail with DIGEST_MISMATCH. */
  openTampered?: () => Promise<Image>;
}

async function drainDigest(stream: Readable): Promise<{ digest: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { digest: `sha256:${hash.digest('hex')}`, bytes };
}

function manifestFor(expected: ConformanceExpectations): FixtureManifest {
  const { fixture, platform } = expected;
  if (!platform) return fixture.hostManifest;
  const found = fixture.manifests.find(
    (m) => m.platform.os === platform.os && m.platform.architecture === platform.architecture,
  );
  if (!found) throw new Error(`fixture ${fixture.name} has no ${platform.os}/${platform.architecture}`);
  return found;
}

/** Entries of the rootfs as `find` sees them (sockets cannot be in a layer). */
function findEntryCount(rootfs: string): number {
  const out = execFileSync('find', [rootfs, '-mindepth', '1', '!', '-type', 's', '-printf', '.'], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return out.length;
}

async function tarEntryCount(stream: Readable): Promise<number> {
  const tar = extract();
  let count = 0;
  tar.on('entry', (_header, body, next) => {
    count++;
    body.on('end', next);
    body.resume();
  });
  stream.on('error', (err) => tar.destroy(err));
  await new Promise<void>((resolve, reject) => {
    tar.on('finish', resolve);
    tar.on('error', reject);
    stream.pipe(tar);
  });
  return count;
}

export function describeImageConformance(
  name: string,
  open: () => Promise<Image>,
  expected: ConformanceExpectations,
): void {
  const truth = manifestFor(expected);
  const config = truth.config as { config?: Record<string, unknown> };
  const inner = config.config ?? {};

  describe(`image conformance: ${name}`, () => {
    it('reports the platform of the fixture', async () => {
      const image = await open();
      expect(image.platform.os).toBe(truth.platform.os);
      expect(image.platform.architecture).toBe(truth.platform.architecture);
      const cfg = await image.config();
      expect(cfg.os).toBe(truth.platform.os);
      expect(cfg.architecture).toBe(truth.platform.architecture);
    });

    it('gives the same manifest digest on every open, matching its raw manifest', async () => {
      const [a, b] = [await open(), await open()];
      expect(a.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
      expect(b.digest).toBe(a.digest);
      const raw = await a.rawManifest();
      expect(`sha256:${createHash('sha256').update(raw).digest('hex')}`).toBe(a.digest);
      if (expected.manifestDigest) expect(a.digest).toBe(expected.manifestDigest);
    });

    if (!expected.singleLayer) {
      it('serves the config the fixture was built with', async () => {
        const image = await open();
        const raw = await image.rawConfig();
        expect(`sha256:${createHash('sha256').update(raw).digest('hex')}`).toBe(truth.configDigest);
        const cfg = await image.config();
        for (const field of [
          'User',
          'Env',
          'ExposedPorts',
          'Entrypoint',
          'Cmd',
          'WorkingDir',
          'Labels',
          'Healthcheck',
        ]) {
          expect((cfg.config as Record<string, unknown>)[field], field).toEqual(inner[field] ?? undefined);
        }
        expect(cfg.rootfs.diff_ids).toEqual(truth.diffIds);
        expect(cfg.history.length).toBe(((truth.config.history as unknown[]) ?? []).length);
      });

      it("has the fixture's layers, each verifying against its digest and diffID", async () => {
        const layers = await (await open()).layers();
        expect(layers.length).toBe(truth.diffIds.length);
        for (const [i, layer] of layers.entries()) {
          expect(layer.diffId).toBe(truth.diffIds[i]);
          const stored = await drainDigest(await layer.compressed());
          expect(stored.digest).toBe(layer.digest);
          // A layer is stored either as the layout's compressed blob or as the plain tar (docker save).
          expect([truth.layers[i]?.digest, truth.diffIds[i]]).toContain(layer.digest);
          const tar = await drainDigest(await layer.uncompressed());
          expect(tar.digest).toBe(truth.diffIds[i]);
        }
      });
    } else {
      it('is one layer holding exactly the rootfs, verifying against its diffID', async () => {
        const image = await open();
        const [layer] = await image.layers();
        expect((await image.layers()).length).toBe(1);
        if (!layer) return;
        expect((await image.config()).rootfs.diff_ids).toEqual([layer.diffId]);
        const tar = await drainDigest(await layer.uncompressed());
        expect(tar.digest).toBe(layer.diffId);
        expect(await tarEntryCount(await layer.uncompressed())).toBe(
          findEntryCount(expected.fixture.rootfsDir),
        );
      });
    }

    if (expected.openTampered) {
      const openTampered = expected.openTampered;
      it('fails with DIGEST_MISMATCH naming the image and layer when a blob was altered', async () => {
        const image = await openTampered();
        const layers = await image.layers();
        const results = await Promise.allSettled(layers.map(async (l) => drainDigest(await l.compressed())));
        const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(failures.length).toBe(1);
        const err: unknown = failures[0]?.reason;
        expect(isPortcullisError(err, 'DIGEST_MISMATCH')).toBe(true);
        expect((err as Error).message).toContain(image.source);
        expect((err as Error).message).toMatch(/layer \d+ \(sha256:[a-f0-9]{64}\)/);
      });
    }
  });
}
