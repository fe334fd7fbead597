/**
 * Requests that cannot be understood (not an AdmissionReview, unknown kind, no object) still
 * get a well-formed answer: refused with the reason, unless the namespace is excluded or the
 * first rule that can match without images is breakglass.
 */
import { invalidAudit } from './audit.js';
import type { AdmissionConfig } from './config.js';
import type { Decision } from './decide.js';
import type { InvalidReview } from './parse.js';
import { isExcludedNamespace, selectRule, type CompiledRule } from './rules.js';

export function decideInvalid(
  invalid: InvalidReview,
  config: AdmissionConfig,
  rules: readonly CompiledRule[],
  time: Date,
): Decision {
  const audit = invalidAudit(invalid, config, time);
  if (isExcludedNamespace(config, invalid.namespace)) {
    return {
      allowed: true,
      message: undefined,
      warnings: [],
      audit: { ...audit, mode: 'excluded', reasons: [invalid.reason] },
    };
  }
  // Labels are unknown here: a rule needing them cannot be trusted to match, so only rules
  // without label selectors are considered.
  const rule = selectRule(
    rules.filter((r) => r.rule.namespaceLabels === undefined && r.rule.objectLabels === undefined),
    { namespace: invalid.namespace, namespaceLabels: undefined, objectLabels: {}, image: undefined },
  );
  if (rule?.rule.mode === 'breakglass') {
    const warning = `Portcullis could not check this request (breakglass): ${invalid.reason}`.slice(0, 120);
    return {
      allowed: true,
      message: undefined,
      warnings: [warning],
      audit: { ...audit, mode: 'breakglass', verdict: 'warned', reasons: [invalid.reason] },
    };
  }
  return {
    allowed: false,
    message: `Portcullis refused the request: ${invalid.reason}`,
    warnings: [],
    audit: { ...audit, allowed: false, verdict: 'denied', mode: 'invalid', reasons: [invalid.reason] },
  };
}
