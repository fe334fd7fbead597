/**
 * How a policy evaluation's result document is stored (migration 17, ADR 0031). The API shape
 * is `{ policy: <bundle document>, result: <Anchore evaluation> }`, and the Anchore document
 * carries the decision twice: as positional rows and as Portcullis' own `decision`. Stored
 * whole, a row of the benchmark fleet is 7–14 kB, and the re-match after a feed sync writes
 * thousands. So a row stores:
 * - the bundle by reference (`policy_digest`, its document once in `policy_document`),
 * - the Anchore document without its rows and header, which are rendered again on read from
 *   `decision` (and the whitelist names the rows showed).
 * A document is stored that way only when the rendering gives back exactly the rows it had;
 * any other (older, foreign, hand-written) result is stored whole, as before, with no digest.
 * Rows written before migration 17 have no digest and are read as they are.
 * Layout 2 (ADR 0034, marked `layout: 2` in the compact table) also stores the decision's
 * triggers by column (evaluation-triggers.ts); a row without the marker has them as objects.
 */
import { CHECK_HEADER } from '../check-header.js';
import { decodeTriggers, encodeTriggers } from './evaluation-triggers.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Whether two JSON-shaped values (what the renderers build and JSON parses) are equal: the same
 * answers as `isDeepStrictEqual` for them, without its generality, which cost the re-match's
 * compaction about a tenth of a second per thousand evaluations.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys)
    if (!Object.hasOwn(b, key) || !sameJson((a as Json)[key], (b as Json)[key])) return false;
  return true;
}

const TABLE_KEYS = ['final_action', 'header', 'row_count', 'rows'];

interface JsonTrigger {
  trigger_id: string;
  gate: string;
  trigger: string;
  message: string;
  effective_action: string;
  policy_id: string;
  whitelisted: { whitelist_id: string; item_id: string } | null;
}

interface JsonFailClosed {
  code: string;
  message: string;
}

/** What a compact row keeps of the per-image table: the rest is rendered from `decision`. */
interface CompactTable {
  row_count: unknown;
  final_action: unknown;
  /** The names the rows gave the whitelists that whitelisted a trigger, by whitelist id. */
  whitelist_names?: Record<string, string>;
  /** 2 when the decision's triggers are stored by column; absent (layout 1) when as objects. */
  layout?: 2;
}

/** The layouts a writer can choose; 2 unless a test writes the older one on purpose. */
export type EvaluationLayout = 1 | 2;

/**
 * The Anchore rows of a decision as `anchoreResult` renders them (src/store/evaluate-analysis.ts),
 * from the stored JSON decision. Objects are built in jsonb's key order (shorter keys first), so
 * a rendered document serializes to the bytes a stored one is read back as.
 */
function renderRows(anchore: Json, names: Record<string, string>): unknown[][] | undefined {
  const decision = anchore.decision;
  if (!isObject(decision) || !Array.isArray(decision.triggers) || !Array.isArray(decision.fail_closed))
    return undefined;
  const bundle = decision.bundle as { id?: unknown } | undefined;
  const [imageId, tag] = [anchore.image_id, anchore.tag];
  const rows: unknown[][] = (decision.triggers as JsonTrigger[]).map((t) => [
    imageId,
    tag,
    t.trigger_id,
    t.gate,
    t.trigger,
    t.message,
    typeof t.effective_action === 'string' ? t.effective_action.toLowerCase() : t.effective_action,
    t.whitelisted
      ? {
          whitelist_id: t.whitelisted.whitelist_id,
          whitelist_name: names[t.whitelisted.whitelist_id] ?? t.whitelisted.whitelist_id,
          matched_rule_id: t.whitelisted.item_id,
        }
      : false,
    t.policy_id,
  ]);
  for (const reason of decision.fail_closed as JsonFailClosed[]) {
    const unreadable = reason.code === 'PACKAGE_DB_UNREADABLE';
    rows.push([
      imageId,
      tag,
      reason.code,
      unreadable ? 'packages' : 'vulnerabilities',
      unreadable ? 'unreadable_database' : 'vulnerability_data_unavailable',
      reason.message,
      'stop',
      false,
      bundle?.id,
    ]);
  }
  return rows;
}

