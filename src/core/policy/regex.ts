/**
 * User-supplied regexes (bundle parameters, scanner rules) run on RE2's linear-time engine
 * (re2js, pure JavaScript), never on V8's backtracking engine: a pattern such as `(a+)+$`
 * cannot hang the evaluator. Pattern length, compiled program size and subject length are
 * bounded so that the worst case (program size × subject length) stays small.
 * See docs/adr/0004-policy-regex-safety.md.
 */
import { RE2JS } from 're2js';

export const REGEX_LIMITS = Object.freeze({
  /** Longest pattern accepted, in characters. */
  maxPatternLength: 1024,
  /** Largest compiled program (RE2 instructions); `(x){1000}`-style expansions exceed it. */
  maxProgramSize: 2000,
  /** Subjects longer than this are cut before matching (bytes of file content, path length). */
  maxSubjectLength: 1024 * 1024,
});

export interface SafeRegex {
  readonly source: string;
  /** True when the pattern matches somewhere in the subject (Python's re.search). */
  search(subject: string): boolean;
  /** True when the pattern matches at the start of the subject (Python's re.match). */
  matchStart(subject: string): boolean;
}

export type RegexCompileResult = { ok: true; regex: SafeRegex } | { ok: false; reason: string };

interface ProgramView {
  prog?: { numInst?: () => number };
}

function programSize(compiled: RE2JS): number {
  // re2js does not type its compiled program; read the instruction count defensively.
  const view = compiled.re2() as unknown as ProgramView;
  return view.prog?.numInst?.() ?? 0;
}

function clip(subject: string): string {
  return subject.length > REGEX_LIMITS.maxSubjectLength
    ? subject.slice(0, REGEX_LIMITS.maxSubjectLength)
    : subject;
}

/**
 * Anchore's bundles were written for Python's re, where `$` also matches before a final newline
 * and `\\Z` is the end of text; RE2's `$` is only the end of text. Rewrites those two outside
 * character classes (unless the pattern turns on multi-line mode itself).
 */
export function fromPythonSyntax(pattern: string): string {
  if (/\(\?[a-zA-Z]*m/.test(pattern)) return pattern;
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\') {
      const next = pattern[i + 1] ?? '';
      out += !inClass && next === 'Z' ? '\\z' : `\\${next}`;
      i++;
    } else if (ch === '[' && !inClass) {
      inClass = true;
      out += ch;
      // A `]` right after `[` or `[^` is a literal member, not the end of the class.
      if (pattern[i + 1] === '^') out += pattern[++i];
      if (pattern[i + 1] === ']') out += pattern[++i];
    } else if (ch === ']' && inClass) {
      inClass = false;
      out += ch;
    } else if (ch === '$' && !inClass) {
      out += '(?:\\n?\\z)';
    } else {
      out += ch;
    }
  }
  return out;
}

/** Compiles a user regex under the limits; never throws. */
export function compileUserRegex(pattern: string): RegexCompileResult {
  if (pattern.length > REGEX_LIMITS.maxPatternLength) {
    return {
      ok: false,
      reason: `regex is ${pattern.length} characters long (limit ${REGEX_LIMITS.maxPatternLength})`,
    };
  }
  let unanchored: RE2JS;
  let anchored: RE2JS;
  try {
    const translated = fromPythonSyntax(pattern);
    unanchored = RE2JS.compile(translated);
    anchored = RE2JS.compile(`^(?:${translated})`);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, reason: `regex does not compile (RE2 syntax): ${message}` };
  }
  const size = programSize(unanchored);
  if (size > REGEX_LIMITS.maxProgramSize) {
    return {
      ok: false,
      reason: `regex expands to ${size} instructions (limit ${REGEX_LIMITS.maxProgramSize}); reduce counted repetitions`,
    };
  }
  return {
    ok: true,
    regex: {
      source: pattern,
      search: (subject) => unanchored.test(clip(subject)),
      matchStart: (subject) => anchored.test(clip(subject)),
    },
  };
}

/**
 * Anchore compiled regexes only when a trigger ran, so published bundles carry glob habits such
 * as `*\.pem` (rejected by Python's re and by RE2 alike). A lone leading `*` is read as `.*`,
 * which is what the author meant; the validator reports it as a warning.
 */
export function repairLeadingGlob(pattern: string): string | undefined {
  if (/^\*[^*+?{]/.test(pattern) || pattern === '*') return `.${pattern}`;
  return undefined;
}

const cache = new Map<string, SafeRegex | null>();

/**
 * Compiled regex for a pattern that validation already accepted (glob repair applied), cached
 * because the same rule runs against many files. Undefined when the pattern is not usable.
 */
export function usableRegex(pattern: string): SafeRegex | undefined {
  let hit = cache.get(pattern);
  if (hit === undefined) {
    const direct = compileUserRegex(pattern);
    const repaired = direct.ok ? undefined : repairLeadingGlob(pattern);
    const second = repaired === undefined ? undefined : compileUserRegex(repaired);
    hit = direct.ok ? direct.regex : second?.ok ? second.regex : null;
    if (cache.size > 1000) cache.clear();
    cache.set(pattern, hit);
  }
  return hit ?? undefined;
}
