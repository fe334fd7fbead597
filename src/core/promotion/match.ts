/**
 * Pure rule matching and tag mapping: does a push fall under a rule, and which repository and
 * tags does a passing image get at the destination. No I/O.
 */
import type { PromotionRule } from './rule.js';

export interface PushedImage {
  registry: string;
  repository: string;
  /** Absent for a push by digest (index children, referrers): never promoted on its own. */
  tag?: string | undefined;
  digest: string;
}

function escape(text: string): string {
  return text.replace(/[.+^${}()|[\]\\]/g, '\\$&');
}

/** `**` spans path components, `*` stays within one, `?` is one character. */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*' && glob[i + 1] === '*') {
      out += '.*';
      i++;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += escape(c);
  }
  return new RegExp(`^${out}$`);
}

export function matchesRule(rule: PromotionRule, push: PushedImage): boolean {
  if (!rule.enabled || push.tag === undefined) return false;
  if (rule.source.registry !== push.registry.toLowerCase()) return false;
  if (!globToRegExp(rule.source.repository).test(push.repository)) return false;
  return globToRegExp(rule.source.tag).test(push.tag);
}

/** The destination repository for a source repository: `{repository}` and `{name}` filled in. */
export function destinationRepository(rule: PromotionRule, sourceRepository: string): string {
  const name = sourceRepository.split('/').at(-1) ?? sourceRepository;
  return rule.destination.repository.replaceAll('{repository}', sourceRepository).replaceAll('{name}', name);
}

/** `digest-<hex>`: never `sha256-<hex>`, which the referrers tag schema owns. */
export function digestTag(digest: string): string {
  return `digest-${digest.replace(/^sha256:/, '')}`;
}

/** Tags of a promoted image at the destination, in the order they are pushed. */
export function destinationTags(rule: PromotionRule, tag: string, digest: string): string[] {
  const tags: string[] = [];
  if (rule.tags.digest) tags.push(digestTag(digest));
  const suffixed = `${tag.slice(0, 120)}-scanned`;
  if (rule.tags.scannedSuffix) tags.push(suffixed);
  if (rule.tags.same) tags.push(tag);
  return [...new Set(tags)];
}

/** Rules of one account a push falls under, in a stable order. */
export function matchingRules<R extends PromotionRule>(rules: readonly R[], push: PushedImage): R[] {
  return rules.filter((rule) => matchesRule(rule, push)).sort((x, y) => x.id.localeCompare(y.id));
}
