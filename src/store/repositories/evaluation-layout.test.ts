/**
 * Policy evaluations stored compact (migration 17, ADR 0031): the bundle document once by
 * digest, the Anchore rows rendered again from the decision on read. Every reader must answer
 * byte for byte what it answered when the whole document was stored: rows written before the
 * migration (the old way, by the old INSERT), and the same evaluations written the new way by
 * `add` and `addEvaluations`. Results of another shape are stored whole. On both stores.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openTestDatabase,
  STORE_KINDS,
  stopSharedPostgres,
  type TestDatabase,
} from '../../../test/harness/databases.js';
import {
  compactEvaluationOf,
  computeEvaluation,
  decideStoredAnalysis,
  evaluationOf,
  type ComputedEvaluation,
} from '../evaluate-analysis.js';
import { migrate } from '../migrate.js';
import { MIGRATIONS } from '../migrations.js';
import type { Sql } from '../sql.js';
import { fleet, storeInBulk, type FleetImage } from '../test-support/monitor-fleet.js';
import { evaluationsOf } from './archive-moves.js';
import { compactEvaluation } from './evaluation-layout.js';
import { addEvaluations } from './evaluations-bulk.js';
import { createServiceStore, type ServiceStore } from './index.js';
import type { PolicyRecord } from './policies.js';
import { storedResults } from './policy-documents.js';
import { createSecretBox } from './secret-box.js';

const ACCOUNT = 'layout';

type Rows = { result: { result: Record<string, { result: { rows: unknown[][] } }> } };
const rowsOf = (e: ComputedEvaluation, imageId: string) =>
  (e.result as Rows).result.result[imageId]!.result.rows;

/** The default bundle with the first trigger of `triggerId` whitelisted by a named whitelist. */
function whitelisting(policy: PolicyRecord, triggerId: string): PolicyRecord {
  const bundle = structuredClone(policy.bundle) as { whitelists: { items: unknown[]; name?: string }[] };
  bundle.whitelists[0]!.name = 'exceptions "ünïcödé"';
  bundle.whitelists[0]!.items.push({ id: 'item-1', gate: 'vulnerabilities', trigger_id: triggerId });
  return { ...policy, policyId: 'whitelisting', bundle };
}

/** The old writer, verbatim: the whole document in `result`. */
async function addTheOldWay(db: Sql, e: ComputedEvaluation): Promise<void> {
  await db.query(
    `INSERT INTO policy_evaluation (account_name, image_digest, tag, policy_id, status, final_action, result)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [e.accountName, e.imageDigest, e.tag, e.policyId, e.status, e.finalAction, JSON.stringify(e.result)],
  );
}

/** The compact writer of layout 1 (ADR 0031): the decision's triggers stored as objects. */
async function addLayoutOne(db: Sql, e: ComputedEvaluation): Promise<void> {
  const [stored] = await storedResults(db, [e.result], 1);
  await db.query(
    `INSERT INTO policy_evaluation (account_name, image_digest, tag, policy_id, status, final_action, result, policy_digest)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      e.accountName,
      e.imageDigest,
      e.tag,
      e.policyId,
      e.status,
      e.finalAction,
      JSON.stringify(stored!.result),
      stored!.policyDigest,
    ],
  );
}

/** Each stored row's layout marker (null for layout 1 and whole rows) and size. */
async function layouts(db: Sql): Promise<{ layout: string | null; bytes: number }[]> {
  const { rows } = await db.query<{ layout: string | null; bytes: number }>(
    `SELECT result->'result'->(result->>'image_id')->'result'->>'layout' AS layout,
       octet_length(result::text) AS bytes FROM policy_evaluation ORDER BY tag, policy_id`,
  );
  return rows;
}

