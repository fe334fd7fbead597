/**
 * After a feed sync: every stored analysis with a package under a changed (namespace, package)
 * key — found through the search index, no SBOM is read to decide — is matched again from its
 * stored SBOM (the image is never pulled again), the Debian changelog evidence stored with it
 * is applied to the new findings, and the findings are replaced in one transaction with their
 * index rows, so a reader sees the old set or the new one, never a mix. When the finding set
 * changed, the accounts holding the image are told (`vuln_update`, events) and its tags are
 * evaluated again (`policy_eval` when the verdict changed).
 */
import { baseLayersFromHistory } from '../core/matching/base-layers.js';
import { rematchChanged, type PackageKey } from '../core/matching/rematch.js';
import type { Finding } from '../core/matching/types.js';
import type { VulnerabilityData } from '../core/pipeline/index.js';
import { sortFindings } from '../core/report/index.js';
import type { SbomDocument } from '../core/sbom/document.js';
import { applySuppressions } from '../core/suppression/index.js';
import { findingsChanged } from '../notifications/reevaluate.js';
import { Notifier } from '../notifications/notify.js';
import { JobQueue } from '../queue/queue.js';
import { analyzeIndex, indexMissing } from '../store/repositories/image-index.js';
import { digestsWithLookupKeys } from '../store/repositories/image-queries.js';
import type { ServiceStore } from '../store/repositories/index.js';
import type { AnalysisMetadata } from '../worker/analyze.js';

export interface RematchSummary {
  /** Analyses whose findings were computed again. */
  rematched: number;
  /** Analyses left as they were (no package under a changed key). */
  untouched: number;
  /** Re-matched analyses whose finding set changed (and were notified). */
  changed: number;
}

export async function rematchAnalyses(
  store: ServiceStore,
  data: VulnerabilityData,
  changedKeys: readonly PackageKey[],
  options: {
    signal?: AbortSignal;
    now?: Date;
    notifier?: Notifier;
    hostId?: string;
    /** Told of each digest whose findings changed (promoted images are re-checked there). */
    onFindingsChanged?: (digest: string) => Promise<void>;
  } = {},
): Promise<RematchSummary> {
  const summary: RematchSummary = { rematched: 0, untouched: 0, changed: 0 };
  if (changedKeys.length === 0) return summary;
  const notifier = options.notifier ?? new Notifier(store.db, new JobQueue(store.db));
  await indexMissing(store.db, options.signal);
  const candidates = await digestsWithLookupKeys(store.db, changedKeys);
  const total = (await store.db.query<{ n: string | number }>('SELECT count(*) AS n FROM analysis')).rows[0];
  summary.untouched = Number(total?.n ?? 0) - candidates.length;
  for (const digest of candidates) {
    options.signal?.throwIfAborted();
    const record = await store.analyses.get(digest);
    if (!record) continue;
    const doc = record.sbom as SbomDocument;
    const metadata = record.metadata as AnalysisMetadata;
    const baseLayerCount = baseLayersFromHistory(metadata.config?.history ?? []);
    const result = await rematchChanged(doc, record.findings as Finding[], data, changedKeys, {
      ...(baseLayerCount === undefined ? {} : { baseLayerCount }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (result.rematched.length === 0) {
      summary.untouched++;
      continue;
    }
    const rematched = new Set(result.rematched);
    const changelogs = metadata.changelogs ?? {};
    const fresh = await applySuppressions(
      result.findings.filter((f) => rematched.has(f.package.id)),
      {
        changelog: {
          doc,
          read: (path) =>
            Promise.resolve(
              changelogs[path] === undefined ? undefined : Buffer.from(changelogs[path], 'base64'),
            ),
        },
        now: options.now ?? new Date(),
      },
    );
    const kept = result.findings.filter((f) => !rematched.has(f.package.id));
    const after = sortFindings([...kept, ...fresh.findings], 'severity');
    await store.analyses.replaceFindings(digest, after);
    summary.rematched++;
    const deps = { store, notifier, ...(options.hostId ? { hostId: options.hostId } : {}) };
    if (await findingsChanged(deps, digest, record.findings as Finding[], after)) {
      summary.changed++;
      await options.onFindingsChanged?.(digest);
    }
  }
  if (summary.rematched > 0) await analyzeIndex(store.db);
  return summary;
}
