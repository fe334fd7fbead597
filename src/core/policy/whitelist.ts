/** Applying whitelists to fired triggers: gate + trigger_id wildcard, expiry, package scope. */
import { z } from 'zod';
import type { CompiledWhitelist, CompiledWhitelistItem } from './bundle.js';
import type { FiredPackage } from './gate.js';
import { wildcardMatch } from './match.js';

export interface WhitelistHit {
  whitelistId: string;
  itemId: string;
}

export interface FiredForWhitelist {
  gate: string;
  triggerId: string;
  package?: FiredPackage | undefined;
}

function itemApplies(item: CompiledWhitelistItem, fired: FiredForWhitelist, now: Date): boolean {
  if (item.expiresOn && item.expiresOn.getTime() <= now.getTime()) return false;
  if (item.gate !== fired.gate) return false;
  if (!wildcardMatch(item.triggerId, fired.triggerId)) return false;
  if (
    item.packageVersion !== undefined &&
    !(fired.package && wildcardMatch(item.packageVersion, fired.package.version))
  ) {
    return false;
  }
  if (
    item.packagePath !== undefined &&
    !(fired.package?.path !== undefined && wildcardMatch(item.packagePath, fired.package.path))
  ) {
    return false;
  }
  return true;
}

/** Items grouped by gate, computed once per whitelist: most firings meet no item of their gate. */
const byGateCache = new WeakMap<CompiledWhitelist, Map<string, CompiledWhitelistItem[]>>();

function itemsForGate(wl: CompiledWhitelist, gate: string): readonly CompiledWhitelistItem[] {
  let byGate = byGateCache.get(wl);
  if (!byGate) {
    byGate = new Map();
    for (const item of wl.items) byGate.set(item.gate, [...(byGate.get(item.gate) ?? []), item]);
    byGateCache.set(wl, byGate);
  }
  return byGate.get(gate) ?? [];
}

/** The first unexpired item (in mapping order) that covers the fired trigger, or null. */
export function findWhitelistHit(
  whitelists: readonly CompiledWhitelist[],
  fired: FiredForWhitelist,
  now: Date,
): WhitelistHit | null {
  for (const wl of whitelists) {
    for (const item of itemsForGate(wl, fired.gate)) {
      if (itemApplies(item, fired, now)) return { whitelistId: wl.id, itemId: item.id };
    }
  }
  return null;
}

const expiringItems = z.object({
  whitelists: z
    .array(z.object({ items: z.array(z.object({ expires_on: z.string().optional() })).default([]) }))
    .default([]),
});

/**
 * The first `expires_on` of the bundle's whitelist items after `now`: when its verdicts may
 * change with no edit at all. Unparseable dates are skipped (validation refuses them).
 */
export function nextWhitelistExpiry(bundle: unknown, now: Date): Date | undefined {
  const parsed = expiringItems.safeParse(bundle);
  if (!parsed.success) return undefined;
  let next: number | undefined;
  for (const wl of parsed.data.whitelists)
    for (const item of wl.items) {
      const at = item.expires_on === undefined ? NaN : Date.parse(item.expires_on);
      if (at > now.getTime() && (next === undefined || at < next)) next = at;
    }
  return next === undefined ? undefined : new Date(next);
}
