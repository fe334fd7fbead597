/**
 * A fleet of stored, analysed images for the monitoring benchmarks (bench/monitor.ts) and their
 * tests: Debian 12 images, each with a shared base of 100 packages plus 60 drawn from a long
 * tail of 5,000, findings on 5% of them, one tag each with `vuln_update` and `policy_eval`
 * subscribed. Two ways to store it: `storeOneByOne` is the service's own write path (image
 * added, analysis saved and indexed, image marked analysed, tag subscriptions), and
 * `storeInBulk` writes the same rows with a few multi-row statements per batch
 * (monitor-fleet.test.ts compares the two table by table).
 */
import type { ServiceStore } from '../repositories/index.js';
import {
  IMAGE_INDEX_VERSION,
  indexRows,
  insertIndexRows,
  type IndexRows,
} from '../repositories/image-index.js';
import { TAG_SUBSCRIPTION_TYPES } from '../repositories/subscriptions.js';
import { findingCounts } from '../repositories/finding-counts.js';
import { findingsText } from '../repositories/findings-text.js';
import { packageKinds } from '../repositories/package-kinds.js';
import type { Sql } from '../sql.js';
import { syntheticAnalysis, type SyntheticFinding } from './synthetic-analysis.js';

export const FLEET_BASE = Array.from({ length: 100 }, (_, i) => `base-pkg-${i}`);
export const FLEET_TAIL = Array.from({ length: 5_000 }, (_, i) => `tail-pkg-${i}`);
export const FLEET_CVES = 3_000;
/** The subscriptions each fleet tag has active (besides analysis_update, active from the start). */
export const FLEET_SUBSCRIBED = ['vuln_update', 'policy_eval'] as const;

/** A small seeded PRNG (mulberry32), so every run stores the same images. */
export function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FleetImage {
  digest: string;
  tag: { registry: string; repo: string; tag: string };
  fullTag: string;
  analysis: ReturnType<typeof syntheticAnalysis>;
}

/** The fleet's images in order; the same `count` and `seed` always give the same images. */
export function* fleet(count: number, seed = 13): Generator<FleetImage> {
  const random = prng(seed);
  for (let i = 0; i < count; i++) {
    const digest = `sha256:${i.toString(16).padStart(64, '0')}`;
    const names = new Set(FLEET_BASE);
    while (names.size < FLEET_BASE.length + 60)
      names.add(FLEET_TAIL[Math.floor(random() * FLEET_TAIL.length)]!);
    const packages = [...names].map((name) => ({
      name,
      version: `1.${i % 7}-1`,
      app: name.startsWith('tail'),
    }));
    const findings: SyntheticFinding[] = packages
      .filter(() => random() < 0.05)
      .map((p) => ({ id: `CVE-2024-${Math.floor(random() * FLEET_CVES)}`, package: p.name }));
    const tag = { registry: 'registry.bench', repo: `team/app-${i % 500}`, tag: String(i) };
    yield {
      digest,
      tag,
      fullTag: `${tag.registry}/${tag.repo}:${tag.tag}`,
      analysis: syntheticAnalysis(digest, packages, findings),
    };
  }
}

/** The service's write path, one image at a time (one transaction per image). */
export async function storeOneByOne(
  store: ServiceStore,
  accountName: string,
  image: FleetImage,
): Promise<void> {
  await store.images.add({ accountName, imageDigest: image.digest, tag: image.tag });
  await store.db.transaction(async (tx) => {
    await store.analyses.save(image.analysis, tx);
    await store.images.transition(image.digest, ['not_analyzed', 'analysis_queued'], 'analyzed', null, tx);
  });
  await store.subscriptions.ensureForTag(accountName, image.fullTag, false);
  for (const s of await store.subscriptions.list(accountName, { key: image.fullTag })) {
    if ((FLEET_SUBSCRIBED as readonly string[]).includes(s.type))
      await store.subscriptions.setActive(accountName, s.id, true);
  }
}

const json = (rows: readonly object[]) => JSON.stringify(rows);

/**
 * The same rows as `storeOneByOne` for a batch of images, in one transaction of a few multi-row
 * statements (tens of times faster on 10,000 images). Only for fresh digests and tags.
 */
export async function storeInBulk(
  db: Sql,
  accountName: string,
  images: readonly FleetImage[],
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO analysis (image_digest, image_id, analyzer_version, metadata, sbom, findings, finding_counts,
         package_kinds, index_version)
       SELECT d, i, v, m, s, f::json, c, k, $2
       FROM json_to_recordset($1::json) AS x(d text, i text, v text, m jsonb, s jsonb, f text, c jsonb, k jsonb)`,
      [
        json(
          images.map(({ analysis: a }) => ({
            d: a.imageDigest,
            i: a.imageId,
            v: a.analyzerVersion,
            m: a.metadata,
            s: a.sbom,
            f: findingsText(a.findings), // the text analyses.save stores
            c: findingCounts(a.findings),
            k: packageKinds(a.sbom),
          })),
        ),
        IMAGE_INDEX_VERSION,
      ],
    );
    await tx.query(
      `INSERT INTO image (account_name, image_digest, analysis_status, annotations, analyzed_at)
       SELECT $2, d, 'analyzed', '{}', now() FROM json_to_recordset($1::json) AS x(d text)`,
      [json(images.map((i) => ({ d: i.digest }))), accountName],
    );
    await tx.query(
      `INSERT INTO image_tag (account_name, image_digest, registry, repo, tag, pull_digest)
       SELECT $2, d, r, p, t, d FROM json_to_recordset($1::json) AS x(d text, r text, p text, t text)`,
      [
        json(images.map((i) => ({ d: i.digest, r: i.tag.registry, p: i.tag.repo, t: i.tag.tag }))),
        accountName,
      ],
    );
    await tx.query(
      `INSERT INTO subscription (id, account_name, subscription_type, subscription_key, active)
       SELECT gen_random_uuid()::text, $2, t, k,
         t = 'analysis_update' OR t = ANY($4::text[])
       FROM json_to_recordset($1::json) AS x(k text) CROSS JOIN unnest($3::text[]) AS t`,
      [
        json(images.map((i) => ({ k: i.fullTag }))),
        accountName,
        [...TAG_SUBSCRIPTION_TYPES],
        [...FLEET_SUBSCRIBED],
      ],
    );
    const rows: IndexRows = { packages: [], lookupKeys: [], findings: [] };
    for (const image of images) {
      const one = indexRows(image.digest, image.analysis);
      rows.packages.push(...one.packages);
      rows.lookupKeys.push(...one.lookupKeys);
      rows.findings.push(...one.findings);
    }
    await insertIndexRows(tx, rows);
  });
}
