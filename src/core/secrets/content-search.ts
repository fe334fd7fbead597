/**
 * Anchore's `content_search` analyzer: user-named regexes (`NAME=regex`) run over file
 * contents, reporting which file and line matched which name (for the files gate's
 * `content_regex_match`). The regexes are the user's, so they run on RE2's linear-time engine
 * (re2js), line by line with bounded line length: a pathological pattern cannot stall a scan.
 */
import { RE2JS } from 're2js';
import { PortcullisError } from '../errors.js';
import { looksBinary } from './scan.js';

export interface ContentSearchRule {
  name: string;
  pattern: string;
  regex: RE2JS;
}

export interface ContentMatchRecord {
  path: string;
  rule: string;
  line: number;
  layerDiffId?: string;
}

export const CONTENT_SEARCH_LIMITS = Object.freeze({
  maxPatternLength: 1024,
  /** Lines longer than this are searched only in their first part (minified bundles). */
  maxLineLength: 8192,
  /** Files larger than this are not searched (Anchore's MAXFILESIZE, raised to 1 MiB). */
  maxFileBytes: 1024 * 1024,
  /** Matches reported per rule and file. */
  maxMatchesPerRule: 20,
});

/** Parses `NAME=regex` as Anchore's analyzer config wrote it; `(?i)` etc. are RE2 syntax too. */
export function parseContentSearchRule(spec: string): ContentSearchRule {
  const eq = spec.indexOf('=');
  const name = eq > 0 ? spec.slice(0, eq).trim() : '';
  const pattern = eq > 0 ? spec.slice(eq + 1) : '';
  if (!/^[A-Za-z0-9_.-]+$/.test(name) || pattern === '') {
    throw new PortcullisError(
      'INVALID_ARGUMENT',
      `content search rule "${spec}" is not NAME=regex (NAME of letters, digits, _ . -)`,
    );
  }
  if (pattern.length > CONTENT_SEARCH_LIMITS.maxPatternLength) {
    throw new PortcullisError(
      'INVALID_ARGUMENT',
      `content search rule ${name}: pattern longer than ${CONTENT_SEARCH_LIMITS.maxPatternLength} characters`,
    );
  }
  try {
    return { name, pattern, regex: RE2JS.compile(pattern) };
  } catch (err) {
    throw new PortcullisError(
      'INVALID_ARGUMENT',
      `content search rule ${name}: invalid regex: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}

export function searchContent(
  path: string,
  content: Buffer,
  rules: readonly ContentSearchRule[],
): ContentMatchRecord[] {
  if (rules.length === 0 || content.length > CONTENT_SEARCH_LIMITS.maxFileBytes || looksBinary(content))
    return [];
  const lines = content.toString('utf8').split('\n');
  const out: ContentMatchRecord[] = [];
  for (const rule of rules) {
    let count = 0;
    for (let i = 0; i < lines.length && count < CONTENT_SEARCH_LIMITS.maxMatchesPerRule; i++) {
      const line = (lines[i] as string).slice(0, CONTENT_SEARCH_LIMITS.maxLineLength);
      if (rule.regex.matcher(line).find()) {
        out.push({ path, rule: rule.name, line: i + 1 });
        count++;
      }
    }
  }
  return out;
}
