/**
 * Archiving, restoring and deleting one account's image analysis (ADR 0025). Archiving moves
 * the analysis, the account's evaluations, tags and annotations into one compressed row and
 * takes the image out of the working set in the same transaction; restoring puts it back,
 * matched again against today's data, without pulling the image.
 */
import type { Finding } from '../core/matching/types.js';
import type { SbomDocument } from '../core/sbom/document.js';
import type { AnalysisMetadata } from '../store/repositories/analysis-metadata.js';
import {
  evaluationsOf,
  removeFromWorkingSet,
  restoreWorkingRows,
  stopTagWatches,
} from '../store/repositories/archive-moves.js';
import { ArchivedImageRepository, type ArchivedImage } from '../store/repositories/archives.js';
import type { ServiceStore } from '../store/repositories/index.js';
import { evaluateForAccounts } from '../store/evaluate-analysis.js';
import { vulnerabilityDataOf } from '../store/vulnerability-data.js';
import type { EventType } from '../store/repositories/event-types.js';
import { ARCHIVE_FORMAT, decodeArchive, encodeArchive, type ArchiveDocument } from './document.js';
import { rematchStored } from './rematch.js';

/** Why an archive call was refused; the API turns `kind` into its status. */
export class ArchiveFailure extends Error {
  constructor(
    readonly kind: 'not_found' | 'conflict' | 'invalid' | 'forbidden',
    message: string,
  ) {
    super(message);
    this.name = 'ArchiveFailure';
  }
}

export interface ArchiveResult {
  digest: string;
  /** Anchore's values: archived (also when it already was), archiving, error. */
  status: 'archived' | 'error';
  detail: string;
}

