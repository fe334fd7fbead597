/**
 * `npx tsx scripts/build-image.ts [--output <dir>] [--tarball <portcullis-x.y.z.tgz>]`: builds
 * the Portcullis container image into an OCI layout (default .tmp/image) without a Docker
 * daemon. Needs root (debootstrap, chroot, file owners), debootstrap and umoci; set
 * SOURCE_DATE_EPOCH to pin the timestamps (default: the last commit's time). Push it with
 * `skopeo copy oci:<dir>:<version> docker://ghcr.io/portcullis/portcullis:<version>`.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from './image/app.js';
import { buildImage, commitEpoch } from './image/build.js';
import { PORTCULLIS_IMAGE } from './image/config.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { output: { type: 'string' }, tarball: { type: 'string' } },
  });
  const layout = resolve(values.output ?? `${REPO_ROOT}/.tmp/image`);
  if (existsSync(layout)) {
    console.error(`build-image: ${layout} exists; remove it or pass another --output`);
    process.exit(1);
  }
  const fromEnv = process.env.SOURCE_DATE_EPOCH;
  const epoch = fromEnv ? Number(fromEnv) : await commitEpoch();
  if (!Number.isInteger(epoch) || epoch < 0) {
    console.error(`build-image: SOURCE_DATE_EPOCH must be a whole number of seconds, got "${fromEnv ?? ''}"`);
    process.exit(1);
  }
  const image = await buildImage({
    layout,
    epoch,
    ...(values.tarball ? { tarball: resolve(values.tarball) } : {}),
  });
  console.log(`${PORTCULLIS_IMAGE} built: oci:${image.layout}:${image.tag} ${image.digest}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
