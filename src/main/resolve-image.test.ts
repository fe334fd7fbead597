/**
 * Regression: `POST /v1/images` by tag resolved `registry:<tag only>` (the fetch reference, not
 * the whole reference), so every tag was looked up on Docker Hub as `library/<tag>`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReference } from '../core/image/reference/parse.js';
import { createServiceStore, type ServiceStore } from '../store/repositories/index.js';
import { createSecretBox } from '../store/repositories/secret-box.js';
import { openTestDatabase, type TestDatabase } from '../../test/harness/databases.js';
import { buildOciLayout } from '../../test/harness/registry/oci-layout.js';
import { pushImage } from '../../test/harness/registry/push.js';
import { startRegistry, type TestRegistry } from '../../test/harness/registry/start-registry.js';
import { serviceOpenOptions } from '../../test/harness/service-fixture.js';
import { createResolveImage } from './resolve-image.js';

describe('createResolveImage', () => {
  let root: string;
  let registry: TestRegistry;
  let database: TestDatabase;
  let store: ServiceStore;
  let digest: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'pc-resolve-'));
    registry = await startRegistry('tls-basic');
    const layout = await buildOciLayout(join(root, 'layout'), 'latest', [
      { platform: { os: 'linux', architecture: 'amd64' }, layers: [{ 'etc/hello': 'hello\n' }] },
    ]);
    digest = layout.digest;
    await pushImage(registry, `oci:${layout.dir}:latest`, 'team/hello:1.0');
    database = await openTestDatabase('PGlite');
    store = createServiceStore(database.db, createSecretBox(randomBytes(32)));
    await store.accounts.create({ name: 'team-a', type: 'user' });
    await store.registries.create({
      accountName: 'team-a',
      registry: registry.host,
      registryName: registry.host,
      registryUser: registry.username,
      registryPass: registry.password,
      registryType: 'docker_v2',
      registryVerify: true,
    });
  }, 300_000);
  afterAll(async () => {
    await database?.stop();
    await registry?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('resolves a tag on its own registry, with the account credentials, to the digest it serves', async () => {
    const resolve = createResolveImage(store, serviceOpenOptions(registry, join(root, 'cache')), root);
    const resolved = await resolve(parseReference(`${registry.host}/team/hello:1.0`), 'team-a');
    expect(resolved).toEqual({ digest, parentDigest: null });
  });
});
