/**
 * What a promotion does next, from the policy verdict: copy on pass; on failure what the rule
 * says (leave, quarantine-tag, notify). And on a re-check after new vulnerability data: a
 * promoted image that now fails is notified, or also quarantined at the destination.
 */
import type { PromotionRule } from './rule.js';

export type Verdict = 'pass' | 'fail';

export type NextStep =
  | { action: 'copy' }
  | { action: 'leave' }
  | { action: 'quarantine'; tag: string; notify: true }
  | { action: 'notify' };

export function nextStep(rule: PromotionRule, verdict: Verdict): NextStep {
  if (verdict === 'pass') return { action: 'copy' };
  if (rule.onFailure === 'quarantine') return { action: 'quarantine', tag: rule.quarantineTag, notify: true };
  return { action: rule.onFailure };
}

export type RecheckStep = { action: 'none' } | { action: 'notify' } | { action: 'quarantine'; tag: string };

/** After a re-evaluation of a promoted image: only a change from pass to fail does anything. */
export function recheckStep(rule: PromotionRule, previous: Verdict, current: Verdict): RecheckStep {
  if (previous !== 'pass' || current !== 'fail') return { action: 'none' };
  return rule.onRecheckFailure === 'quarantine'
    ? { action: 'quarantine', tag: rule.quarantineTag }
    : { action: 'notify' };
}
