/**
 * The bundle every account starts with, active, so `evaluate check` answers at once (Anchore
 * does the same). It carries Anchore's well-known default id, which anchore-cli users expect,
 * and the rules of the built-in `reject-high` preset: STOP on high or critical, WARN on medium.
 * One difference: `vulnerability_data_unavailable` only WARNs here. A service evaluates every
 * account's images as soon as they are analysed, before an operator may have synced the feeds
 * its images need; the warning shows on every check (and in admission reasons) without
 * failing every image of every account. Activating `reject-high` itself makes it a STOP.
 */
import { BUILTIN_BUNDLES } from '../../core/policy/index.js';

export const DEFAULT_POLICY_ID = '2c53a13c-1765-11e8-82ef-23527761d060';

export interface InitialPolicy {
  policyId: string;
  name: string;
  description: string;
  bundle: unknown;
}

export function defaultPolicy(): InitialPolicy {
  const preset = BUILTIN_BUNDLES.find((b) => b.name === 'reject-high');
  if (!preset) throw new Error('the built-in reject-high bundle is missing');
  const description = 'Default bundle: fails on high or critical vulnerabilities, warns on medium ones.';
  return {
    policyId: DEFAULT_POLICY_ID,
    name: 'Default bundle',
    description,
    bundle: {
      ...warnOnMissingData(structuredClone(preset.document) as Record<string, unknown>),
      id: DEFAULT_POLICY_ID,
      name: 'Default bundle',
      comment: description,
    },
  };
}

/** The preset with its `vulnerability_data_unavailable` rules turned into warnings. */
function warnOnMissingData(bundle: Record<string, unknown>): Record<string, unknown> {
  const policies = bundle.policies as { rules: { trigger: string; action: string }[] }[];
  for (const policy of policies) {
    for (const rule of policy.rules) {
      if (rule.trigger === 'vulnerability_data_unavailable') rule.action = 'WARN';
    }
  }
  return bundle;
}
