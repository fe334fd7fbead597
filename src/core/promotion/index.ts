/** Scan-gated promotion, the pure part: rules, matching, tag mapping, next steps. */
export { promotionRuleInput, isValidTag } from './rule.js';
export type { PromotionRule, PromotionRuleInput, PromotionRuleSpec } from './rule.js';
export {
  destinationRepository,
  destinationTags,
  digestTag,
  globMatches,
  matchesRule,
  matchingRules,
  type PushedImage,
} from './match.js';
export { nextStep, recheckStep, type NextStep, type RecheckStep, type Verdict } from './step.js';
