/**
 * A restored analysis is matched again from its stored SBOM against today's data: every
 * package with an advisory lookup is matched afresh (the same path as the re-match after a
 * feed sync, with the stored Debian changelog evidence), so the restored findings are what an
 * analysis today would give, without pulling the image again. Without any vulnerability data
 * the stored findings are kept (matching against nothing would erase them).
 */
import { baseLayersFromHistory } from '../core/matching/base-layers.js';
import { lookupsFor } from '../core/matching/namespaces.js';
import { rematchChanged, type PackageKey } from '../core/matching/rematch.js';
import type { AdvisorySource, Finding } from '../core/matching/types.js';
import type { VulnerabilityData } from '../core/pipeline/index.js';
import { sortFindings } from '../core/report/index.js';
import type { SbomDocument } from '../core/sbom/document.js';
import { applySuppressions } from '../core/suppression/index.js';
import type { AnalysisMetadata } from '../store/repositories/analysis-metadata.js';

export async function rematchStored(
  doc: SbomDocument,
  metadata: AnalysisMetadata,
  stored: readonly Finding[],
  data: VulnerabilityData,
  now: Date = new Date(),
): Promise<{ findings: Finding[]; rematched: boolean }> {
  if ((await data.status()).length === 0) return { findings: [...stored], rematched: false };
  const keys = new Map<string, PackageKey>();
  for (const p of doc.packages) {
    for (const l of lookupsFor(p, doc.distro)) {
      keys.set(`${l.namespace}\u0000${l.packageName}`, {
        namespace: l.namespace,
        packageName: l.packageName,
      });
    }
  }
  const findings = await rematchUnderKeys(doc, metadata, stored, data, [...keys.values()], { now });
  return { findings: findings ?? sortFindings([...stored], 'severity'), rematched: true };
}

/**
 * The findings of a stored analysis with every package under `keys` matched afresh (the stored
 * Debian changelog evidence applied again); undefined when no package is under those keys.
 * Shared by the restore above and the re-match after a feed sync.
 */
export async function rematchUnderKeys(
  doc: SbomDocument,
  metadata: AnalysisMetadata,
  stored: readonly Finding[],
  data: AdvisorySource,
  keys: readonly PackageKey[],
  options: { now?: Date; signal?: AbortSignal } = {},
): Promise<Finding[] | undefined> {
  const baseLayerCount = baseLayersFromHistory(metadata.config?.history ?? []);
  const result = await rematchChanged(doc, stored, data, keys, {
    ...(baseLayerCount === undefined ? {} : { baseLayerCount }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (result.rematched.length === 0) return undefined;
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
  return sortFindings([...kept, ...fresh.findings], 'severity');
}
