/**
 * Archive rules as Anchore defined them, and the pure choice of what they transition
 * (ADR 0025). A selector rule matches an image's tag when the tag matches the selector (`*`
 * globs), the analysis is strictly older than `analysisAgeDays` days, the tag has pointed at no fewer than
 * `tagVersionsNewer` newer images, and no unexpired exclusion covers it; an image moves when
 * every one of its tags is matched. `archive` rules act on the working set, `delete` rules on
 * the archive. A `maxImagesPerAccount` rule (system_global only) moves the oldest analysed
 * images of an account beyond that count.
 */
import type { ArchiveRule, RuleSelector } from '../store/repositories/archive-rules.js';

const DAY_MS = 86_400_000;

export interface RuleCandidate {
  imageDigest: string;
  analyzedAt: Date | null;
  tags: readonly { registry: string; repo: string; tag: string; tagDetectedAt: Date }[];
}

export interface RuleDecision {
  imageDigest: string;
  ruleId: string;
  transition: 'archive' | 'delete';
  /** Where the image is now: the working set or the archive. */
  from: 'working' | 'archive';
}

const globCache = new Map<string, RegExp>();
function glob(pattern: string): RegExp {
  let re = globCache.get(pattern);
  if (!re) {
    re = new RegExp(
      `^${pattern
        .split('*')
        .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    );
    if (globCache.size > 1000) globCache.clear();
    globCache.set(pattern, re);
  }
  return re;
}

export function selectorMatches(
  selector: RuleSelector,
  tag: { registry: string; repo: string; tag: string },
): boolean {
  return (
    glob(selector.registry).test(tag.registry) &&
    glob(selector.repository).test(tag.repo) &&
    glob(selector.tag).test(tag.tag)
  );
}

const ageDays = (c: RuleCandidate, now: Date) =>
  c.analyzedAt === null ? 0 : (now.getTime() - c.analyzedAt.getTime()) / DAY_MS;

function excluded(
  rule: ArchiveRule,
  c: RuleCandidate,
  tag: RuleCandidate['tags'][number],
  now: Date,
): boolean {
  if (!rule.exclude || !selectorMatches(rule.exclude.selector, tag)) return false;
  return rule.exclude.expirationDays < 0 || ageDays(c, now) < rule.exclude.expirationDays;
}

const tagKey = (t: { registry: string; repo: string; tag: string }) => `${t.registry}/${t.repo}:${t.tag}`;

/** For each tag, the detection times of every image it named (working set and archive). */
function tagHistory(all: readonly RuleCandidate[]): Map<string, number[]> {
  const history = new Map<string, number[]>();
  for (const c of all) {
    for (const t of c.tags) {
      const times = history.get(tagKey(t)) ?? [];
      times.push(t.tagDetectedAt.getTime());
      history.set(tagKey(t), times);
    }
  }
  return history;
}

function tagMatched(
  rule: ArchiveRule,
  c: RuleCandidate,
  t: RuleCandidate['tags'][number],
  history: Map<string, number[]>,
  now: Date,
): boolean {
  if (!selectorMatches(rule.selector, t) || excluded(rule, c, t, now)) return false;
  if (ageDays(c, now) <= rule.analysisAgeDays) return false; // strictly older, as Anchore
  const newer = (history.get(tagKey(t)) ?? []).filter((d) => d > t.tagDetectedAt.getTime()).length;
  return newer >= rule.tagVersionsNewer;
}

function bySelector(
  rules: readonly ArchiveRule[],
  candidates: readonly RuleCandidate[],
  history: Map<string, number[]>,
  now: Date,
  from: 'working' | 'archive',
): RuleDecision[] {
  const decisions: RuleDecision[] = [];
  for (const c of candidates) {
    if (c.tags.length === 0) continue;
    const matched = c.tags.map((t) => rules.find((r) => tagMatched(r, c, t, history, now)));
    const first = matched[0];
    if (first && matched.every((r) => r !== undefined)) {
      decisions.push({
        imageDigest: c.imageDigest,
        ruleId: first.ruleId,
        transition: first.transition,
        from,
      });
    }
  }
  return decisions;
}

function byCount(rule: ArchiveRule, working: readonly RuleCandidate[], now: Date): RuleDecision[] {
  const limit = rule.maxImagesPerAccount ?? Infinity;
  if (working.length <= limit) return [];
  const oldestFirst = [...working].sort(
    (a, b) =>
      (a.analyzedAt?.getTime() ?? 0) - (b.analyzedAt?.getTime() ?? 0) ||
      a.imageDigest.localeCompare(b.imageDigest),
  );
  const movable = oldestFirst.filter((c) => !c.tags.some((t) => excluded(rule, c, t, now)));
  return movable.slice(0, working.length - limit).map((c) => ({
    imageDigest: c.imageDigest,
    ruleId: rule.ruleId,
    transition: rule.transition,
    from: 'working' as const,
  }));
}

/**
 * What the account's rules move now: at most one decision per image, count rules first (a
 * retention limit wins), then archive rules over the working set, then delete rules over the
 * archive.
 */
export function decideTransitions(
  rules: readonly ArchiveRule[],
  working: readonly RuleCandidate[],
  archived: readonly RuleCandidate[],
  now: Date,
): RuleDecision[] {
  const history = tagHistory([...working, ...archived]);
  const decided = new Set<string>();
  const out: RuleDecision[] = [];
  const take = (ds: readonly RuleDecision[]) => {
    for (const d of ds) {
      const key = `${d.from}\u0000${d.imageDigest}`;
      if (decided.has(key)) continue;
      decided.add(key);
      out.push(d);
    }
  };
  for (const rule of rules.filter((r) => r.maxImagesPerAccount !== null)) take(byCount(rule, working, now));
  const selectorRules = rules.filter((r) => r.maxImagesPerAccount === null);
  const remaining = working.filter((c) => !decided.has(`working\u0000${c.imageDigest}`));
  take(
    bySelector(
      selectorRules.filter((r) => r.transition === 'archive'),
      remaining,
      history,
      now,
      'working',
    ),
  );
  take(
    bySelector(
      selectorRules.filter((r) => r.transition === 'delete'),
      archived,
      history,
      now,
      'archive',
    ),
  );
  return out;
}
