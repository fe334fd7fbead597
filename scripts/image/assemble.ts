/**
 * Puts the layers together with umoci into an OCI image layout: two layers, the service as
 * entrypoint, a non-root user, OCI labels, every timestamp SOURCE_DATE_EPOCH.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../../test/harness/fixtures/exec.js';
import {
  ADMISSION_PORT,
  DATA_DIR,
  DEBIAN_SUITE,
  HTTP_PORT,
  IMAGE_NAME,
  IMAGE_VERSION,
  USER,
} from './config.js';

export interface Assembly {
  layout: string;
  tag: string;
  baseTar: string;
  appTar: string;
  epoch: number;
  revision: string;
}

function iso(epoch: number): string {
  return new Date(epoch * 1000).toISOString().replace('.000Z', 'Z');
}

export function imageLabels(a: Pick<Assembly, 'epoch' | 'revision'>): Record<string, string> {
  return {
    'org.opencontainers.image.title': 'Portcullis',
    'org.opencontainers.image.description':
      'Container-image security: analyze images, match vulnerabilities, evaluate policy, enforce at admission.',
    'org.opencontainers.image.version': IMAGE_VERSION,
    'org.opencontainers.image.revision': a.revision,
    'org.opencontainers.image.created': iso(a.epoch),
    'org.opencontainers.image.source': 'https://github.com/portcullis-project/portcullis',
    'org.opencontainers.image.licenses': 'Apache-2.0',
    'org.opencontainers.image.vendor': 'Portcullis',
    'org.opencontainers.image.ref.name': `${IMAGE_NAME}:${IMAGE_VERSION}`,
    'org.opencontainers.image.base.name': `debian:${DEBIAN_SUITE}`,
  };
}

export async function assemble(a: Assembly): Promise<string> {
  const image = `${a.layout}:${a.tag}`;
  const created = iso(a.epoch);
  await run('umoci', ['init', '--layout', a.layout]);
  await run('umoci', ['new', '--image', image]);
  const layers: [string, string][] = [
    [a.baseTar, `debootstrap --variant=minbase ${DEBIAN_SUITE} + security updates + user ${USER.name}`],
    [a.appTar, `npm tarball + npm ci --omit=dev (portcullis ${IMAGE_VERSION})`],
  ];
  for (const [tar, createdBy] of layers) {
    await run('umoci', [
      'raw',
      'add-layer',
      `--history.created=${created}`,
      `--history.created_by=${createdBy}`,
      '--image',
      image,
      tar,
    ]);
  }
  await run('umoci', [
    'config',
    '--no-history',
    `--created=${created}`,
    '--author=Portcullis',
    '--os=linux',
    '--architecture=amd64',
    `--config.user=${USER.uid}:${USER.gid}`,
    '--config.env=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    '--config.env=NODE_ENV=production',
    `--config.env=HOME=${DATA_DIR}`,
    `--config.env=PORTCULLIS_DATA_DIR=${DATA_DIR}`,
    `--config.env=PORTCULLIS_LISTEN=0.0.0.0:${HTTP_PORT}`,
    `--config.env=PORTCULLIS_ADMISSION_LISTEN=0.0.0.0:${ADMISSION_PORT}`,
    `--config.exposedports=${HTTP_PORT}/tcp`,
    `--config.exposedports=${ADMISSION_PORT}/tcp`,
    `--config.workingdir=${DATA_DIR}`,
    '--config.entrypoint=/usr/local/bin/portcullis',
    '--config.cmd=serve',
    '--config.stopsignal=SIGTERM',
    ...Object.entries(imageLabels(a)).map(([k, v]) => `--config.label=${k}=${v}`),
    '--image',
    image,
  ]);
  await run('umoci', ['gc', '--layout', a.layout]);
  const index = JSON.parse(await readFile(join(a.layout, 'index.json'), 'utf8')) as {
    manifests: { digest: string; annotations?: Record<string, string> }[];
  };
  const entry = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === a.tag);
  if (!entry) throw new Error(`umoci: no manifest tagged ${a.tag} in ${a.layout}`);
  return entry.digest;
}
