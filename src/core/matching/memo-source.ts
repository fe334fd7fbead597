/**
 * An advisory source that remembers what it answered, for one pass over many SBOMs (the
 * re-match after a feed sync matches thousands of stored SBOMs against the same few keys): each
 * (namespace, package) key and each CVE's enrichment is asked of the underlying source once.
 * Use one per pass; it never forgets, so it must not outlive the feed data it read.
 */
import type { AdvisorySource } from './types.js';

type Enrichment = Awaited<ReturnType<AdvisorySource['enrichment']>> extends Map<string, infer V> ? V : never;
type Advisory = Awaited<ReturnType<AdvisorySource['advisoriesFor']>>[number];

const keyOf = (namespace: string, packageName: string) => `${namespace}\u0000${packageName}`;

export function memoizedSource(source: AdvisorySource): AdvisorySource {
  const advisories = new Map<string, Advisory[]>();
  const enrichment = new Map<string, Enrichment | undefined>();
  const memo: AdvisorySource = {
    async advisoriesFor(keys) {
      const missing = keys.filter((k) => !advisories.has(keyOf(k.namespace, k.packageName)));
      if (missing.length > 0) {
        for (const k of missing) advisories.set(keyOf(k.namespace, k.packageName), []);
        for (const a of await source.advisoriesFor(missing))
          advisories.get(keyOf(a.namespace, a.packageName))?.push(a);
      }
      const out: Advisory[] = [];
      for (const k of new Set(keys.map((k) => keyOf(k.namespace, k.packageName))))
        out.push(...(advisories.get(k) ?? []));
      return out;
    },
    async enrichment(cves) {
      const missing = [...new Set(cves.filter((c) => !enrichment.has(c)))];
      if (missing.length > 0) {
        const found = await source.enrichment(missing);
        for (const c of missing) enrichment.set(c, found.get(c));
      }
      const out = new Map<string, Enrichment>();
      for (const c of cves) {
        const e = enrichment.get(c);
        if (e !== undefined) out.set(c, e);
      }
      return out;
    },
  };
  const { cpeConfigsFor } = source;
  if (cpeConfigsFor) memo.cpeConfigsFor = (products) => cpeConfigsFor.call(source, products);
  return memo;
}
