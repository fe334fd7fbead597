/**
 * Runs secret rules over file contents. Reports file, line, rule and a redacted line: the
 * secret's characters are replaced, so no output ever carries the secret itself.
 */
import type { SecretFinding } from '../sbom/document.js';
import { KeywordAutomaton } from './keyword-automaton.js';
import { shannonEntropy, type SecretRule } from './rules.js';

export interface SecretScanOptions {
  /** Files larger than this are skipped (recorded by the caller). Bounds regex work per file. */
  maxFileBytes: number;
  /** Stop after this many findings per rule and file (a minified bundle can match thousands). */
  maxFindingsPerRule: number;
  /** Paths never scanned (e.g. gitleaks' global allowlist). */
  allowPaths: readonly RegExp[];
}

export const DEFAULT_SECRET_SCAN_OPTIONS: SecretScanOptions = Object.freeze({
  maxFileBytes: 2 * 1024 * 1024,
  maxFindingsPerRule: 20,
  allowPaths: [],
});

export type SkipReason = 'binary' | 'too-large' | 'allowlisted';

/** Binary = a NUL byte in the first 8 KiB, the heuristic git and grep use. */
export function looksBinary(content: Buffer): boolean {
  return content.subarray(0, 8192).includes(0);
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function lineIndexOf(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] as number) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

const MAX_SNIPPET = 160;

function redactedLine(
  text: string,
  starts: readonly number[],
  line: number,
  secretStart: number,
  secret: string,
): string {
  const begin = starts[line] as number;
  const nextStart = starts[line + 1];
  const end = nextStart === undefined ? text.length : nextStart - 1;
  // Multi-line secrets (PEM bodies) are cut at the end of their first line.
  const secretEnd = Math.min(secretStart + secret.length, end);
  const masked =
    text.slice(begin, secretStart) +
    '*'.repeat(Math.max(secretEnd - secretStart, 1)) +
    text.slice(secretEnd, end);
  const offset = Math.max(0, secretStart - begin - MAX_SNIPPET / 2);
  return masked
    .slice(offset, offset + MAX_SNIPPET)
    .replace(/\r$/, '')
    .trim();
}

interface CompiledRuleSet {
  automaton: KeywordAutomaton;
  /** Per rule, the automaton's indexes of its keywords (empty: the rule always runs). */
  keywordIndexes: readonly (readonly number[])[];
}

/** Rule sets are long-lived arrays (defaults, a loaded gitleaks file): compiled once each. */
const compiled = new WeakMap<readonly SecretRule[], CompiledRuleSet>();

function compile(rules: readonly SecretRule[]): CompiledRuleSet {
  let set = compiled.get(rules);
  if (!set) {
    const keywords = [...new Set(rules.flatMap((r) => r.keywords))];
    const index = new Map(keywords.map((k, i) => [k, i]));
    set = {
      automaton: new KeywordAutomaton(keywords),
      keywordIndexes: rules.map((r) => r.keywords.map((k) => index.get(k) as number)),
    };
    compiled.set(rules, set);
  }
  return set;
}

/** The rules worth running on `content`: those without keywords, or with one that occurs. */
function applicableRules(content: Buffer, rules: readonly SecretRule[]): SecretRule[] {
  const { automaton, keywordIndexes } = compile(rules);
  const found = automaton.find(content);
  return rules.filter((_, i) => {
    const indexes = keywordIndexes[i] as readonly number[];
    return indexes.length === 0 || indexes.some((k) => found.has(k));
  });
}

export function scanContent(
  path: string,
  content: Buffer,
  rules: readonly SecretRule[],
  options: SecretScanOptions = DEFAULT_SECRET_SCAN_OPTIONS,
): { findings: SecretFinding[]; skipped?: SkipReason } {
  if (options.allowPaths.some((r) => r.test(path))) return { findings: [], skipped: 'allowlisted' };
  if (content.length > options.maxFileBytes) return { findings: [], skipped: 'too-large' };
  if (looksBinary(content)) return { findings: [], skipped: 'binary' };
  const candidates = applicableRules(content, rules);
  if (candidates.length === 0) return { findings: [] };
  const text = content.toString('utf8');
  let starts: number[] | undefined;
  const findings: SecretFinding[] = [];
  const seen = new Set<string>();
  for (const rule of candidates) {
    if (rule.path && !rule.path.test(path)) continue;
    if (rule.allowPaths.some((r) => r.test(path))) continue;
    const regex = rule.regex.global ? rule.regex : new RegExp(rule.regex.source, rule.regex.flags + 'g');
    regex.lastIndex = 0;
    let count = 0;
    for (const match of text.matchAll(regex)) {
      const secret = match[rule.secretGroup] ?? match[0];
      if (!secret) continue;
      if (rule.entropy > 0 && shannonEntropy(secret) < rule.entropy) continue;
      if (rule.allowRegexes.some((r) => r.test(secret))) continue;
      const secretStart = (match.index ?? 0) + Math.max(0, match[0].indexOf(secret));
      starts ??= lineStarts(text);
      const line = lineIndexOf(starts, secretStart);
      const key = `${rule.id}:${line}`;
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push({
        path,
        line: line + 1,
        rule: rule.id,
        redacted: redactedLine(text, starts, line, secretStart, secret),
      });
      if (++count >= options.maxFindingsPerRule) break;
    }
  }
  return { findings };
}
