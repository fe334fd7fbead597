/** The policy evaluation of an image through the API's `check`, as gate rows. */
import type { UiContext } from '../router.js';
import type { Column } from '../table.js';

export interface GateRow {
  gate: string;
  trigger: string;
  triggerId: string;
  message: string;
  action: string;
  whitelisted: string;
}

export interface Evaluation {
  status: 'pass' | 'fail';
  policyId: string;
  rows: GateRow[];
}

export const gateColumns: readonly Column<GateRow>[] = [
  { label: 'Gate', text: (r) => r.gate },
  { label: 'Trigger', text: (r) => r.trigger },
  { label: 'Trigger id', text: (r) => r.triggerId },
  { label: 'Action', text: (r) => r.action },
  { label: 'Whitelisted', text: (r) => r.whitelisted },
  { label: 'Output', text: (r) => r.message },
];

interface CheckAnswer {
  status: 'pass' | 'fail';
  policyId: string;
  detail: { result?: { result?: Record<string, { result?: { rows?: unknown[][] } }> } };
}

export async function evaluationOf(
  ctx: UiContext,
  digest: string,
  tag: string,
): Promise<Evaluation | undefined> {
  const answer = await ctx.api.call(
    'GET',
    `/images/${encodeURIComponent(digest)}/check?detail=true&tag=${encodeURIComponent(tag)}`,
  );
  if (answer.status !== 200) return undefined;
  const list = answer.body as Record<string, Record<string, CheckAnswer[]>>[];
  const first = list[0]?.[digest]?.[tag]?.[0];
  if (!first) return undefined;
  const inner = first.detail.result?.result ?? {};
  const rows = Object.entries(inner)
    .filter(([key]) => /^[0-9a-f]{64}$/.test(key))
    .flatMap(([, v]) => v.result?.rows ?? []);
  return {
    status: first.status,
    policyId: first.policyId,
    rows: rows.map((r) => ({
      triggerId: String(r[2] ?? ''),
      gate: String(r[3] ?? ''),
      trigger: String(r[4] ?? ''),
      message: String(r[5] ?? ''),
      action: String(r[6] ?? ''),
      whitelisted:
        r[7] && typeof r[7] === 'object'
          ? String((r[7] as { whitelist_name?: string }).whitelist_name ?? 'yes')
          : '',
    })),
  };
}
