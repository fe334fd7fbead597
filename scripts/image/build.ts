/**
 * Builds the Portcullis image into an OCI layout: cached Debian base layer, application layer
 * from the npm tarball, assembled by umoci. Same inputs (epoch, base recipe, tarball, lock
 * file) give the same manifest digest.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../test/harness/fixtures/exec.js';
import { buildAppLayer, packRepository, REPO_ROOT } from './app.js';
import { assemble } from './assemble.js';
import { baseLayer } from './base.js';
import { IMAGE_VERSION } from './config.js';

export interface BuildRequest {
  /** OCI layout directory to create (must not exist). */
  layout: string;
  /** SOURCE_DATE_EPOCH: every timestamp in the image. */
  epoch: number;
  /** The npm tarball to install; packed from the repository when absent. */
  tarball?: string;
  /** Written into the labels; `git rev-parse HEAD` when absent. */
  revision?: string;
}

export interface BuiltImage {
  layout: string;
  tag: string;
  digest: string;
}

/** The last commit's time: the release's SOURCE_DATE_EPOCH unless the caller sets one. */
export async function commitEpoch(): Promise<number> {
  return Number((await run('git', ['log', '-1', '--format=%ct'], { cwd: REPO_ROOT })).trim());
}

async function headRevision(): Promise<string> {
  return (await run('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT }).catch(() => 'unknown')).trim();
}

export async function buildImage(request: BuildRequest): Promise<BuiltImage> {
  const work = await mkdtemp(join(tmpdir(), 'pc-image-'));
  try {
    const baseTar = await baseLayer(request.epoch);
    const tarball = request.tarball ?? (await packRepository(join(work, 'pack')));
    const appTar = await buildAppLayer(tarball, work, request.epoch);
    const tag = IMAGE_VERSION;
    const digest = await assemble({
      layout: request.layout,
      tag,
      baseTar,
      appTar,
      epoch: request.epoch,
      revision: request.revision ?? (await headRevision()),
    });
    return { layout: request.layout, tag, digest };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
