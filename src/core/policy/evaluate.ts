/**
 * Evaluation with Anchore's decision semantics: the first matching mapping selects policies and
 * whitelists; the policy result is the worst action among fired, non-whitelisted rules; then a
 * blacklisted image is STOP, else a whitelisted image is GO. GO and WARN pass, STOP fails.
 */
import { createHash } from 'node:crypto';
import type { Action, CompiledMapping, ImageRule, ValidatedBundle } from './bundle.js';
import type { EvaluationServices, FiredPackage } from './gate.js';
import { failClosedReasons, type FailClosedReason } from './fail-closed.js';
import type { PolicyInput } from './input.js';
import { compareLoose } from './loose-version.js';
import { identityFromTag, imageRuleMatches, type ImageIdentity } from './match.js';
import { findWhitelistHit, type WhitelistHit } from './whitelist.js';

export interface EvaluateOptions {
  /** `registry/repository:tag` the image is evaluated as (mappings match on it). */
  tag?: string;
  /** Evaluation time (whitelist expiry, day-based parameters); defaults to input.now. */
  now?: Date;
  services?: Partial<EvaluationServices>;
  /**
   * Let an image whose package database could not be read be judged by the bundle alone.
   * Default false: such an image fails (reason `package_db_unreadable`) whatever the bundle.
   */
  allowUnreadablePackageDb?: boolean;
  /**
   * Let an image whose distro no vulnerability data covers (`vulnerabilityData.distroGap`) be
   * judged by the bundle alone. Default false: it fails (reason `vulnerability_data_unavailable`).
   */
  allowNoVulnData?: boolean;
}

export interface FiredTrigger {
  gate: string;
  trigger: string;
  triggerId: string;
  message: string;
  /** The rule's action. */
  action: Action;
  /** GO when whitelisted, else the rule's action. */
  effectiveAction: Action;
  policyId: string;
  ruleId: string | null;
  whitelisted: WhitelistHit | null;
  package?: FiredPackage;
}

export interface RuleError {
  policyId: string;
  ruleId: string | null;
  gate: string;
  trigger: string;
  message: string;
}

export type DecisionReason =
  | 'package_db_unreadable'
  | 'vulnerability_data_unavailable'
  | 'blacklisted'
  | 'whitelisted'
  | 'policy_evaluation';

export interface PolicyDecision {
  bundle: { id: string; name: string | null };
  image: { digest: string; tag: string | null };
  mapping: { id: string | null; name: string | null } | null;
  policyIds: string[];
  whitelistIds: string[];
  triggers: FiredTrigger[];
  policyFinalAction: Action;
  matchedWhitelistedImage: ImageRule | null;
  matchedBlacklistedImage: ImageRule | null;
  finalAction: Action;
  reason: DecisionReason;
  status: 'pass' | 'fail';
  errors: RuleError[];
  /** Why the image failed regardless of the bundle (see fail-closed.ts); empty when none. */
  failClosed: FailClosedReason[];
}

const RANK: Record<Action, number> = { GO: 0, WARN: 1, STOP: 2 };

export function worstAction(actions: Iterable<Action>): Action {
  let worst: Action = 'GO';
  for (const a of actions) if (RANK[a] > RANK[worst]) worst = a;
  return worst;
}

/** Anchore's instance id for firings without one: md5 of gate + trigger + message. */
export function anchoreTriggerId(gate: string, trigger: string, message: string): string {
  return createHash('md5').update(`${gate}${trigger}${message}`, 'utf8').digest('hex');
}

function identityOf(input: PolicyInput, tag: string | undefined): ImageIdentity {
  const { digest, id } = input.image;
  if (tag !== undefined) return identityFromTag(tag, digest, id);
  if (input.image.repository !== undefined) {
    return {
      digest,
      ...(id ? { id } : {}),
      ...(input.image.registry ? { registry: input.image.registry } : {}),
      repository: input.image.repository,
      ...(input.image.tag ? { tag: input.image.tag } : {}),
    };
  }
  const first = input.image.tags[0];
  return first !== undefined ? identityFromTag(first, digest, id) : { digest, ...(id ? { id } : {}) };
}

function displayTag(identity: ImageIdentity): string | null {
  if (identity.repository === undefined) return null;
  const registry = identity.registry ? `${identity.registry}/` : '';
  return `${registry}${identity.repository}${identity.tag ? `:${identity.tag}` : ''}`;
}

