/**
 * Re-evaluation driven by change: after a re-match changed an image's findings (a feed sync),
 * or after the account's policy changed. Each account holding the image hears about it per tag:
 * `vuln_update` with the diff when the finding set changed, `policy_eval` when the verdict
 * (pass/fail) differs from the tag's last one, each with its event in the log. Nothing is sent
 * for an image whose findings and verdict stayed the same.
 */
import { hostname } from 'node:os';
import type { Finding } from '../core/matching/types.js';
import { readsVulnerabilityData } from '../core/policy/index.js';
import { compiledBundle, computeEvaluation } from '../store/evaluate-analysis.js';
import type { EvaluationRecord } from '../store/repositories/evaluations.js';
import type { ServiceStore } from '../store/repositories/index.js';
import type { PolicyRecord } from '../store/repositories/policies.js';
import { diffFindings, isEmptyDiff } from './diff.js';
import type { Notifier } from './notify.js';
import type { EvaluationState } from './payloads.js';

export interface ReevaluateDeps {
  store: ServiceStore;
  notifier: Notifier;
  /** Reported as the source of events (default: the host name). */
  hostId?: string;
}

export const fullTag = (t: { registry: string; repo: string; tag: string }) =>
  `${t.registry}/${t.repo}:${t.tag}`;

/** A stored verdict as the `policy_eval` payload carries it. */
export const state = (
  e: Pick<EvaluationRecord, 'imageDigest' | 'status' | 'finalAction' | 'policyId'> & { createdAt?: Date },
): EvaluationState => ({
  image_digest: e.imageDigest,
  status: e.status,
  final_action: e.finalAction,
  policy_id: e.policyId,
  evaluated_at: (e.createdAt ?? new Date()).toISOString(),
});

/** Accounts holding the digest as an active image. */
export async function accountsOf(store: ServiceStore, imageDigest: string): Promise<string[]> {
  const { rows } = await store.db.query<{ account_name: string }>(
    "SELECT account_name FROM image WHERE image_digest = $1 AND image_status = 'active' ORDER BY account_name",
    [imageDigest],
  );
  return rows.map((r) => r.account_name);
}

/**
 * Whether the tag's last evaluation stands after its image's findings changed (ADR 0027): it
 * was made with this bundle as it is now, and no rule of the bundle reads findings or feeds,
 * so evaluating again could only give the same verdict and rows. Nothing is stored then.
 */
export function lastEvaluationStands(
  policy: PolicyRecord,
  last: Pick<EvaluationRecord, 'policyId' | 'createdAt'> | undefined,
): boolean {
  return (
    last !== undefined &&
    last.policyId === policy.policyId &&
    last.createdAt >= policy.lastUpdated &&
    !readsVulnerabilityData(compiledBundle(policy))
  );
}

/**
 * Evaluates each tag of the account's image with its active bundle, stores the result and
 * notifies `policy_eval` where the verdict changed. Returns the tags whose verdict changed.
 * `cause` 'findings': tags whose last evaluation stands are left as they are.
 */
export async function reevaluateImage(
  deps: ReevaluateDeps,
  accountName: string,
  imageDigest: string,
  cause: 'policy' | 'findings' = 'policy',
): Promise<string[]> {
  const { store } = deps;
  const policy = await store.policies.active(accountName);
  const image = await store.images.get(accountName, imageDigest);
  if (!policy || !image || image.analysisStatus !== 'analyzed') return [];
  const changed: string[] = [];
  for (const t of image.tags) {
    const tag = fullTag(t);
    const last = await store.evaluations.latest(accountName, imageDigest, tag);
    if (cause === 'findings' && lastEvaluationStands(policy, last)) continue;
    const computed = await computeEvaluation(store, { accountName, imageDigest, tag, policy });
    if (!computed) continue;
    const stored = await store.evaluations.add(computed);
    // The first verdict of a tag is the analysis's own, not a change.
    if (!last || last.status === stored.status) continue;
    changed.push(tag);
    await deps.notifier.notifyPolicyEvaluated(accountName, tag, state(stored), state(last));
    await deps.notifier.recordEvent({
      accountName,
      type: 'user.checks.tag.policy_evaluation.update',
      level: 'info',
      message: `Policy evaluation of ${tag} changed from ${last.status} to ${stored.status}`,
      details: { last_status: last.status, current_status: stored.status, policy_id: stored.policyId },
      resourceType: 'image_tag',
      resourceId: tag,
      sourceService: 'policy_engine',
      sourceHost: deps.hostId ?? hostname(),
    });
  }
  return changed;
}

/**
 * The findings of a digest changed from `before` to `after`: each holding account's tags get a
 * `vuln_update` (if subscribed) and an event, then a re-evaluation. Returns whether they differed.
 */
export async function findingsChanged(
  deps: ReevaluateDeps,
  imageDigest: string,
  before: readonly Finding[],
  after: readonly Finding[],
): Promise<boolean> {
  const diff = diffFindings(before, after);
  if (isEmptyDiff(diff)) return false;
  for (const accountName of await accountsOf(deps.store, imageDigest)) {
    const image = await deps.store.images.get(accountName, imageDigest);
    if (!image) continue;
    const tags = image.tags.map(fullTag);
    await deps.notifier.notifyFindingsChanged(accountName, { digest: imageDigest, tags }, before, after);
    for (const tag of tags)
      await deps.notifier.recordEvent({
        accountName,
        type: 'user.checks.tag.vulnerabilities.update',
        level: 'info',
        message: `Vulnerabilities of ${tag} changed: ${diff.added.length} added, ${diff.updated.length} updated, ${diff.removed.length} removed`,
        details: { added: diff.added.length, updated: diff.updated.length, removed: diff.removed.length },
        resourceType: 'image_tag',
        resourceId: tag,
        sourceService: 'policy_engine',
        sourceHost: deps.hostId ?? hostname(),
      });
    await reevaluateImage(deps, accountName, imageDigest, 'findings');
  }
  return true;
}

/** Every analysed image of the account (a bundle was activated or edited). */
export async function reevaluateAccount(
  deps: ReevaluateDeps,
  accountName: string,
  signal?: AbortSignal,
): Promise<{ images: number; changed: number }> {
  const { rows } = await deps.store.db.query<{ image_digest: string }>(
    `SELECT image_digest FROM image WHERE account_name = $1 AND image_status = 'active' AND analysis_status = 'analyzed'
     ORDER BY image_digest`,
    [accountName],
  );
  let changed = 0;
  for (const { image_digest: digest } of rows) {
    signal?.throwIfAborted();
    changed += (await reevaluateImage(deps, accountName, digest)).length;
  }
  return { images: rows.length, changed };
}
