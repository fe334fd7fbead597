import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { compileUserRegex, REGEX_LIMITS, usableRegex } from './regex.js';
import { fire, makeFile, makeInput } from './test-support.js';

const EVIL = '(a+)+$';
const SUBJECT = `${'a'.repeat(40)}!`;

describe('user regexes cannot hang the evaluator', () => {
  it('a catastrophic-backtracking pattern returns (no match) instead of hanging', () => {
    const compiled = compileUserRegex(EVIL);
    expect(compiled.ok).toBe(true);
    if (compiled.ok) {
      expect(compiled.regex.search(SUBJECT)).toBe(false);
      expect(compiled.regex.matchStart(SUBJECT)).toBe(false);
      expect(compiled.regex.search('a'.repeat(40))).toBe(true);
    }
  });

  it('through the gates: files/name_match and retrieved_files/content_regex', () => {
    const input = makeInput({
      files: [makeFile(`/${SUBJECT}`)],
      contents: { '/etc/app.conf': SUBJECT.repeat(1000) },
    });
    expect(fire({ gate: 'files', trigger: 'name_match', params: { regex: `/${EVIL}` } }, input)).toEqual([]);
    expect(
      fire(
        {
          gate: 'retrieved_files',
          trigger: 'content_regex',
          params: { path: '/etc/app.conf', regex: EVIL, check: 'match' },
        },
        input,
      ),
    ).toEqual([]);
    expect(
      fire(
        {
          gate: 'dockerfile',
          trigger: 'instruction',
          params: { instruction: 'RUN', check: 'like', value: EVIL },
        },
        makeInput({ dockerfile: { text: `RUN ${SUBJECT}`, source: 'supplied' } }),
      ),
    ).toEqual([]);
  });

  it('bounds pattern length and compiled size', () => {
    expect(compileUserRegex('a'.repeat(REGEX_LIMITS.maxPatternLength + 1))).toEqual({
      ok: false,
      reason: 'regex is 1025 characters long (limit 1024)',
    });
    const huge = compileUserRegex('(.*){1000}');
    expect(huge.ok).toBe(false);
    if (!huge.ok) expect(huge.reason).toMatch(/^regex expands to \d+ instructions \(limit 2000\)/);
    expect(compileUserRegex('(x{20}){20}').ok).toBe(true);
  });

  it('rejects syntax RE2 cannot run in linear time (backreferences, lookahead)', () => {
    expect(compileUserRegex('(a)\\1').ok).toBe(false);
    expect(compileUserRegex('(?=a)a').ok).toBe(false);
  });

  it('usableRegex repairs a leading glob star and caches', () => {
    expect(usableRegex('*\\.pem')?.matchStart('/etc/x.pem')).toBe(true);
    expect(usableRegex('*\\.pem')).toBe(usableRegex('*\\.pem'));
    expect(usableRegex('(')).toBeUndefined();
  });
});

describe("search and matchStart agree with Python's re.search and re.match", () => {
  const cases: [string, string][] = [
    ['.*\\.pem', '/etc/ssl/a.pem'],
    ['\\.pem', '/etc/ssl/a.pem'],
    ['^/etc', '/etc/passwd'],
    ['(\\s*/bin/sh\\s*-c\\s*)*\\s*apt(-get)*.*up(date|grade)\\s*$', '/bin/sh -c apt-get update'],
    ['(\\s*/bin/sh\\s*-c\\s*)*\\s*apk.*up(date|grade)\\s*$', 'apk add curl'],
    ['.*SSLEnabled.*', 'Listen 80\nSSLEnabled off\n'],
    ['[0-9]+$', 'port 8080\n'],
    ['(?i)password', 'DB_PASSWORD=x'],
    ['a|b', 'cab'],
    ['x*', ''],
    ['a$', 'a\n'],
    ['a$', 'a\n\n'],
    ['a\\Z', 'a\n'],
    ['[$]', 'cost $5'],
    ['x$', 'x\ny'],
    ['(?m)x$', 'x\ny'],
    ['[^]a]$', 'b\n'],
  ];
  // Ground truth: CPython's re module, which Anchore's gates used.
  const python = JSON.parse(
    execFileSync(
      'python3',
      [
        '-c',
        'import json,re,sys\nc=json.load(sys.stdin)\nprint(json.dumps([[bool(re.search(p,s)),bool(re.match(p,s))] for p,s in c]))',
      ],
      {
        input: JSON.stringify(cases),
      },
    ).toString(),
  ) as [boolean, boolean][];

  it.each(cases.map((c, i) => [...c, i] as const))('%j on %j', (pattern, subject, i) => {
    const compiled = compileUserRegex(pattern);
    expect(compiled.ok).toBe(true);
    if (compiled.ok)
      expect([compiled.regex.search(subject), compiled.regex.matchStart(subject)]).toEqual(python[i]);
  });
});
