/**
 * A decision's triggers as a compact evaluation row of layout 2 stores them (ADR 0034): by
 * column, each key once. A key whose value is the same in every trigger (gate, trigger, actions,
 * policy and rule ids, `whitelisted: null` on the fleet) is stored once in `same`; the others
 * (message, trigger id) as one array each in `each`. Stored as objects, twenty triggers spell
 * their nine keys and repeated values twenty times: most of a row's bytes, which the database
 * parses and compresses on every re-match. Decoded, each trigger is built with its keys in
 * jsonb's order (shorter keys first, then bytewise), as a layout 1 row reads them back.
 */
type Json = Record<string, unknown>;

export interface ColumnTriggers {
  count: number;
  same: Json;
  each: Record<string, unknown[]>;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** jsonb's order of object keys: by length in bytes, then bytewise (ASCII: by length, then by code unit). */
function jsonbKeyOrder(a: string, b: string): number {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(a + b)) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length - y.length || Buffer.compare(x, y);
}

/** Key lists in jsonb's order, by the list as stored: a fleet has a handful of trigger shapes. */
const ordered = new Map<string, string[]>();

function inJsonbOrder(keys: string[]): string[] {
  const id = JSON.stringify(keys);
  let sorted = ordered.get(id);
  if (!sorted) {
    sorted = [...keys].sort(jsonbKeyOrder);
    if (ordered.size < 1000) ordered.set(id, sorted);
  }
  return sorted;
}

/** The triggers back as objects, keys in jsonb's order; undefined when `stored` is not columns. */
export function decodeTriggers(stored: unknown): Json[] | undefined {
  if (
    !isObject(stored) ||
    typeof stored.count !== 'number' ||
    !isObject(stored.same) ||
    !isObject(stored.each)
  )
    return undefined;
  const { count, same } = stored;
  const each = stored.each as Record<string, unknown[]>;
  const keys = inJsonbOrder([...Object.keys(same), ...Object.keys(each)]);
  const columns = keys.map((k) => (Object.hasOwn(each, k) ? each[k]! : undefined));
  return Array.from({ length: count }, (_, i) =>
    Object.fromEntries(keys.map((k, j) => [k, columns[j] ? columns[j][i] : same[k]])),
  );
}

/** Whether two values serialize alike (what a reader gets back), without serializing primitives. */
const alike = (a: unknown, b: unknown): boolean =>
  a === b || (typeof a === 'object' && typeof b === 'object' && JSON.stringify(a) === JSON.stringify(b));

/**
 * The triggers by column, or undefined to keep them as they are: fewer than two, not all plain
 * objects with the same keys, or a key undefined in some but not all (JSON drops an undefined
 * member of an object but writes one in an array as null). A value the same in all is kept once,
 * the first trigger's: the others serialize to the same text.
 */
export function encodeTriggers(triggers: unknown): ColumnTriggers | undefined {
  if (!Array.isArray(triggers) || triggers.length < 2 || !triggers.every(isObject)) return undefined;
  const rows = triggers as Json[];
  const keys = Object.keys(rows[0]!);
  const sameKeys = (t: Json) =>
    Object.getPrototypeOf(t) === Object.prototype &&
    Object.keys(t).length === keys.length &&
    keys.every((k) => Object.hasOwn(t, k));
  if (!rows.every(sameKeys) || keys.includes('__proto__')) return undefined;
  const same: Json = {};
  const each: Record<string, unknown[]> = {};
  for (const k of keys) {
    const first = rows[0]![k];
    if (rows.every((t) => alike(t[k], first))) same[k] = first;
    else if (rows.some((t) => t[k] === undefined)) return undefined;
    else each[k] = rows.map((t) => t[k]);
  }
  return { count: rows.length, same, each };
}
