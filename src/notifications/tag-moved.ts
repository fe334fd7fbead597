/**
 * A watched tag moved to a new digest and the new digest is analysed (and evaluated): each tag
 * of the account's image that now points at it is compared with the digest the tag pointed at
 * before, the way Anchore Engine compared per tag. `vuln_update` carries the findings diff
 * previous -> new (added, updated, removed) and `policy_eval` is sent when the tag's verdict
 * differs from the previous digest's last verdict under that tag, each with its event.
 * A tag seen for the first time has nothing to compare with and sends neither.
 */
import { hostname } from 'node:os';
import type { Finding } from '../core/matching/types.js';
import { diffFindings, isEmptyDiff } from './diff.js';
import { fullTag, state, type ReevaluateDeps } from './reevaluate.js';

type TagRef = { registry: string; repo: string; tag: string };

/** The digest the tag pointed at before `imageDigest` (newest detection of another digest). */
async function previousDigest(
  deps: ReevaluateDeps,
  accountName: string,
  t: TagRef,
  imageDigest: string,
): Promise<string | undefined> {
  const { rows } = await deps.store.db.query<{ image_digest: string }>(
    `SELECT image_digest FROM image_tag
     WHERE account_name = $1 AND registry = $2 AND repo = $3 AND tag = $4 AND image_digest <> $5
     ORDER BY tag_detected_at DESC, last_updated DESC LIMIT 1`,
    [accountName, t.registry, t.repo, t.tag, imageDigest],
  );
  return rows[0]?.image_digest;
}

export interface TagMove {
  tag: string;
  from: string;
  vulnUpdate: boolean;
  policyEval: boolean;
}

/**
 * For each tag of the account's analysed image that points at it now and pointed at another
 * analysed digest before: the diff and verdict change against that digest. Returns the moves.
 */
export async function notifyTagMoves(
  deps: ReevaluateDeps,
  accountName: string,
  imageDigest: string,
): Promise<TagMove[]> {
  const { store, notifier } = deps;
  const image = await store.images.get(accountName, imageDigest);
  if (!image || image.analysisStatus !== 'analyzed') return [];
  const current = await store.analyses.get(imageDigest);
  if (!current) return [];
  const moves: TagMove[] = [];
  const source = { resourceType: 'image_tag', sourceHost: deps.hostId ?? hostname() };
  for (const t of image.tags) {
    const tag = fullTag(t);
    if ((await store.watches.lastSeen(accountName, t))?.digest !== imageDigest) continue;
    const from = await previousDigest(deps, accountName, t, imageDigest);
    const previous = from === undefined ? undefined : await store.analyses.get(from);
    if (from === undefined || !previous) continue;
    const before = previous.findings as Finding[];
    const after = current.findings as Finding[];
    const diff = diffFindings(before, after);
    const move: TagMove = { tag, from, vulnUpdate: !isEmptyDiff(diff), policyEval: false };
    if (move.vulnUpdate) {
      await notifier.notifyFindingsChanged(accountName, { digest: imageDigest, tags: [tag] }, before, after);
      await notifier.recordEvent({
        accountName,
        type: 'user.checks.tag.vulnerabilities.update',
        level: 'info',
        message: `Vulnerabilities of ${tag} changed with its move from ${from}: ${diff.added.length} added, ${diff.updated.length} updated, ${diff.removed.length} removed`,
        details: {
          added: diff.added.length,
          updated: diff.updated.length,
          removed: diff.removed.length,
          last_digest: from,
          current_digest: imageDigest,
        },
        resourceId: tag,
        sourceService: 'policy_engine',
        ...source,
      });
    }
    const last = await store.evaluations.latest(accountName, from, tag);
    const now = await store.evaluations.latest(accountName, imageDigest, tag);
    if (last && now && last.status !== now.status) {
      move.policyEval = await notifier.notifyPolicyEvaluated(accountName, tag, state(now), state(last));
      await notifier.recordEvent({
        accountName,
        type: 'user.checks.tag.policy_evaluation.update',
        level: 'info',
        message: `Policy evaluation of ${tag} changed from ${last.status} to ${now.status} with its move from ${from}`,
        details: { last_status: last.status, current_status: now.status, policy_id: now.policyId },
        resourceId: tag,
        sourceService: 'policy_engine',
        ...source,
      });
    }
    moves.push(move);
  }
  return moves;
}
