/**
 * Loads secret rules from a gitleaks TOML configuration (the format of gitleaks'
 * `config/gitleaks.toml`): `[[rules]]` with id, description, regex, secretGroup, entropy,
 * keywords, path, and per-rule `[[rules.allowlists]]`, plus the global `[allowlist]`.
 * Rules we cannot translate are skipped and reported, never fatal.
 */
import { parse as parseToml } from 'smol-toml';
import { z } from 'zod';
import { PortcullisError } from '../errors.js';
import { compileGoRegex } from './go-regex.js';
import type { RuleLoadReport, SecretRule } from './rules.js';

const allowlistSchema = z.looseObject({
  description: z.string().optional(),
  condition: z.enum(['OR', 'AND']).optional(),
  regexTarget: z.enum(['secret', 'match', 'line']).optional(),
  regexes: z.array(z.string()).optional(),
  paths: z.array(z.string()).optional(),
  stopwords: z.array(z.string()).optional(),
});

const ruleSchema = z.looseObject({
  id: z.string().min(1),
  description: z.string().optional(),
  regex: z.string().optional(),
  path: z.string().optional(),
  secretGroup: z.number().int().nonnegative().optional(),
  entropy: z.number().nonnegative().optional(),
  keywords: z.array(z.string()).optional(),
  allowlists: z.array(allowlistSchema).optional(),
  allowlist: allowlistSchema.optional(),
});

const configSchema = z.looseObject({
  title: z.string().optional(),
  allowlist: allowlistSchema.optional(),
  allowlists: z.array(allowlistSchema).optional(),
  rules: z.array(ruleSchema).default([]),
});

export interface GitleaksRules {
  rules: SecretRule[];
  /** Global path allowlist: files never scanned by these rules. */
  globalAllowPaths: RegExp[];
  report: RuleLoadReport;
}

/** Only secret-targeted regex allowlists and stopwords carry over; the rest is reported. */
function allowRegexesOf(lists: z.infer<typeof allowlistSchema>[]): RegExp[] {
  const out: RegExp[] = [];
  for (const list of lists) {
    if (list.condition === 'AND' || (list.regexTarget && list.regexTarget !== 'secret')) continue;
    for (const r of list.regexes ?? []) out.push(compileGoRegex(r));
    for (const word of list.stopwords ?? [])
      out.push(new RegExp(word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i'));
  }
  return out;
}

export function loadGitleaksRules(toml: string, origin: string): GitleaksRules {
  let raw: unknown;
  try {
    raw = parseToml(toml);
  } catch (err) {
    throw new PortcullisError('CONFIG_INVALID', `${origin}: not valid TOML: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PortcullisError('CONFIG_INVALID', `${origin}: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  const report: RuleLoadReport = { loaded: 0, skipped: [] };
  const globalLists = [
    ...(parsed.data.allowlist ? [parsed.data.allowlist] : []),
    ...(parsed.data.allowlists ?? []),
  ];
  const globalAllowPaths: RegExp[] = [];
  for (const list of globalLists) {
    for (const p of list.paths ?? []) {
      try {
        globalAllowPaths.push(compileGoRegex(p));
      } catch (err) {
        report.skipped.push({ id: '(global allowlist path)', reason: (err as Error).message });
      }
    }
  }
  const globalAllowRegexes = (() => {
    try {
      return allowRegexesOf(globalLists);
    } catch {
      return [];
    }
  })();

  const rules: SecretRule[] = [];
  for (const r of parsed.data.rules) {
    if (!r.regex) {
      report.skipped.push({
        id: r.id,
        reason: 'path-only rules (no regex) report files, not secrets; not supported',
      });
      continue;
    }
    try {
      const lists = [...(r.allowlists ?? []), ...(r.allowlist ? [r.allowlist] : [])];
      rules.push({
        id: r.id,
        description: r.description ?? r.id,
        regex: compileGoRegex(r.regex, 'g'),
        secretGroup: r.secretGroup ?? 0,
        keywords: (r.keywords ?? []).map((k) => k.toLowerCase()),
        entropy: r.entropy ?? 0,
        allowRegexes: [...globalAllowRegexes, ...allowRegexesOf(lists)],
        allowPaths: lists.flatMap((l) =>
          l.condition === 'AND' ? [] : (l.paths ?? []).map((p) => compileGoRegex(p)),
        ),
        ...(r.path ? { path: compileGoRegex(r.path) } : {}),
        origin,
      });
      report.loaded++;
    } catch (err) {
      report.skipped.push({
        id: r.id,
        reason: `regex not translatable to JavaScript: ${(err as Error).message}`,
      });
    }
  }
  return { rules, globalAllowPaths, report };
}
