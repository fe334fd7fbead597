/**
 * Maven's version order, as documented for ComparableVersion ("Version Order Specification" in
 * the POM reference) and as implemented by Maven 3.8.7, the version Debian ships: the version is cut into numbers and qualifiers at `.`, `-` and
 * digit/letter transitions; `-` and transitions open a nested list; trailing "null" items
 * (0, "", "final", "ga", "release") are dropped; known qualifiers order as
 * alpha < beta < milestone < rc < snapshot < "" < sp, unknown ones after them alphabetically,
 * and numbers above qualifiers.
 */
type Item = { kind: 'int'; value: bigint } | { kind: 'str'; value: string } | { kind: 'list'; items: Item[] };

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const ALIASES: Record<string, string> = { ga: '', final: '', release: '', cr: 'rc' };
const RELEASE_INDEX = String(QUALIFIERS.indexOf(''));

function stringItem(raw: string, followedByDigit: boolean): Item {
  let value = raw;
  if (followedByDigit && value.length === 1)
    value = { a: 'alpha', b: 'beta', m: 'milestone' }[value] ?? value;
  return { kind: 'str', value: ALIASES[value] ?? value };
}

function parseItem(isDigit: boolean, text: string): Item {
  return isDigit ? { kind: 'int', value: BigInt(text) } : stringItem(text, false);
}

const isDigitChar = (c: string): boolean => c >= '0' && c <= '9';

function isNull(item: Item): boolean {
  if (item.kind === 'int') return item.value === 0n;
  if (item.kind === 'str') return item.value === '';
  return item.items.length === 0;
}

/** Drops trailing null items, looking through (non-null) nested lists. */
function normalize(list: Item[]): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const item = list[i] as Item;
    if (isNull(item)) list.splice(i, 1);
    else if (item.kind !== 'list') break;
  }
}

export function parseMaven(version: string): Item {
  const text = version.toLowerCase();
  const root: Item[] = [];
  let list = root;
  const stack: Item[][] = [root];
  const nest = (): void => {
    const child: Item[] = [];
    list.push({ kind: 'list', items: child });
    list = child;
    stack.push(child);
  };
  let isDigit = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '.' || c === '-') {
      list.push(i === start ? { kind: 'int', value: 0n } : parseItem(isDigit, text.slice(start, i)));
      start = i + 1;
      if (c === '-') nest();
    } else if (isDigitChar(c)) {
      if (!isDigit && i > start) {
        // Maven 3.8.7: a qualifier glued to a number (".foo2") gets its own sub-list, like "-foo2".
        if (list.length > 0) nest();
        list.push(stringItem(text.slice(start, i), true));
        start = i;
        nest();
      }
      isDigit = true;
    } else {
      if (isDigit && i > start) {
        list.push(parseItem(true, text.slice(start, i)));
        start = i;
        nest();
      }
      isDigit = false;
    }
  }
  if (text.length > start) {
    // Maven 3.8.7 (MNG-7559): a trailing ".qualifier" is read as "-qualifier".
    if (!isDigit && list.length > 0) nest();
    list.push(parseItem(isDigit, text.slice(start)));
  }
  while (stack.length > 0) normalize(stack.pop() as Item[]);
  return { kind: 'list', items: root };
}

function qualifierKey(q: string): string {
  const i = QUALIFIERS.indexOf(q);
  return i === -1 ? `${QUALIFIERS.length}-${q}` : String(i);
}

const cmpStr = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Compares an item with another, or with "nothing" (the other version ran out). */
export function compareItems(a: Item, b: Item | undefined): number {
  if (a.kind === 'int') {
    if (b === undefined) return a.value === 0n ? 0 : 1;
    if (b.kind === 'int') return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
    return 1;
  }
  if (a.kind === 'str') {
    if (b === undefined) return cmpStr(qualifierKey(a.value), RELEASE_INDEX);
    if (b.kind === 'str') return cmpStr(qualifierKey(a.value), qualifierKey(b.value));
    return -1;
  }
  if (b === undefined) {
    for (const item of a.items) {
      const r = compareItems(item, undefined);
      if (r !== 0) return r;
    }
    return 0;
  }
  if (b.kind === 'int') return -1;
  if (b.kind === 'str') return 1;
  for (let i = 0; i < Math.max(a.items.length, b.items.length); i++) {
    const l = a.items[i];
    const r = b.items[i];
    const result = l === undefined ? (r === undefined ? 0 : -compareItems(r, undefined)) : compareItems(l, r);
    if (result !== 0) return result;
  }
  return 0;
}
