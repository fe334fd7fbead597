/**
 * WWW-Authenticate parsing (RFC 7235 §4.1): one header may hold several challenges, each a
 * scheme followed by comma-separated auth-params whose values are tokens or quoted strings.
 * Registries put commas inside quoted scopes ("repository:a:pull,push"), so a naive split
 * on commas is wrong.
 */

export interface Challenge {
  /** Lower-cased scheme: "bearer", "basic", ... */
  scheme: string;
  /** Lower-cased parameter names to raw values: realm, service, scope, error ... */
  params: Record<string, string>;
}

const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

class Cursor {
  pos = 0;
  constructor(readonly text: string) {}

  get done(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): string {
    return this.text[this.pos] ?? '';
  }

  skipSpaces(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }

  skipSpacesAndCommas(): void {
    while (this.peek() === ' ' || this.peek() === '\t' || this.peek() === ',') this.pos++;
  }

  token(): string {
    const start = this.pos;
    while (!this.done && TOKEN_CHAR.test(this.peek())) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** A quoted-string with backslash escapes; an unterminated one runs to the end of the header. */
  quoted(): string {
    this.pos++; // opening quote
    let out = '';
    while (!this.done && this.peek() !== '"') {
      if (this.peek() === '\\' && this.pos + 1 < this.text.length) this.pos++;
      out += this.peek();
      this.pos++;
    }
    this.pos++; // closing quote
    return out;
  }
}

/** Is the cursor at `name =` (an auth-param) rather than at the next challenge's scheme? */
function atParam(c: Cursor): boolean {
  const save = c.pos;
  const name = c.token();
  c.skipSpaces();
  const isParam = name !== '' && c.peek() === '=';
  c.pos = save;
  return isParam;
}

function parseOne(header: string, out: Challenge[]): void {
  const c = new Cursor(header);
  while (!c.done) {
    c.skipSpacesAndCommas();
    const scheme = c.token();
    if (scheme === '') {
      // Not a token where a scheme should be: skip one character and resynchronize.
      if (!c.done) c.pos++;
      continue;
    }
    const challenge: Challenge = { scheme: scheme.toLowerCase(), params: {} };
    out.push(challenge);
    c.skipSpaces();
    // token68 form ("Negotiate abc=="): follows the scheme after a space, never after a comma.
    const token68 = /^[A-Za-z0-9\-._~+/]+=*[ \t]*(?=,|$)/.exec(header.slice(c.pos));
    if (token68) {
      c.pos += token68[0].length;
      continue;
    }
    while (!c.done && atParam(c)) {
      const name = c.token().toLowerCase();
      c.skipSpaces();
      c.pos++; // '='
      c.skipSpaces();
      challenge.params[name] = c.peek() === '"' ? c.quoted() : c.token();
      c.skipSpaces();
      if (c.peek() !== ',') break;
      c.skipSpacesAndCommas();
    }
  }
}

/** All challenges in one or more WWW-Authenticate header values. */
export function parseWwwAuthenticate(headers: string | readonly string[] | undefined): Challenge[] {
  const out: Challenge[] = [];
  if (headers === undefined) return out;
  for (const header of typeof headers === 'string' ? [headers] : headers) parseOne(header, out);
  return out;
}
