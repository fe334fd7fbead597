/**
 * Debian control-file syntax (deb-control(5), also used by the dpkg status database and
 * DEP-5 copyright files): stanzas of `Field: value` lines separated by blank lines, with
 * continuation lines that start with a space or tab. Field names are case-insensitive, so
 * they are stored lower-cased.
 */
export interface Stanza {
  fields: Map<string, string>;
  /** 1-based line number where the stanza starts, for problem messages. */
  line: number;
}

export interface ControlParse {
  stanzas: Stanza[];
  problems: string[];
}

const FIELD = /^([!-9;-~][!-9;-~]*):[ \t]*(.*)$/;

export function parseControl(text: string, path: string): ControlParse {
  const stanzas: Stanza[] = [];
  const problems: string[] = [];
  let current: Stanza | undefined;
  let lastField: string | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).replace(/\r$/, '');
    if (line.trim() === '') {
      current = undefined;
      lastField = undefined;
      continue;
    }
    if (line.startsWith('#') && current === undefined) continue;
    if (line[0] === ' ' || line[0] === '\t') {
      if (current && lastField !== undefined) {
        current.fields.set(lastField, `${current.fields.get(lastField)}\n${line.slice(1)}`);
      } else {
        problems.push(`${path}:${i + 1}: continuation line without a field`);
      }
      continue;
    }
    const m = FIELD.exec(line);
    if (!m) {
      problems.push(`${path}:${i + 1}: not a "Field: value" line`);
      continue;
    }
    if (!current) {
      current = { fields: new Map(), line: i + 1 };
      stanzas.push(current);
    }
    lastField = (m[1] as string).toLowerCase();
    if (current.fields.has(lastField)) problems.push(`${path}:${i + 1}: duplicate field ${m[1]}`);
    current.fields.set(lastField, (m[2] as string).trimEnd());
  }
  return { stanzas, problems };
}

/**
 * dpkg stores bytes, not text: maintainer names from old packages can be latin-1. Valid UTF-8
 * decodes as such; otherwise each line that is not valid UTF-8 is read as latin-1, so one bad
 * stanza does not garble the rest.
 */
export function decodeControl(bytes: Buffer): string {
  const strict = new TextDecoder('utf-8', { fatal: true });
  try {
    return strict.decode(bytes);
  } catch {
    const out: string[] = [];
    let start = 0;
    while (start <= bytes.length) {
      let end = bytes.indexOf(0x0a, start);
      if (end < 0) end = bytes.length;
      const line = bytes.subarray(start, end);
      try {
        out.push(strict.decode(line));
      } catch {
        out.push(line.toString('latin1'));
      }
      start = end + 1;
    }
    return out.join('\n');
  }
}
