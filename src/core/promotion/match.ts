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

type GlobToken = { kind: 'any' } | { kind: 'segment' } | { kind: 'one' } | { kind: 'char'; char: string };

/** `**` spans path components, `*` stays within one, `?` is one character (never `/`). */
function globTokens(glob: string): GlobToken[] {
  const tokens: GlobToken[] = [];
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*' && glob[i + 1] === '*') {
      tokens.push({ kind: 'any' });
      i++;
    } else if (c === '*') tokens.push({ kind: 'segment' });
    else if (c === '?') tokens.push({ kind: 'one' });
    else tokens.push({ kind: 'char', char: c });
  }
  return tokens;
}

const isStar = (token: GlobToken | undefined) => token?.kind === 'any' || token?.kind === 'segment';

/**
 * Whether `text` matches `glob`, in O(glob × text) steps whatever the glob. Globs come from
 * any account's rules and run on every push, so no backtracking regular expression: one like
 * `*a*a*a*a*a*a*a*b` against a long tag takes minutes in a backtracking engine (ADR 0004).
 */
export function globMatches(glob: string, text: string): boolean {
  const pattern = globTokens(glob);
  // alive[j]: the first j tokens match the text read so far; a star may also match nothing.
  const closeStars = (alive: boolean[]) => {
    for (let j = 0; j < pattern.length; j++) if (alive[j] && isStar(pattern[j])) alive[j + 1] = true;
  };
  let alive = Array.from({ length: pattern.length + 1 }, (_, j) => j === 0);
  closeStars(alive);
  for (const c of text) {
    const next = Array.from({ length: pattern.length + 1 }, () => false);
    pattern.forEach((token, j) => {
      if (!alive[j]) return;
      if (token.kind === 'any' || (token.kind === 'segment' && c !== '/')) next[j] = true;
      else if ((token.kind === 'one' && c !== '/') || (token.kind === 'char' && token.char === c))
        next[j + 1] = true;
    });
    closeStars(next);
    alive = next;
  }
  return alive[pattern.length] === true;
}

export function matchesRule(rule: PromotionRule, push: PushedImage): boolean {
  if (!rule.enabled || push.tag === undefined) return false;
  if (rule.source.registry !== push.registry.toLowerCase()) return false;
  if (!globMatches(rule.source.repository, push.repository)) return false;
  return globMatches(rule.source.tag, push.tag);
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