/** The per-image table of an Anchore document ({ [image_id]: { result: table } }), if it has that shape. */
function tableOf(anchore: Json): Json | undefined {
  const byImage = anchore.result;
  if (!isObject(byImage) || typeof anchore.image_id !== 'string') return undefined;
  const entry = byImage[anchore.image_id];
  return isObject(entry) && isObject(entry.result) ? entry.result : undefined;
}

/** A result's bundle document and the compact document stored for it. */
export interface CompactEvaluation {
  policy: unknown;
  stored: Json;
}

/**
 * The compact form of an Anchore document (`anchore`, whose per-image table is replaced) with
 * the bundle `policy`: its table reduced to `table` (row count and final action) and the names
 * its rows gave whitelists, its decision's triggers by column at layout 2.
 */
export function compactDocument(
  policy: unknown,
  anchore: Json,
  table: Pick<CompactTable, 'row_count' | 'final_action'>,
  names: Record<string, string>,
  layout: EvaluationLayout = 2,
): CompactEvaluation {
  const decision = anchore.decision as Json;
  const columns = layout === 2 ? encodeTriggers(decision.triggers) : undefined;
  const compact: CompactTable = {
    row_count: table.row_count,
    final_action: table.final_action,
    ...(Object.keys(names).length > 0 ? { whitelist_names: names } : {}),
    ...(columns ? { layout: 2 as const } : {}),
  };
  const byImage = anchore.result as Json;
  const stored = {
    ...anchore,
    result: { ...byImage, [anchore.image_id as string]: { result: compact } },
    ...(columns ? { decision: { ...decision, triggers: columns } } : {}),
  };
  return { policy, stored };
}

/** The bundle and the compact document to store, or undefined to store `result` whole. */
export function compactEvaluation(
  result: unknown,
  layout: EvaluationLayout = 2,
): CompactEvaluation | undefined {
  if (!isObject(result) || Object.keys(result).length !== 2 || !isObject(result.result)) return undefined;
  if (!('policy' in result) || result.policy === null || result.policy === undefined) return undefined;
  const anchore = result.result;
  const table = tableOf(anchore);
  if (!table || !sameJson(Object.keys(table).sort(), TABLE_KEYS)) return undefined;
  if (!sameJson(table.header, CHECK_HEADER) || !Array.isArray(table.rows)) return undefined;
  const names: Record<string, string> = {};
  for (const row of table.rows as unknown[]) {
    const whitelisted = Array.isArray(row) ? (row[7] as Json | false | undefined) : undefined;
    if (isObject(whitelisted) && typeof whitelisted.whitelist_id === 'string')
      names[whitelisted.whitelist_id] = whitelisted.whitelist_name as string;
  }
  if (!sameJson(renderRows(anchore, names), table.rows)) return undefined;
  const counts = { row_count: table.row_count, final_action: table.final_action };
  return compactDocument(result.policy, anchore, counts, names, layout);
}

/** A layout 2 document with its decision's triggers as objects again. */
function withTriggers(stored: Json): Json {
  const decision = stored.decision;
  const triggers = isObject(decision) ? decodeTriggers(decision.triggers) : undefined;
  return triggers ? { ...stored, decision: { ...(decision as Json), triggers } } : stored;
}

/**
 * The API document of a stored result: `row` as it is when the row has no bundle digest
 * (written whole), else the bundle document and the Anchore document with its rows rendered.
 */
export function expandEvaluation(row: unknown, policy: unknown, hasDigest: boolean): unknown {
  if (!hasDigest || !isObject(row)) return row;
  const table = tableOf(row) as CompactTable | undefined;
  if (!table) return { policy, result: row };
  const stored = table.layout === 2 ? withTriggers(row) : row;
  const names = table.whitelist_names ?? {};
  const full = {
    rows: renderRows(stored, names),
    header: [...CHECK_HEADER],
    row_count: table.row_count,
    final_action: table.final_action,
  };
  const byImage = stored.result as Json;
  const result = { ...stored, result: { ...byImage, [stored.image_id as string]: { result: full } } };
  return { policy, result };
}