function runMapping(
  bundle: ValidatedBundle,
  mapping: CompiledMapping,
  input: PolicyInput,
  now: Date,
  services: EvaluationServices,
): { triggers: FiredTrigger[]; errors: RuleError[] } {
  const whitelists = mapping.whitelistIds
    .map((id) => bundle.whitelists.find((w) => w.id === id))
    .filter((w) => w !== undefined);
  const triggers: FiredTrigger[] = [];
  const errors: RuleError[] = [];
  const timedInput = now === input.now ? input : { ...input, now };
  for (const policyId of mapping.policyIds) {
    const policy = bundle.policies.find((p) => p.id === policyId);
    if (!policy) continue;
    for (const rule of policy.rules) {
      const where = { policyId, ruleId: rule.id, gate: rule.gate.name, trigger: rule.trigger.name };
      try {
        for (const fire of rule.trigger.evaluate({ input: timedInput, params: rule.params, services })) {
          const triggerId =
            fire.triggerId ?? anchoreTriggerId(rule.gate.name, rule.trigger.name, fire.message);
          // Fixed-shape literals (no conditional spreads): this loop runs once per firing.
          const hit = findWhitelistHit(
            whitelists,
            { gate: rule.gate.name, triggerId, package: fire.package },
            now,
          );
          triggers.push({
            gate: rule.gate.name,
            trigger: rule.trigger.name,
            triggerId,
            message: fire.message,
            action: rule.action,
            effectiveAction: hit ? 'GO' : rule.action,
            policyId,
            ruleId: rule.id,
            whitelisted: hit,
            package: fire.package,
          });
        }
      } catch (err) {
        // A gate bug must not hide the other rules' results; it is reported, not swallowed.
        errors.push({ ...where, message: err instanceof Error ? err.message : String(err) });
      }
    }
  }
  return { triggers, errors };
}

export function evaluatePolicy(
  bundle: ValidatedBundle,
  input: PolicyInput,
  options: EvaluateOptions = {},
): PolicyDecision {
  const now = options.now ?? input.now;
  const services: EvaluationServices = {
    compareVersions: options.services?.compareVersions ?? ((_t, a, b) => compareLoose(a, b)),
  };
  const identity = identityOf(input, options.tag);
  const mapping = bundle.mappings.find((m) => imageRuleMatches(m, identity)) ?? null;
  const { triggers, errors } = mapping
    ? runMapping(bundle, mapping, input, now, services)
    : { triggers: [], errors: [] };
  const policyFinalAction = worstAction(triggers.filter((t) => t.whitelisted === null).map((t) => t.action));
  const blacklisted = bundle.blacklistedImages.find((r) => imageRuleMatches(r, identity)) ?? null;
  const whitelisted = blacklisted
    ? null
    : (bundle.whitelistedImages.find((r) => imageRuleMatches(r, identity)) ?? null);
  const failClosed = failClosedReasons(input, {
    allowUnreadablePackageDb: options.allowUnreadablePackageDb === true,
    allowNoVulnData: options.allowNoVulnData === true,
  });
  const finalAction: Action =
    failClosed.length > 0 || blacklisted ? 'STOP' : whitelisted ? 'GO' : policyFinalAction;
  const reason: DecisionReason = failClosed[0]
    ? failClosed[0].code === 'PACKAGE_DB_UNREADABLE'
      ? 'package_db_unreadable'
      : 'vulnerability_data_unavailable'
    : blacklisted
      ? 'blacklisted'
      : whitelisted
        ? 'whitelisted'
        : 'policy_evaluation';
  return {
    bundle: { id: bundle.id, name: bundle.name ?? null },
    image: { digest: input.image.digest, tag: displayTag(identity) },
    mapping: mapping ? { id: mapping.id ?? null, name: mapping.name ?? null } : null,
    policyIds: mapping?.policyIds ?? [],
    whitelistIds: mapping?.whitelistIds ?? [],
    triggers,
    policyFinalAction,
    matchedWhitelistedImage: whitelisted,
    matchedBlacklistedImage: blacklisted,
    finalAction,
    reason,
    status: finalAction === 'STOP' ? 'fail' : 'pass',
    errors,
    failClosed,
  };
}
