/**
 * Translates Go RE2 syntax (as used by gitleaks rules) into an equivalent JavaScript RegExp.
 * Node 20's V8 has no inline modifier groups, so `(?i)`, `(?i:…)`, `(?-i:…)` and `(?s:…)`
 * are rewritten structurally: case-insensitive parts get both cases spelled out
 * (`a` → `[aA]`, `[a-f]` → `[a-fA-F]`), dot-all parts get `[\s\S]` for `.`. Go-only escapes
 * (`\z`, `\A`, POSIX classes, `(?P<name>`) are mapped too. Anything else unsupported throws,
 * and the loader reports the rule as skipped.
 */

const POSIX_CLASSES: Record<string, string> = {
  alnum: 'A-Za-z0-9',
  alpha: 'A-Za-z',
  digit: '0-9',
  lower: 'a-z',
  upper: 'A-Z',
  space: '\\s',
  xdigit: '0-9A-Fa-f',
  word: '\\w',
  punct: '!-\\/:-@\\[-`{-~',
  print: ' -~',
  graph: '!-~',
  blank: ' \\t',
  cntrl: '\\x00-\\x1f\\x7f',
  ascii: '\\x00-\\x7f',
};

interface Flags {
  i: boolean;
  s: boolean;
}

function otherCase(ch: string): string | undefined {
  const lower = ch.toLowerCase();
  const upper = ch.toUpperCase();
  if (lower === upper) return undefined;
  return ch === lower ? upper : lower;
}

/** Reads a character class starting at `start` ('['), returns [translated, next index]. */
function translateClass(src: string, start: number, flags: Flags): [string, number] {
  let i = start + 1;
  let out = '';
  let negate = '';
  if (src[i] === '^') {
    negate = '^';
    i++;
  }
  const extra: string[] = [];
  let first = true;
  while (i < src.length) {
    const ch = src[i] as string;
    if (ch === ']' && !first) break;
    first = false;
    if (src.startsWith('[:', i)) {
      const end = src.indexOf(':]', i + 2);
      const name = end > 0 ? src.slice(i + 2, end) : '';
      const mapped = POSIX_CLASSES[name];
      if (!mapped) throw new Error(`unsupported POSIX class [:${name}:]`);
      out += mapped;
      i = end + 2;
      continue;
    }
    if (ch === '\\') {
      const next = src[i + 1] ?? '';
      if (next === 'x' && src[i + 2] === '{') {
        const end = src.indexOf('}', i);
        out += `\\u{${src.slice(i + 3, end)}}`;
        i = end + 1;
        continue;
      }
      out += ch + next;
      i += 2;
      continue;
    }
    if (ch === '[') {
      out += '\\[';
      i++;
      continue;
    }
    // A range a-z: add the other case's range when case-insensitive.
    if (src[i + 1] === '-' && src[i + 2] !== undefined && src[i + 2] !== ']' && src[i + 2] !== '\\') {
      const to = src[i + 2] as string;
      out += `${ch}-${to}`;
      if (flags.i) {
        const a = otherCase(ch);
        const b = otherCase(to);
        if (a && b && /[a-z]/i.test(ch) && /[a-z]/i.test(to)) extra.push(`${a}-${b}`);
      }
      i += 3;
      continue;
    }
    out += ch === '/' ? '\\/' : ch;
    if (flags.i) {
      const o = otherCase(ch);
      if (o) extra.push(o);
    }
    i++;
  }
  if (i >= src.length) throw new Error('unterminated character class');
  // Other-case additions go first: appended last they could turn a trailing `-` into a range.
  return [`[${negate}${extra.join('')}${out}]`, i + 1];
}

function parseGroupFlags(spec: string, flags: Flags): Flags {
  const next = { ...flags };
  let on = true;
  for (const f of spec) {
    if (f === '-') on = false;
    else if (f === 'i') next.i = on;
    else if (f === 's') next.s = on;
    else if (f === 'm' || f === 'U') throw new Error(`unsupported flag ${f}`);
  }
  return next;
}

export function translateGoRegex(src: string): string {
  let out = '';
  const stack: Flags[] = [];
  let flags: Flags = { i: false, s: false };
  let i = 0;
  while (i < src.length) {
    const ch = src[i] as string;
    if (ch === '\\') {
      const next = src[i + 1] ?? '';
      if (next === 'z') out += '$';
      else if (next === 'A') out += '^';
      else if (next === 'Q' || next === 'C') throw new Error(`unsupported escape \\${next}`);
      else if (next === 'x' && src[i + 2] === '{') {
        const end = src.indexOf('}', i);
        out += `\\u{${src.slice(i + 3, end)}}`;
        i = end + 1;
        continue;
      } else if (flags.i && /[a-zA-Z]/.test(next) && !/[dDwWsSbBnrtfvpPu0x]/.test(next))
        out += `[${next.toLowerCase()}${next.toUpperCase()}]`;
      else out += ch + next;
      i += 2;
      continue;
    }
    if (ch === '[') {
      const [cls, end] = translateClass(src, i, flags);
      out += cls;
      i = end;
      continue;
    }
    if (ch === '(') {
      const whole = /^\(\?([a-zA-Z-]+)\)/.exec(src.slice(i));
      if (whole) {
        // (?i) applies to the rest of the enclosing group.
        flags = parseGroupFlags(whole[1] as string, flags);
        i += whole[0].length;
        continue;
      }
      const scoped = /^\(\?([a-zA-Z-]+):/.exec(src.slice(i));
      stack.push(flags);
      if (scoped) {
        flags = parseGroupFlags(scoped[1] as string, flags);
        out += '(?:';
        i += scoped[0].length;
        continue;
      }
      if (src.startsWith('(?P<', i)) {
        out += '(?<';
        i += 4;
        continue;
      }
      out += '(';
      i++;
      continue;
    }
    if (ch === ')') {
      flags = stack.pop() ?? flags;
      out += ')';
      i++;
      continue;
    }
    if (ch === '.' && flags.s) {
      out += '[\\s\\S]';
      i++;
      continue;
    }
    if (ch === '/') {
      out += '\\/';
      i++;
      continue;
    }
    const o = flags.i && /[a-zA-Z]/.test(ch) ? otherCase(ch) : undefined;
    out += o ? `[${ch}${o}]` : ch;
    i++;
  }
  return out;
}

/**
 * Compiles a Go-syntax pattern into a JS RegExp. Unicode mode is tried first (needed for
 * `\u{…}`); patterns with Go identity escapes that unicode mode rejects (`\-`, `\_`) fall
 * back to legacy mode, which reads them the same way Go does.
 */
export function compileGoRegex(src: string, extraFlags = ''): RegExp {
  const translated = translateGoRegex(src);
  try {
    return new RegExp(translated, `u${extraFlags}`);
  } catch (err) {
    if (translated.includes('\\u{')) throw err;
    return new RegExp(translated, extraFlags);
  }
}