describe.each(STORE_KINDS)('compact policy evaluations on %s', (kind) => {
  let database: TestDatabase;
  let db: Sql;
  let store: ServiceStore;
  let images: FleetImage[];
  let computed: ComputedEvaluation[];
  /** Each (image, policy) evaluation's API answer when stored the old way, as JSON text. */
  const oldAnswers = new Map<string, string>();
  const key = (digest: string, policyId: string) => `${digest} ${policyId}`;

  beforeAll(async () => {
    // Every migration but 17: the fleet is stored by today's code (later migrations' columns,
    // such as migration 19's lookup-key positions), the evaluations the way they were before 17.
    database = await openTestDatabase(
      kind,
      MIGRATIONS.filter((m) => m.id !== 17),
    );
    db = database.db;
    store = createServiceStore(db, createSecretBox(randomBytes(32)));
    await store.accounts.create({ name: ACCOUNT, type: 'user' });
    images = [...fleet(3)];
    await storeInBulk(db, ACCOUNT, images);
    // The last image's package database unreadable: its evaluations have a fail-closed row.
    await db.query(
      `UPDATE analysis SET sbom = jsonb_set(sbom, '{unknowns}', $2::jsonb) WHERE image_digest = $1`,
      [
        images[2]!.digest,
        JSON.stringify([
          {
            path: '/var/lib/dpkg/status',
            cataloger: 'dpkg',
            reason: 'truncated',
            code: 'PACKAGE_DB_UNREADABLE',
          },
        ]),
      ],
    );
    const policy = (await store.policies.active(ACCOUNT))!;
    const request = (image: FleetImage, p: PolicyRecord) => ({
      accountName: ACCOUNT,
      imageDigest: image.digest,
      tag: image.fullTag,
      policy: p,
    });
    const plain = await computeEvaluation(store, request(images[0]!, policy));
    const triggerId = rowsOf(plain!, images[0]!.analysis.imageId)[0]![2] as string;
    computed = [];
    for (const image of images)
      for (const p of [policy, whitelisting(policy, triggerId)])
        computed.push((await computeEvaluation(store, request(image, p)))!);
    for (const e of computed) await addTheOldWay(db, e);
    const { rows } = await db.query<{ image_digest: string; policy_id: string; result: unknown }>(
      'SELECT image_digest, policy_id, result FROM policy_evaluation',
    );
    for (const r of rows) oldAnswers.set(key(r.image_digest, r.policy_id), JSON.stringify(r.result));
    await migrate(db);
  }, 120_000);

  afterAll(async () => {
    await database?.stop();
    await stopSharedPostgres();
  });

  it('has evaluations with whitelisted triggers and fail-closed rows to render', () => {
    const rows = computed.flatMap((e) =>
      rowsOf(e, images.find((i) => i.digest === e.imageDigest)!.analysis.imageId),
    );
    expect(rows.some((r) => typeof r[7] === 'object')).toBe(true);
    expect(rows.some((r) => r[2] === 'PACKAGE_DB_UNREADABLE')).toBe(true);
    expect(computed.every((e) => compactEvaluation(e.result) !== undefined)).toBe(true);
  });

  it('makes the compact form of its own results without their rows, as compactEvaluation does', async () => {
    const policy = (await store.policies.active(ACCOUNT))!;
    const triggerId = rowsOf(computed[0]!, images[0]!.analysis.imageId)[0]![2] as string;
    let whitelisted = 0;
    for (const image of images)
      for (const p of [policy, whitelisting(policy, triggerId)]) {
        const request = { accountName: ACCOUNT, imageDigest: image.digest, tag: image.fullTag, policy: p };
        const decided = (await decideStoredAnalysis(store, request))!;
        const reference = evaluationOf(decided, request);
        const { evaluation, compact } = compactEvaluationOf(decided, request);
        expect(compact).toEqual(compactEvaluation(reference.result));
        expect(JSON.stringify(compact.stored)).toBe(
          JSON.stringify(compactEvaluation(reference.result)!.stored),
        );
        // The record's result, rendered when read, is the document evaluationOf makes.
        expect(evaluation).toEqual(reference);
        if (JSON.stringify(compact.stored).includes('"whitelist_names":{')) whitelisted++;
      }
    expect(whitelisted).toBeGreaterThan(0);
  });

  it('answers as before for rows written before the migration', async () => {
    for (const e of computed) {
      const [listed] = await store.evaluations.list(ACCOUNT, e.imageDigest, e.tag, e.policyId, false);
      expect(JSON.stringify(listed!.result)).toBe(oldAnswers.get(key(e.imageDigest, e.policyId)));
      const admitted = await store.admission.latestEvaluation(ACCOUNT, e.imageDigest, e.policyId);
      expect(JSON.stringify(admitted!.result)).toBe(oldAnswers.get(key(e.imageDigest, e.policyId)));
      const working = await evaluationsOf(db, ACCOUNT, e.imageDigest);
      expect(working.map((w) => JSON.stringify(w.result))).toContain(
        oldAnswers.get(key(e.imageDigest, e.policyId)),
      );
    }
  });

  it('answers the same bytes for the same evaluations stored compact by add and addEvaluations', async () => {
    await db.query('DELETE FROM policy_evaluation');
    const [first, ...rest] = computed;
    const added = await store.evaluations.add(first!);
    expect(JSON.stringify(added.result)).toBe(oldAnswers.get(key(first!.imageDigest, first!.policyId)));
    await db.transaction((tx) => addEvaluations(tx, rest));
    const { rows } = await db.query<{ n: string; documents: string; bytes: string }>(
      `SELECT count(*) FILTER (WHERE policy_digest IS NOT NULL) AS n,
         (SELECT count(*) FROM policy_document) AS documents, sum(octet_length(result::text)) AS bytes
       FROM policy_evaluation`,
    );
    expect(Number(rows[0]!.n)).toBe(computed.length);
    expect(Number(rows[0]!.documents)).toBe(2); // two bundles, each stored once
    const oldBytes = [...oldAnswers.values()].reduce((n, a) => n + Buffer.byteLength(a), 0);
    expect(Number(rows[0]!.bytes)).toBeLessThan(oldBytes * 0.6);
    for (const e of computed) {
      const old = oldAnswers.get(key(e.imageDigest, e.policyId))!;
      const [listed] = await store.evaluations.list(ACCOUNT, e.imageDigest, e.tag, e.policyId, true);
      expect(JSON.stringify(listed!.result)).toBe(old);
      const latest = await store.evaluations.latest(ACCOUNT, e.imageDigest, e.tag);
      expect(latest!.status).toBe(e.status);
      const admitted = await store.admission.latestEvaluation(ACCOUNT, e.imageDigest, e.policyId);
      expect(JSON.stringify(admitted!.result)).toBe(old);
      const working = await evaluationsOf(db, ACCOUNT, e.imageDigest);
      expect(working.map((w) => JSON.stringify(w.result))).toContain(old);
    }
  });

  it('stores the triggers by column (layout 2) and answers the same bytes as for layout 1 rows', async () => {
    await db.query('DELETE FROM policy_evaluation');
    for (const e of computed) await addLayoutOne(db, e);
    const one = await layouts(db);
    expect(one.every((r) => r.layout === null)).toBe(true);
    for (const e of computed) {
      const [listed] = await store.evaluations.list(ACCOUNT, e.imageDigest, e.tag, e.policyId, false);
      expect(JSON.stringify(listed!.result)).toBe(oldAnswers.get(key(e.imageDigest, e.policyId)));
    }
    await db.query('DELETE FROM policy_evaluation');
    await db.transaction((tx) => addEvaluations(tx, computed));
    const two = await layouts(db);
    expect(two.every((r) => r.layout === '2')).toBe(true);
    const sum = (rows: { bytes: number }[]) => rows.reduce((n, r) => n + Number(r.bytes), 0);
    expect(sum(two)).toBeLessThan(sum(one) * 0.75);
    for (const e of computed) {
      const [listed] = await store.evaluations.list(ACCOUNT, e.imageDigest, e.tag, e.policyId, false);
      expect(JSON.stringify(listed!.result)).toBe(oldAnswers.get(key(e.imageDigest, e.policyId)));
    }
  });

  it('compresses results with lz4 on the server, keeps the default where there is none (migration 26)', async () => {
    const { rows } = await db.query<{ c: string }>(
      `SELECT attcompression::text AS c FROM pg_attribute
       WHERE attrelid = 'policy_evaluation'::regclass AND attname = 'result'`,
    );
    expect(rows[0]!.c).toBe(kind === 'PGlite' ? '' : 'l');
  });

  it('stores a result of another shape whole and answers it as it was given', async () => {
    const [e] = computed;
    const foreign = { policy: { id: 'p' }, result: { final_action: 'go', note: 'hand written' } };
    await store.evaluations.add({ ...e!, tag: 'other/tag:1', result: foreign });
    await store.evaluations.add({ ...e!, tag: 'other/tag:2', result: {} });
    const [one] = await store.evaluations.list(ACCOUNT, e!.imageDigest, 'other/tag:1', e!.policyId, false);
    const [two] = await store.evaluations.list(ACCOUNT, e!.imageDigest, 'other/tag:2', e!.policyId, false);
    expect(one!.result).toEqual(foreign);
    expect(two!.result).toEqual({});
    const { rows } = await db.query<{ digest: string | null }>(
      `SELECT policy_digest AS digest FROM policy_evaluation WHERE tag LIKE 'other/%'`,
    );
    expect(rows.map((r) => r.digest)).toEqual([null, null]);
  });
});
