/** Renderers for a policy decision: a human table and a stable JSON document. */
import type { PolicyDecision } from './evaluate.js';

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}

export function renderDecisionTable(d: PolicyDecision): string {
  const lines = [
    `Image:         ${d.image.tag ?? '(no tag)'} ${d.image.digest}`,
    `Bundle:        ${d.bundle.name ?? d.bundle.id} (${d.bundle.id})`,
    `Mapping:       ${d.mapping ? (d.mapping.name ?? d.mapping.id ?? '(unnamed)') : '(none matched)'}`,
    `Policies:      ${d.policyIds.join(', ') || '-'}`,
    `Whitelists:    ${d.whitelistIds.join(', ') || '-'}`,
    '',
  ];
  if (d.triggers.length === 0) lines.push('No triggers fired.');
  else {
    const rows = d.triggers.map((t) => [
      t.gate,
      t.trigger,
      t.triggerId,
      t.action,
      t.whitelisted ? `${t.whitelisted.whitelistId}/${t.whitelisted.itemId}` : '-',
      t.message,
    ]);
    lines.push(...table(['GATE', 'TRIGGER', 'TRIGGER ID', 'ACTION', 'WHITELISTED BY', 'MESSAGE'], rows));
  }
  for (const e of d.errors)
    lines.push(`error: ${e.gate}/${e.trigger} (rule ${e.ruleId ?? '-'}): ${e.message}`);
  lines.push('');
  if (d.matchedBlacklistedImage)
    lines.push(
      `Blacklisted image rule: ${d.matchedBlacklistedImage.name ?? d.matchedBlacklistedImage.id ?? '(unnamed)'}`,
    );
  if (d.matchedWhitelistedImage)
    lines.push(
      `Whitelisted image rule: ${d.matchedWhitelistedImage.name ?? d.matchedWhitelistedImage.id ?? '(unnamed)'}`,
    );
  for (const f of d.failClosed) lines.push(`Fail-closed:   ${f.message}`);
  lines.push(`Policy action: ${d.policyFinalAction}`);
  lines.push(`Final action:  ${d.finalAction} (reason: ${d.reason}) -> ${d.status.toUpperCase()}`);
  return lines.join('\n') + '\n';
}

/** JSON in Anchore's vocabulary (snake_case), so existing consumers read it unchanged. */
export function decisionToJson(d: PolicyDecision): Record<string, unknown> {
  return {
    bundle: d.bundle,
    image: d.image,
    mapping: d.mapping,
    policy_ids: d.policyIds,
    whitelist_ids: d.whitelistIds,
    triggers: d.triggers.map((t) => ({
      gate: t.gate,
      trigger: t.trigger,
      trigger_id: t.triggerId,
      message: t.message,
      action: t.action,
      effective_action: t.effectiveAction,
      policy_id: t.policyId,
      rule_id: t.ruleId,
      whitelisted: t.whitelisted
        ? { whitelist_id: t.whitelisted.whitelistId, item_id: t.whitelisted.itemId }
        : null,
    })),
    policy_final_action: d.policyFinalAction,
    matched_whitelisted_images_rule: d.matchedWhitelistedImage,
    matched_blacklisted_images_rule: d.matchedBlacklistedImage,
    final_action: d.finalAction,
    reason: d.reason,
    status: d.status,
    errors: d.errors.map((e) => ({
      policy_id: e.policyId,
      rule_id: e.ruleId,
      gate: e.gate,
      trigger: e.trigger,
      message: e.message,
    })),
    fail_closed: d.failClosed,
  };
}

export function renderDecisionJson(d: PolicyDecision): string {
  return JSON.stringify(decisionToJson(d), null, 2) + '\n';
}
