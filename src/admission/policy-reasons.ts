/** Admission reasons from a policy decision: the fired, non-whitelisted triggers and why. */
import type { PolicyDecision } from '../core/policy/index.js';
import type { VerdictReason } from './ports.js';

const CVE_LIKE = /\b(CVE-\d{4}-\d{4,}|GHSA-[\w-]+|DSA-[\w-]+|OSV-[\w-]+)\b/;
const SEVERITY = /\b(Critical|High|Medium|Low|Negligible|Unknown)\b/i;

/** The fired, non-whitelisted triggers of a decision as admission reasons. */
export function reasonsOf(decision: PolicyDecision): VerdictReason[] {
  const reasons: VerdictReason[] = decision.triggers
    .filter((t) => t.whitelisted === null && t.action !== 'GO')
    .map((t) => {
      const vulnerability = CVE_LIKE.exec(t.message)?.[1];
      const severity = SEVERITY.exec(t.message)?.[1];
      return {
        gate: t.gate,
        trigger: t.trigger,
        message: t.message,
        action: t.action,
        ...(vulnerability ? { vulnerability } : {}),
        ...(severity ? { severity } : {}),
        ...(t.package ? { package: `${t.package.name} ${t.package.version}` } : {}),
      };
    });
  if (decision.matchedBlacklistedImage)
    reasons.push({
      gate: 'image',
      trigger: 'blacklisted',
      message: 'the image is blacklisted',
      action: 'STOP',
    });
  for (const reason of decision.failClosed)
    reasons.push({
      gate: 'analysis',
      trigger: 'fail_closed',
      message: JSON.stringify(reason),
      action: 'STOP',
    });
  return reasons;
}
