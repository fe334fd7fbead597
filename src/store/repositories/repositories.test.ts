import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openTestDatabase,
  STORE_KINDS,
  stopSharedPostgres,
  type TestDatabase,
} from '../../../test/harness/databases.js';
import { DEFAULT_POLICY_ID } from './default-policy.js';
import { createServiceStore, type ServiceStore } from './index.js';
import { createSecretBox } from './secret-box.js';

afterAll(() => stopSharedPostgres());

const DIGEST_A = `sha256:${'a'.repeat(64)}`;
const DIGEST_B = `sha256:${'b'.repeat(64)}`;

describe.each(STORE_KINDS)('service repositories on %s', (kind) => {
  let database: TestDatabase;
  let store: ServiceStore;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    store = createServiceStore(database.db, createSecretBox(randomBytes(32)));
    await store.accounts.create({ name: 'team-a', type: 'user' });
    await store.accounts.create({ name: 'team-b', type: 'user', email: 'b@example.org' });
  });
  afterAll(() => database.stop());

  it('refuses a duplicate account and lists accounts by state', async () => {
    await expect(store.accounts.create({ name: 'team-a', type: 'user' })).rejects.toThrow(/already exists/);
    await store.accounts.setState('team-b', 'disabled');
    expect((await store.accounts.list({ state: 'disabled' })).map((a) => a.name)).toEqual(['team-b']);
    await store.accounts.setState('team-b', 'enabled');
  });

  it('stores scrypt hashes and authenticates users only with the right password', async () => {
    await store.users.create({ username: 'alice', accountName: 'team-a', password: 'correct horse' });
    const { rows } = await database.db.query<{ password_hash: string }>(
      "SELECT password_hash FROM account_user WHERE username = 'alice'",
    );
    expect(rows[0]?.password_hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(rows[0]?.password_hash).not.toContain('correct horse');
    expect((await store.users.authenticate('alice', 'correct horse'))?.account.name).toBe('team-a');
    expect(await store.users.authenticate('alice', 'wrong')).toBeUndefined();
    expect(await store.users.authenticate('nobody', 'correct horse')).toBeUndefined();
    await store.users.setPassword('team-a', 'alice', 'battery staple');
    expect(await store.users.authenticate('alice', 'correct horse')).toBeUndefined();
    expect((await store.users.authenticate('alice', 'battery staple'))?.user.username).toBe('alice');
  });

  it('authenticates API tokens until they are revoked or expire', async () => {
    await store.users.create({ username: 'ci-bot', accountName: 'team-a', password: 'unused-password' });
    const { token, secret } = await store.tokens.create({ username: 'ci-bot', name: 'pipeline' });
    const { rows } = await database.db.query<{ token_hash: string }>(
      'SELECT token_hash FROM api_token WHERE id = $1',
      [token.id],
    );
    expect(rows[0]?.token_hash).not.toBe(secret);
    expect((await store.tokens.authenticate(secret))?.user.username).toBe('ci-bot');
    expect(await store.tokens.revoke('alice', token.id)).toBe(false); // not alice's token
    expect(await store.tokens.revoke('ci-bot', token.id)).toBe(true);
    expect(await store.tokens.authenticate(secret)).toBeUndefined();
    const expired = await store.tokens.create({
      username: 'ci-bot',
      name: 'old',
      expiresAt: new Date(Date.now() - 1000),
    });
    expect(await store.tokens.authenticate(expired.secret)).toBeUndefined();
  });

  it('keeps images per account and shares the analysis by digest', async () => {
    const tag = { registry: 'docker.io', repo: 'library/alpine', tag: '3.20' };
    const first = await store.images.add({
      accountName: 'team-a',
      imageDigest: DIGEST_A,
      tag,
      annotations: { owner: 'a' },
    });
    expect(first.created).toBe(true);
    expect(first.image.analysisStatus).toBe('not_analyzed');
    expect(first.image.tags.map((t) => t.tag)).toEqual(['3.20']);
    await database.db.transaction(async (tx) => {
      await store.analyses.save(
        {
          imageDigest: DIGEST_A,
          imageId: 'c'.repeat(64),
          analyzerVersion: 'test',
          metadata: {},
          sbom: { packages: [] },
          findings: [],
        },
        tx,
      );
      expect(
        await store.images.transition(DIGEST_A, ['not_analyzed', 'analyzing'], 'analyzed', null, tx),
      ).toEqual(['team-a']);
    });
    // Another account adding the same bytes gets the shared analysis at once.
    const other = await store.images.add({ accountName: 'team-b', imageDigest: DIGEST_A, tag });
    expect(other.image.analysisStatus).toBe('analyzed');
    expect(other.image.imageId).toBe('c'.repeat(64));
    expect(other.image.annotations).toEqual({});
    expect((await store.images.list('team-a', { tag })).map((i) => i.imageDigest)).toEqual([DIGEST_A]);
    expect(await store.images.list('team-a', { tag: { ...tag, tag: 'edge' } })).toEqual([]);
    expect(await store.images.get('team-b', DIGEST_B)).toBeUndefined();
    // Deleting one account's image leaves the other's and the analysis.
    expect(await store.images.delete('team-b', DIGEST_A)).toBe(true);
    expect((await store.images.get('team-a', DIGEST_A))?.analysisStatus).toBe('analyzed');
    expect(await store.analyses.exists(DIGEST_A)).toBe(true);
  });

  it('resets a failed image on the next add, and a forced add even when analysed', async () => {
    await store.images.add({ accountName: 'team-a', imageDigest: DIGEST_B });
    await store.images.transition(DIGEST_B, ['not_analyzed'], 'analysis_failed', 'registry unreachable');
    expect((await store.images.get('team-a', DIGEST_B))?.analysisError).toBe('registry unreachable');
    const again = await store.images.add({ accountName: 'team-a', imageDigest: DIGEST_B });
    expect(again.image.analysisStatus).toBe('not_analyzed');
    expect(again.image.analysisError).toBeNull();
    const forced = await store.images.add({ accountName: 'team-a', imageDigest: DIGEST_A, force: true });
    expect(forced.image.analysisStatus).toBe('not_analyzed');
  });

  it('reads a tag that moved back to an earlier digest (A -> B -> A) as A again, and only once', async () => {
    const t = { registry: 'registry.example', repo: 'team/moving', tag: '1' };
    const seen = async () => (await store.watches.lastSeen('team-a', t))?.digest;
    const detectedAt = async (digest: string) =>
      (await store.images.get('team-a', digest))?.tags
        .find((x) => x.repo === t.repo)
        ?.tagDetectedAt.getTime();
    await store.images.add({ accountName: 'team-a', imageDigest: DIGEST_A, tag: t });
    expect(await seen()).toBe(DIGEST_A);
    await store.images.add({ accountName: 'team-a', imageDigest: DIGEST_B, tag: t });
    expect(await seen()).toBe(DIGEST_B);
    await store.images.add({ accountName: 'team-a', imageDigest: DIGEST_A, tag: t });
    expect(await seen()).toBe(DIGEST_A);
    // Seeing A under the tag again without a move keeps its detection time.
    const first = await detectedAt(DIGEST_A);
    await store.images.add({ accountName: 'team-a', imageDigest: DIGEST_A, tag: t });
    expect(await detectedAt(DIGEST_A)).toBe(first);
    expect(await seen()).toBe(DIGEST_A);
  });

  it('keeps exactly one active policy bundle per account', async () => {
    await store.policies.upsert({
      accountName: 'team-a',
      policyId: 'p1',
      name: 'one',
      bundle: { id: 'p1' },
      active: true,
    });
    await store.policies.upsert({ accountName: 'team-a', policyId: 'p2', name: 'two', bundle: { id: 'p2' } });
    await store.policies.upsert({
      accountName: 'team-b',
      policyId: 'p1',
      name: 'b-one',
      bundle: { id: 'p1' },
      active: true,
    });
    expect((await store.policies.active('team-a'))?.policyId).toBe('p1');
    await store.policies.activate('team-a', 'p2');
    // The account's default bundle, installed at creation, was deactivated like any other.
    expect((await store.policies.list('team-a')).map((p) => [p.policyId, p.active])).toEqual([
      [DEFAULT_POLICY_ID, false],
      ['p1', false],
      ['p2', true],
    ]);
    expect((await store.policies.active('team-b'))?.name).toBe('b-one');
    await expect(store.policies.delete('team-a', 'p2')).rejects.toThrow(/active/);
    expect(await store.policies.delete('team-a', 'p1')).toBe(true);
    expect(await store.policies.activate('team-a', 'p1')).toBeUndefined();
  });

  it('encrypts registry passwords at rest and never returns them from reads', async () => {
    const input = {
      accountName: 'team-a',
      registry: 'registry.example:5000',
      registryName: 'ex',
      registryUser: 'puller',
      registryPass: 's3cret-pass',
      registryType: 'docker_v2',
      registryVerify: true,
    };
    const created = await store.registries.create(input);
    expect(JSON.stringify(created)).not.toContain('s3cret-pass');
    await expect(store.registries.create(input)).rejects.toThrow(/already exists/);
    const { rows } = await database.db.query<{ secret: string }>('SELECT secret FROM registry_credential');
    expect(rows[0]?.secret).toMatch(/^v1\./);
    expect(rows[0]?.secret).not.toContain('s3cret');
    expect((await store.registries.withSecrets('team-a'))[0]?.registryPass).toBe('s3cret-pass');
    expect(await store.registries.withSecrets('team-b')).toEqual([]);
    // A sealed password moved to another account's row does not open.
    await store.registries.create({ ...input, accountName: 'team-b' });
    await database.db.query("UPDATE registry_credential SET secret = $1 WHERE account_name = 'team-b'", [
      rows[0]?.secret,
    ]);
    await expect(store.registries.withSecrets('team-b')).rejects.toThrow(/does not decrypt/);
  });

  it('pages events newest first with a boolean next page and type wildcards', async () => {
    for (let i = 0; i < 3; i++) {
      await store.events.add({
        accountName: 'team-a',
        type: `user.image.analysis.${i === 2 ? 'failed' : 'completed'}`,
        level: i === 2 ? 'error' : 'info',
        message: `m${i}`,
        resourceType: 'image_digest',
        resourceId: DIGEST_A,
        sourceService: 'worker',
        sourceHost: 'h1',
      });
    }
    const first = await store.events.page('team-a', {}, 1, 2);
    expect(first.events.map((e) => e.message)).toEqual(['m2', 'm1']);
    expect(first.nextPage).toBe(true);
    expect((await store.events.page('team-a', {}, 2, 2)).nextPage).toBe(false);
    expect(
      (await store.events.page('team-a', { type: 'user.image.*', level: 'error' }, 1, 10)).events.map(
        (e) => e.message,
      ),
    ).toEqual(['m2']);
    expect((await store.events.page('team-b', {}, 1, 10)).events).toEqual([]);
    expect(
      await store.events.deleteMatching('team-a', { type: 'user.image.analysis.completed' }),
    ).toHaveLength(2);
  });

  it('creates the four subscriptions of a tag once', async () => {
    await store.subscriptions.ensureForTag('team-a', 'docker.io/alpine:3.20', true);
    await store.subscriptions.ensureForTag('team-a', 'docker.io/alpine:3.20', false);
    const subs = await store.subscriptions.list('team-a', { key: 'docker.io/alpine:3.20' });
    expect(subs.map((s) => [s.type, s.active])).toEqual([
      ['analysis_update', true],
      ['policy_eval', false],
      ['tag_update', true],
      ['vuln_update', false],
    ]);
    // Turned off by the user, then the image is added again: analysis_update is enabled again,
    // tag_update only with autosubscribe; vuln_update, turned on by the user, stays on.
    for (const sub of subs) await store.subscriptions.setActive('team-a', sub.id, sub.type === 'vuln_update');
    await store.subscriptions.ensureForTag('team-a', 'docker.io/alpine:3.20', false);
    const states = async () =>
      (await store.subscriptions.list('team-a', { key: 'docker.io/alpine:3.20' })).map((s) => [
        s.type,
        s.active,
      ]);
    expect(await states()).toEqual([
      ['analysis_update', true],
      ['policy_eval', false],
      ['tag_update', false],
      ['vuln_update', true],
    ]);
    await store.subscriptions.ensureForTag('team-a', 'docker.io/alpine:3.20', true);
    expect((await states())[2]).toEqual(['tag_update', true]);
  });
});
