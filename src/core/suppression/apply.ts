/**
 * One entry point for the scan command: VEX documents, then ignore rules, then changelog
 * evidence. Each finding keeps the first suppression that applies; nothing is removed, so
 * reports can show suppressed findings with their reason. The report tells which statements
 * and rules applied, expired or matched nothing.
 */
import type { Finding } from '../matching/types.js';
import type { SbomDocument } from '../sbom/document.js';
import { applyChangelogEvidence, type ChangelogReader } from './changelog-evidence.js';
import type { IgnoreRules } from './ignore-file.js';
import { expiryInstant, RuleMatcher } from './ignore-match.js';
import type { RuleOutcome, SuppressionReport, SuppressionResult, VexDocument } from './types.js';
import { applyVex } from './vex.js';

export interface SuppressionOptions {
  vex?: readonly VexDocument[];
  ignore?: IgnoreRules;
  /** Reads `/usr/share/doc/<pkg>/changelog.Debian.gz` from the image; needs `doc`. */
  changelog?: { doc: SbomDocument; read: ChangelogReader };
  /** Decides rule expiry; passed in so results are reproducible. */
  now: Date;
}

function applyIgnore(
  findings: readonly Finding[],
  ignore: IgnoreRules,
  now: Date,
): { findings: Finding[]; rules: RuleOutcome[] } {
  const live: RuleMatcher[] = [];
  const rules: RuleOutcome[] = ignore.rules.map((r) => {
    const expired = r.expires !== undefined && now.getTime() >= expiryInstant(r.expires);
    if (!expired) live.push(new RuleMatcher(r));
    return {
      index: r.index,
      ...(r.vulnerability ? { vulnerability: r.vulnerability } : {}),
      status: expired ? 'expired' : 'unmatched',
      matched: 0,
      ...(r.expires ? { expires: r.expires } : {}),
    };
  });
  const out = findings.map((finding) => {
    let first: RuleMatcher | undefined;
    for (const m of live) {
      if (!m.matches(finding)) continue;
      const outcome = rules[m.rule.index] as RuleOutcome;
      outcome.matched++;
      outcome.status = 'applied';
      first ??= m;
    }
    if (!first || finding.suppressed) return finding;
    const r = first.rule;
    const until = r.expires ? `, until ${r.expires}` : '';
    return {
      ...finding,
      suppressed: {
        by: 'ignore-rule' as const,
        reason: `${r.reason} (${ignore.source} ignore[${r.index}]${until})`,
      },
    };
  });
  return { findings: out, rules };
}

export async function applySuppressions(
  findings: readonly Finding[],
  options: SuppressionOptions,
): Promise<SuppressionResult> {
  const report: SuppressionReport = { statements: [], rules: [], annotations: [] };
  let current: Finding[] = [...findings];
  if (options.vex?.length) {
    const vex = applyVex(current, options.vex);
    current = vex.findings;
    report.statements = vex.statements;
    report.annotations = vex.annotations;
  }
  if (options.ignore) {
    const ignored = applyIgnore(current, options.ignore, options.now);
    current = ignored.findings;
    report.rules = ignored.rules;
  }
  if (options.changelog) {
    const evidence = await applyChangelogEvidence(current, options.changelog.doc, options.changelog.read);
    current = evidence.findings;
    report.changelog = evidence.outcome;
  }
  return { findings: current, report };
}
