/**
 * Wildcard matching for mappings, image allow/deny lists and whitelist items: `*` matches any
 * run of characters, everything else is literal, and the whole value must match (as Anchore).
 */
import { parseReference } from '../image/reference/parse.js';
import type { ImageRule } from './bundle.js';

/**
 * Classic two-pointer glob match: on a mismatch, retry from the last `*` one character further.
 * At most O(pattern × value) steps, so a user pattern like `*a*a*a*` cannot blow up.
 */
export function wildcardMatch(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*')) return pattern === value;
  let p = 0;
  let v = 0;
  let star = -1;
  let resume = 0;
  while (v < value.length) {
    if (p < pattern.length && pattern[p] !== '*' && pattern[p] === value[v]) {
      p++;
      v++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = v;
    } else if (star !== -1) {
      p = star + 1;
      v = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

/** The identity of the image being evaluated, as mappings see it. */
export interface ImageIdentity {
  registry?: string;
  repository?: string;
  tag?: string;
  digest: string;
  id?: string;
}

/** `registry/repo:tag` → parts, normalized the Docker way (nginx → docker.io/library/nginx). */
export function identityFromTag(fullTag: string, digest: string, id?: string): ImageIdentity {
  const ref = parseReference(fullTag);
  return {
    registry: ref.registry,
    repository: ref.repository,
    ...(ref.tag ? { tag: ref.tag } : {}),
    digest,
    ...(id ? { id } : {}),
  };
}

/** Docker Hub official images are written both `library/alpine` and `alpine` in bundles. */
function repositoryForms(identity: ImageIdentity): string[] {
  const repo = identity.repository;
  if (repo === undefined) return [];
  if (identity.registry === 'docker.io' && repo.startsWith('library/'))
    return [repo, repo.slice('library/'.length)];
  return [repo];
}

export function imageRuleMatches(rule: ImageRule, identity: ImageIdentity): boolean {
  const registryOk =
    identity.registry === undefined ? rule.registry === '*' : wildcardMatch(rule.registry, identity.registry);
  if (!registryOk) return false;
  const repos = repositoryForms(identity);
  const repoOk =
    repos.length === 0 ? rule.repository === '*' : repos.some((r) => wildcardMatch(rule.repository, r));
  if (!repoOk) return false;
  const { type, value } = rule.image;
  if (type === 'digest') return identity.digest === value;
  if (type === 'id')
    return identity.id !== undefined && (identity.id === value || identity.id === `sha256:${value}`);
  return identity.tag === undefined ? value === '*' : wildcardMatch(value, identity.tag);
}
