/**
 * After a feed sync: every stored analysis with a package under a changed (namespace, package)
 * key is matched again from its stored SBOM (the image is never pulled again), the Debian
 * changelog evidence stored with it is applied to the new findings, and the findings are
 * replaced in one statement, so a reader sees the old set or the new one, never a mix.
 */
import { baseLayersFromHistory } from '../core/matching/base-layers.js';
import { rematchChanged, type PackageKey } from '../core/matching/rematch.js';
import type { Finding } from '../core/matching/types.js';
import type { VulnerabilityData } from '../core/pipeline/index.js';
import { sortFindings } from '../core/report/index.js';
import type { SbomDocument } from '../core/sbom/document.js';
import { applySuppressions } from '../core/suppression/index.js';
import type { ServiceStore } from '../store/repositories/index.js';
import type { AnalysisMetadata } from '../worker/analyze.js';

export interface RematchSummary {
  /** Analyses whose findings were computed again. */
  rematched: number;
  /** Analyses left as they were (no package under a changed key). */
  untouched: number;
}

export async function rematchAnalyses(
  store: ServiceStore,
  data: VulnerabilityData,
  changedKeys: readonly PackageKey[],
  options: { signal?: AbortSignal; now?: Date } = {},
): Promise<RematchSummary> {
  const summary: RematchSummary = { rematched: 0, untouched: 0 };
  if (changedKeys.length === 0) return summary;
  for (const digest of await store.analyses.digests()) {
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
    await store.analyses.replaceFindings(digest, sortFindings([...kept, ...fresh.findings], 'severity'));
    summary.rematched++;
  }
  return summary;
}
