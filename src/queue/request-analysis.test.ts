import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openTestDatabase,
  STORE_KINDS,
  stopSharedPostgres,
  type TestDatabase,
} from '../../test/harness/databases.js';
import { createServiceStore } from '../store/repositories/index.js';
import { createSecretBox } from '../store/repositories/secret-box.js';
import { JOB_KINDS } from './kinds.js';
import { JobQueue } from './queue.js';
import { addImageAndQueue } from './request-analysis.js';

afterAll(() => stopSharedPostgres());

const DIGEST = `sha256:${'a'.repeat(64)}`;
const TAG = { registry: 'registry.example', repo: 'team/app', tag: '1' };

describe.each(STORE_KINDS)('addImageAndQueue on %s', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(() => database.stop());

  it('queues one job per digest, but a forced analysis beside an unforced one in flight', async () => {
    const store = createServiceStore(database.db, createSecretBox(randomBytes(32)));
    const queue = new JobQueue(database.db);
    for (const name of ['team-a', 'team-b']) await store.accounts.create({ name, type: 'user' });
    await addImageAndQueue(store, queue, { accountName: 'team-a', imageDigest: DIGEST, tag: TAG });
    await addImageAndQueue(store, queue, { accountName: 'team-b', imageDigest: DIGEST, tag: TAG });
    const jobs = async () =>
      (
        await database.db.query<{ payload: { force?: boolean; accountName: string } }>(
          "SELECT payload FROM job WHERE kind = $1 AND state = 'queued' ORDER BY id",
          [JOB_KINDS.analyzeImage],
        )
      ).rows.map((r) => r.payload);
    expect(await jobs()).toEqual([expect.objectContaining({ accountName: 'team-a' })]);
    // The unforced job would share the old analysis with the reset image: the forced one must run.
    await addImageAndQueue(store, queue, {
      accountName: 'team-a',
      imageDigest: DIGEST,
      tag: TAG,
      force: true,
    });
    expect(await jobs()).toEqual([
      expect.objectContaining({ accountName: 'team-a' }),
      expect.objectContaining({ accountName: 'team-a', force: true }),
    ]);
  });
});
