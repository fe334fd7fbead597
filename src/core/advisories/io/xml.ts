/**
 * A small, strict XML reader for the feed documents we consume (yum `updateinfo.xml`,
 * `repomd.xml`): elements, attributes, text, CDATA, comments and processing instructions, the
 * five predefined entities and character references. A DOCTYPE is refused outright, so no
 * entity expansion (billion laughs) or external entity can ever happen. Namespaces are kept as
 * written in the name (`rpm:foo`); callers match on the local name with `localName`.
 */
import { PortcullisError } from '../../errors.js';

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Concatenated text and CDATA directly inside this element. */
  text: string;
}

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const NAME = /[A-Za-z_:][A-Za-z0-9_:.-]*/y;
const ATTRIBUTE = /\s+([A-Za-z_:][A-Za-z0-9_:.-]*)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/y;
const TAG_END = /\s*(\/?)>/y;

function decode(text: string, where: () => string): string {
  return text.replace(/&(#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z]+);|&/g, (match, ref: string | undefined) => {
    if (ref === undefined) throw new Error(`bare "&" ${where()}`);
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      if (code > 0x10ffff || code === 0) throw new Error(`bad character reference ${match} ${where()}`);
      return String.fromCodePoint(code);
    }
    const value = PREDEFINED[ref];
    if (value === undefined) throw new Error(`undefined entity ${match} ${where()}`);
    return value;
  });
}

/** The name after any `prefix:`. */
export const localName = (name: string): string => name.slice(name.indexOf(':') + 1);

/** Parses a whole document; any malformation is FEED_CORRUPT naming `file`. */
export function parseXml(text: string, file: string): XmlElement {
  try {
    return parse(text);
  } catch (err) {
    throw new PortcullisError('FEED_CORRUPT', `${file}: not well-formed XML: ${(err as Error).message}`, {
      cause: err,
      details: { file },
    });
  }
}

function parse(text: string): XmlElement {
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let i = 0;
  const where = (): string => `at offset ${i}`;
  const skipPast = (marker: string, what: string): void => {
    const end = text.indexOf(marker, i);
    if (end < 0) throw new Error(`unterminated ${what} ${where()}`);
    i = end + marker.length;
  };
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const chunk = lt < 0 ? text.slice(i) : text.slice(i, lt);
    const top = stack[stack.length - 1];
    if (chunk !== '') {
      if (top) top.text += decode(chunk, where);
      else if (chunk.trim() !== '') throw new Error(`text outside the root element ${where()}`);
    }
    if (lt < 0) break;
    i = lt;
    if (text.startsWith('<?', i)) skipPast('?>', 'processing instruction');
    else if (text.startsWith('<!--', i)) skipPast('-->', 'comment');
    else if (text.startsWith('<![CDATA[', i)) {
      if (!top) throw new Error(`CDATA outside the root element ${where()}`);
      const end = text.indexOf(']]>', i);
      if (end < 0) throw new Error(`unterminated CDATA ${where()}`);
      top.text += text.slice(i + 9, end);
      i = end + 3;
    } else if (text.startsWith('<!', i))
      throw new Error(`DOCTYPE and declarations are not accepted ${where()}`);
    else if (text.startsWith('</', i)) {
      NAME.lastIndex = i + 2;
      const name = NAME.exec(text)?.[0];
      const close = text.indexOf('>', i);
      if (!name || close < 0 || text.slice(NAME.lastIndex, close).trim() !== '')
        throw new Error(`malformed end tag ${where()}`);
      const open = stack.pop();
      if (open?.name !== name) throw new Error(`</${name}> does not close <${open?.name ?? ''}> ${where()}`);
      i = close + 1;
    } else {
      NAME.lastIndex = i + 1;
      const name = NAME.exec(text)?.[0];
      if (!name) throw new Error(`malformed start tag ${where()}`);
      const element: XmlElement = { name, attributes: {}, children: [], text: '' };
      let at = NAME.lastIndex;
      for (;;) {
        ATTRIBUTE.lastIndex = at;
        const m = ATTRIBUTE.exec(text);
        if (!m) break;
        element.attributes[m[1] as string] = decode(m[2] ?? m[3] ?? '', where);
        at = ATTRIBUTE.lastIndex;
      }
      TAG_END.lastIndex = at;
      const end = TAG_END.exec(text);
      if (!end) throw new Error(`malformed start tag <${name}> ${where()}`);
      i = TAG_END.lastIndex;
      if (top) top.children.push(element);
      else if (root) throw new Error(`second root element <${name}> ${where()}`);
      else root = element;
      if (end[1] !== '/') stack.push(element);
    }
  }
  if (stack.length > 0) throw new Error(`<${stack[stack.length - 1]?.name}> is never closed`);
  if (!root) throw new Error('no root element');
  return root;
}

/** Direct children called `name` (local name). */
export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((c) => localName(c.name) === name);
}

export function childNamed(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => localName(c.name) === name);
}
