/**
 * Parser for the os-release(5) format: KEY=value lines, '#' comments, values optionally in
 * double or single quotes, shell-style backslash escapes. Concatenated quoted strings are not
 * part of the format, so anything after the closing quote is reported as a problem.
 */
export interface OsReleaseParse {
  fields: Record<string, string>;
  problems: string[];
}

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Inside double quotes the shell only treats these as escapable; other backslashes stay. */
const DQ_ESCAPABLE = new Set(['$', '"', '\\', '`', '\n']);

export function parseOsRelease(text: string, path = 'os-release'): OsReleaseParse {
  const fields: Record<string, string> = {};
  const problems: string[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const key = eq > 0 ? line.slice(0, eq) : '';
    if (!KEY.test(key)) {
      problems.push(`${path}:${index + 1}: not a KEY=value assignment`);
      return;
    }
    const value = unquote(line.slice(eq + 1));
    if (value === undefined) {
      problems.push(`${path}:${index + 1}: ${key} has an unterminated or malformed quoted value`);
      return;
    }
    fields[key] = value;
  });
  return { fields, problems };
}

function unquote(input: string): string | undefined {
  const quote = input[0];
  if (quote === "'") {
    const end = input.indexOf("'", 1);
    if (end < 0 || input.slice(end + 1).trim() !== '') return undefined;
    return input.slice(1, end);
  }
  if (quote === '"') {
    let out = '';
    for (let i = 1; i < input.length; i++) {
      const ch = input[i] as string;
      if (ch === '\\' && i + 1 < input.length && DQ_ESCAPABLE.has(input[i + 1] as string)) {
        out += input[++i];
      } else if (ch === '"') {
        return input.slice(i + 1).trim() === '' ? out : undefined;
      } else {
        out += ch;
      }
    }
    return undefined;
  }
  // Unquoted: a backslash escapes any character; unescaped whitespace ends the value.
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const ch = input[i] as string;
    if (ch === '\\' && i + 1 < input.length) out += input[++i];
    else if (/\s/.test(ch)) return input.slice(i).trim() === '' ? out : undefined;
    else out += ch;
  }
  return out;
}
