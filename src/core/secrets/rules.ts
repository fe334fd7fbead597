/** A named secret-detection rule, compiled and ready to run. */
export interface SecretRule {
  id: string;
  description: string;
  regex: RegExp;
  /** Capture group holding the secret itself (what gets redacted); 0 = the whole match. */
  secretGroup: number;
  /** Lower-case substrings one of which must occur in the file for the rule to run (cheap prefilter). */
  keywords: readonly string[];
  /** Minimum Shannon entropy (bits per char) of the secret; 0 = no check. */
  entropy: number;
  /** Matches whose secret matches one of these are ignored (placeholders, examples). */
  allowRegexes: readonly RegExp[];
  /** Files whose path matches one of these are not scanned by this rule. */
  allowPaths: readonly RegExp[];
  /** Restricts the rule to files whose path matches. */
  path?: RegExp;
  /** Where the rule came from: 'portcullis', 'gitleaks:<file>', 'content-search'. */
  origin: string;
}

export interface RuleLoadReport {
  loaded: number;
  skipped: { id: string; reason: string }[];
}

/** Shannon entropy in bits per character. */
export function shannonEntropy(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    h -= p * Math.log2(p);
  }
  return h;
}