export interface ArchiveContext {
  store: ServiceStore;
  /** Reported as the event source. */
  hostId: string;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

const event = (ctx: ArchiveContext, accountName: string, digest: string, type: EventType, message: string) =>
  ctx.store.events.add({
    accountName,
    type,
    level: 'info',
    message,
    resourceType: 'image_digest',
    resourceId: digest,
    sourceService: 'catalog',
    sourceHost: ctx.hostId,
  });

/**
 * Tags of the image that an active `tag_update` watcher follows and that still name the image:
 * left on, the watcher would add (and pull) the archived image again.
 */
async function latestOfWatchedTags(
  store: ServiceStore,
  accountName: string,
  image: { imageDigest: string; tags: readonly { registry: string; repo: string; tag: string }[] },
): Promise<string[]> {
  const keys: string[] = [];
  for (const t of image.tags) {
    const key = `${t.registry}/${t.repo}:${t.tag}`;
    const subs = await store.subscriptions.list(accountName, { key, type: 'tag_update' });
    if (!subs.some((s) => s.active)) continue;
    if ((await store.watches.lastDigest(accountName, t)) === image.imageDigest) keys.push(key);
  }
  return keys;
}

/** Archives the account's analysed image; a refusal is a result, never a throw (one per digest). */
export async function archiveImage(
  ctx: ArchiveContext,
  accountName: string,
  digest: string,
): Promise<ArchiveResult> {
  const { store } = ctx;
  const archives = new ArchivedImageRepository(store.db);
  if (!DIGEST.test(digest)) return { digest, status: 'error', detail: `not an image digest: ${digest}` };
  const image = await store.images.get(accountName, digest);
  if (!image) {
    if (await archives.get(accountName, digest))
      return { digest, status: 'archived', detail: 'already archived' };
    return { digest, status: 'error', detail: `image ${digest} not found in account ${accountName}` };
  }
  if (image.analysisStatus !== 'analyzed') {
    return {
      digest,
      status: 'error',
      detail: `image ${digest} cannot be archived: analysis_status is ${image.analysisStatus}, only analyzed images can be archived`,
    };
  }
  const watched = await latestOfWatchedTags(store, accountName, image);
  const analysis = await store.analyses.get(digest);
  if (!analysis) return { digest, status: 'error', detail: `image ${digest} has no stored analysis` };
  const doc: ArchiveDocument = {
    imageDigest: digest,
    parentDigest: image.parentDigest,
    imageType: image.imageType,
    annotations: image.annotations,
    dockerfile: image.dockerfile,
    analyzedAt: image.analyzedAt?.toISOString() ?? null,
    createdAt: image.createdAt.toISOString(),
    tags: image.tags.map((t) => ({
      registry: t.registry,
      repo: t.repo,
      tag: t.tag,
      pullDigest: t.pullDigest,
      createdAt: t.createdAt.toISOString(),
      tagDetectedAt: t.tagDetectedAt.toISOString(),
    })),
    analysis: {
      imageId: analysis.imageId,
      analyzerVersion: analysis.analyzerVersion,
      metadata: analysis.metadata,
      sbom: analysis.sbom,
      findings: analysis.findings,
      createdAt: analysis.createdAt.toISOString(),
    },
    evaluations: await evaluationsOf(store.db, accountName, digest),
  };
  const content = await encodeArchive(doc);
  const moved = await store.db.transaction(async (tx) => {
    const { removed } = await removeFromWorkingSet(tx, accountName, digest);
    if (!removed) return false;
    await stopTagWatches(tx, accountName, watched);
    await archives.delete(accountName, digest, tx); // an older archive of a restored image
    await archives.insert(
      {
        accountName,
        imageDigest: digest,
        parentDigest: image.parentDigest,
        imageId: analysis.imageId,
        annotations: image.annotations,
        tags: doc.tags.map(({ registry, repo, tag, pullDigest, tagDetectedAt }) => ({
          registry,
          repo,
          tag,
          pullDigest,
          tagDetectedAt,
        })),
        analyzedAt: image.analyzedAt,
        imageCreatedAt: image.createdAt,
        format: ARCHIVE_FORMAT,
        content,
        archiveSizeBytes: content.byteLength,
      },
      tx,
    );
    return true;
  });
  if (!moved)
    return { digest, status: 'error', detail: `image ${digest} changed while it was being archived` };
  await event(ctx, accountName, digest, 'system.analysis_archive.image_archived', 'Image analysis archived');
  const stopped = watched.length === 0 ? '' : ` (tag_update deactivated for ${watched.join(', ')})`;
  return { digest, status: 'archived', detail: `Completed successfully${stopped}` };
}

/** Brings the archived analysis back into the working set, analysed at once from the stored SBOM. */
export async function restoreImage(ctx: ArchiveContext, accountName: string, digest: string): Promise<void> {
  const { store } = ctx;
  const archives = new ArchivedImageRepository(store.db);
  const stored = await archives.content(accountName, digest);
  if (!stored) throw new ArchiveFailure('not_found', `archived image ${digest} not found`);
  if (await store.images.get(accountName, digest)) {
    throw new ArchiveFailure(
      'conflict',
      `image ${digest} is already in the working set of account ${accountName}`,
    );
  }
  const doc = await decodeArchive(stored.format, stored.content);
  const shared = await store.analyses.exists(digest);
  // Another account's live analysis of the same bytes is already current: share it as adding does.
  const findings = shared
    ? undefined
    : (
        await rematchStored(
          doc.analysis.sbom as SbomDocument,
          doc.analysis.metadata as AnalysisMetadata,
          doc.analysis.findings as Finding[],
          vulnerabilityDataOf(store.db),
        )
      ).findings;
  await store.db.transaction(async (tx) => {
    if (findings) {
      await store.analyses.save(
        {
          imageDigest: digest,
          imageId: doc.analysis.imageId,
          analyzerVersion: doc.analysis.analyzerVersion,
          metadata: doc.analysis.metadata,
          sbom: doc.analysis.sbom,
          findings,
        },
        tx,
      );
    }
    if (!(await restoreWorkingRows(tx, accountName, doc))) {
      throw new ArchiveFailure(
        'conflict',
        `image ${digest} is already in the working set of account ${accountName}`,
      );
    }
  });
  await event(
    ctx,
    accountName,
    digest,
    'system.image_analysis.restored_from_archive',
    'Image restored from archive',
  );
  try {
    await evaluateForAccounts(store, [accountName], digest);
  } catch {
    // A stale bundle leaves the restored analysis intact, as after an analysis.
  }
}

/** Deletes the archived analysis; without `force` an image restored meanwhile keeps it. */
export async function deleteArchivedImage(
  ctx: ArchiveContext,
  accountName: string,
  digest: string,
  force: boolean,
): Promise<void> {
  const archives = new ArchivedImageRepository(ctx.store.db);
  if (!(await archives.get(accountName, digest))) {
    throw new ArchiveFailure('not_found', `archived image ${digest} not found`);
  }
  if (!force && (await ctx.store.images.get(accountName, digest))) {
    throw new ArchiveFailure(
      'conflict',
      `image ${digest} was restored and is in the working set; delete the archive with force=true`,
    );
  }
  await archives.delete(accountName, digest);
  await event(
    ctx,
    accountName,
    digest,
    'system.analysis_archive.archived_image_deleted',
    'Archived image deleted',
  );
}

export async function archivedImage(
  store: ServiceStore,
  accountName: string,
  digest: string,
): Promise<ArchivedImage> {
  const found = await new ArchivedImageRepository(store.db).get(accountName, digest);
  if (!found) throw new ArchiveFailure('not_found', `archived image ${digest} not found`);
  return found;
}
