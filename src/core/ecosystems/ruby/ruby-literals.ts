/**
 * Just enough Ruby literal syntax to read the assignments RubyGems writes into installed
 * gemspecs. Nothing is evaluated: anything that is not a plain literal reads as undefined.
 */

const PAIRS: Record<string, string> = { '{': '}', '(': ')', '[': ']', '<': '>' };

function unescapeDouble(body: string): string {
  return body.replace(/\\(u\{?[0-9a-fA-F]{1,6}\}?|.)/g, (_m, esc: string) => {
    if (esc.startsWith('u')) return String.fromCodePoint(parseInt(esc.replace(/[u{}]/g, ''), 16));
    return ({ n: '\n', t: '\t', r: '\r', '0': '\0' } as Record<string, string>)[esc] ?? esc;
  });
}

/** Reads one string literal at `pos`; returns its value and the index after it (and after `.freeze`). */
export function readString(src: string, pos: number): { value: string; end: number } | undefined {
  let i = pos;
  while (src[i] === ' ' || src[i] === '\t') i++;
  const c = src[i];
  let value: string | undefined;
  let end = -1;
  if (c === '"' || c === "'") {
    let j = i + 1;
    while (j < src.length && src[j] !== c) j += src[j] === '\\' ? 2 : 1;
    if (j >= src.length) return undefined;
    const body = src.slice(i + 1, j);
    value = c === '"' ? unescapeDouble(body) : body.replace(/\\(['\\])/g, '$1');
    end = j + 1;
  } else if (c === '%' && /[qQ]/.test(src[i + 1] ?? '')) {
    const open = src[i + 2] ?? '';
    const close = PAIRS[open] ?? open;
    const j = src.indexOf(close, i + 3);
    if (open === '' || j < 0) return undefined;
    value = src.slice(i + 3, j);
    end = j + 1;
  }
  if (value === undefined) return undefined;
  const frozen = /^\.freeze\b/.exec(src.slice(end));
  return { value, end: end + (frozen?.[0].length ?? 0) };
}

/** A literal array of strings: `["MIT".freeze, "Ruby"]`. */
export function readStringArray(src: string, pos: number): string[] | undefined {
  let i = pos;
  while (src[i] === ' ' || src[i] === '\t') i++;
  if (src[i] !== '[') {
    const single = readString(src, i);
    return single === undefined ? undefined : [single.value];
  }
  const out: string[] = [];
  i++;
  for (;;) {
    while (/[\s,]/.test(src[i] ?? '')) i++;
    if (src[i] === ']') return out;
    const s = readString(src, i);
    if (s === undefined) return undefined;
    out.push(s.value);
    i = s.end;
  }
}
