/**
 * A decision's triggers as a compact evaluation row of layout 2 stores them (ADR 0034): by
 * column, each key once. A key whose value is the same in every trigger (gate, trigger, actions,
 * policy and rule ids, `whitelisted: null` on the fleet) is stored once in `same`; the others
 * (message, trigger id) as one array each in `each`. Stored as objects, twenty triggers spell
 * their nine keys and repeated values twenty times: most of a row's bytes, which the database
 * parses and compresses on every re-match. Decoded, each trigger is built with its keys in
 * jsonb's order (shorter keys first, then bytewise), as a layout 1 row reads them back.
 */
import { isDeepStrictEqual } from 'node:util';

type Json = Record<string, unknown>;

export interface ColumnTriggers {
  count: number;
  same: Json;
  each: Record<string, unknown[]>;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** jsonb's order of object keys: by length in bytes, then bytewise. */
function jsonbKeyOrder(a: string, b: string): number {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length - y.length || Buffer.compare(x, y);
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
  const keys = [...Object.keys(same), ...Object.keys(each)].sort(jsonbKeyOrder);
  return Array.from({ length: count }, (_, i) =>
    Object.fromEntries(keys.map((k) => [k, k in each ? each[k]![i] : same[k]])),
  );
}

/**
 * The triggers by column, or undefined to keep them as they are: fewer than two, not all objects
 * with the same keys, a key undefined in some, or not given back exactly by `decodeTriggers`.
 */
export function encodeTriggers(triggers: unknown): ColumnTriggers | undefined {
  if (!Array.isArray(triggers) || triggers.length < 2 || !triggers.every(isObject)) return undefined;
  const rows = triggers as Json[];
  const keys = Object.keys(rows[0]!);
  if (!rows.every((t) => isDeepStrictEqual(Object.keys(t).sort(), [...keys].sort()))) return undefined;
  const same: Json = {};
  const each: Record<string, unknown[]> = {};
  for (const k of keys) {
    const first = JSON.stringify(rows[0]![k]);
    if (rows.every((t) => JSON.stringify(t[k]) === first)) same[k] = rows[0]![k];
    // JSON drops an undefined member of an object but writes one in an array as null.
    else if (rows.some((t) => t[k] === undefined)) return undefined;
    else each[k] = rows.map((t) => t[k]);
  }
  const encoded = { count: rows.length, same, each };
  return isDeepStrictEqual(decodeTriggers(encoded), rows) ? encoded : undefined;
}
