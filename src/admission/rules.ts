/**
 * Rule selection: the first rule whose selectors all match the request and the image wins.
 * Images are selected one by one, so one pod may mix modes (a vendor sidecar in breakglass).
 */
import picomatch from 'picomatch';
import type { AdmissionConfig, AdmissionRule } from './config.js';

export interface RuleSubject {
  namespace: string;
  /** Undefined when the NamespaceLabelSource is absent or failed. */
  namespaceLabels: Record<string, string> | undefined;
  objectLabels: Record<string, string>;
  /** Normalized image reference; undefined when selecting for the request as a whole. */
  image: string | undefined;
}

export interface CompiledRule {
  index: number;
  rule: AdmissionRule;
  matches(subject: RuleSubject): boolean;
}

/**
 * `actual` undefined = the labels could not be looked up: the rule is taken, and the decision
 * fails its images, so an outage never lets a stricter rule fall through to a looser one.
 */
function labelsMatch(
  wanted: Record<string, string> | undefined,
  actual: Record<string, string> | undefined,
): boolean {
  if (wanted === undefined || actual === undefined) return true;
  return Object.entries(wanted).every(
    ([key, value]) => Object.prototype.hasOwnProperty.call(actual, key) && actual[key] === value,
  );
}

function globMatcher(globs: readonly string[] | undefined): ((value: string) => boolean) | undefined {
  // `dot` so that names such as ".hidden" are not special; no brace or extglob surprises in names.
  return globs === undefined
    ? undefined
    : picomatch([...globs], { dot: true, noextglob: true, nobrace: true });
}

export function compileRules(config: AdmissionConfig): CompiledRule[] {
  return config.rules.map((rule, index) => {
    const namespace = globMatcher(rule.namespaces);
    const image = globMatcher(rule.images);
    return {
      index,
      rule,
      matches(subject: RuleSubject): boolean {
        if (namespace && !namespace(subject.namespace)) return false;
        if (!labelsMatch(rule.namespaceLabels, subject.namespaceLabels)) return false;
        if (!labelsMatch(rule.objectLabels, subject.objectLabels)) return false;
        if (image && (subject.image === undefined || !image(subject.image))) return false;
        return true;
      },
    };
  });
}

export function selectRule(rules: readonly CompiledRule[], subject: RuleSubject): CompiledRule | undefined {
  return rules.find((r) => r.matches(subject));
}

/** Each config's excluded-namespace globs, compiled once (compiling them per request cost more than the match). */
const excludedMatchers = new WeakMap<AdmissionConfig, Array<(namespace: string) => boolean>>();

export function isExcludedNamespace(config: AdmissionConfig, namespace: string): boolean {
  if (namespace === '') return false;
  let matchers = excludedMatchers.get(config);
  if (!matchers) {
    matchers = config.excludeNamespaces.map((glob) => picomatch(glob));
    excludedMatchers.set(config, matchers);
  }
  return matchers.some((matches) => matches(namespace));
}
