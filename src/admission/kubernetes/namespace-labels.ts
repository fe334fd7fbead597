/**
 * Namespace labels for rules with `namespaceLabels` (ADR 0028): answered from the watched map
 * of Namespaces; a namespace the map does not hold yet (created a moment ago, or the first list
 * has not arrived) is fetched once with a short deadline, shared by concurrent requests. When
 * that fails too, the decision takes the rule and fails its images by the rule's mode, and the
 * audit reason says the labels were unavailable.
 */
import type { NamespaceLabelSource, PortContext } from '../ports.js';
import type { KubeClient } from './client.js';
import type { Informer } from './informer.js';

export type Labels = Record<string, string>;

export const NAMESPACES_PATH = '/api/v1/namespaces';

export function namespaceLabelsOf(object: Record<string, unknown>): { value: Labels } | { invalid: string } {
  const meta = object['metadata'];
  if (typeof meta !== 'object' || meta === null) return { invalid: 'no metadata' };
  const labels = (meta as Record<string, unknown>)['labels'] ?? {};
  if (typeof labels !== 'object' || labels === null) return { invalid: 'labels are not a map' };
  const value: Labels = {};
  for (const [key, v] of Object.entries(labels)) if (typeof v === 'string') value[key] = v;
  return { value };
}

export class WatchedNamespaceLabels implements NamespaceLabelSource {
  private readonly inFlight = new Map<string, Promise<Labels>>();

  constructor(
    private readonly informer: Informer<Labels>,
    private readonly client: KubeClient,
    private readonly lookupMs: number,
  ) {}

  labels(namespace: string, ctx: PortContext): Promise<Labels> {
    const known = this.informer.items.get(namespace);
    if (known) return Promise.resolve(known);
    let pending = this.inFlight.get(namespace);
    if (!pending) {
      pending = this.fetch(namespace).finally(() => this.inFlight.delete(namespace));
      this.inFlight.set(namespace, pending);
    }
    // The decision bounds the wait by its own budget and deadline (`withBudget`).
    void ctx;
    return pending;
  }

  private async fetch(namespace: string): Promise<Labels> {
    const object = await this.client.get(
      `${NAMESPACES_PATH}/${encodeURIComponent(namespace)}`,
      AbortSignal.timeout(this.lookupMs),
    );
    const parsed = namespaceLabelsOf(object);
    if ('invalid' in parsed) throw new Error(`namespace ${namespace}: ${parsed.invalid}`);
    // The watch will confirm or replace it; until then later requests need not ask again.
    if (!this.informer.items.has(namespace)) this.informer.items.set(namespace, parsed.value);
    return parsed.value;
  }
}
