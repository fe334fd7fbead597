/**
 * The Prometheus registry of one `serve` process, served by its API or its worker's probes:
 * HTTP and queue metrics (added where the app is built), feed age and DB pool read at scrape
 * time, and the analysis duration where analyses run.
 */
import type { Registry } from 'prom-client';
import { createMetricsRegistry } from '../server/plugins/metrics.js';
import {
  analysisDurationMetric,
  registerServiceMetrics,
  type ObserveAnalysis,
} from '../server/plugins/service-metrics.js';
import type { Sql } from '../store/sql.js';
import { VulnerabilityStore } from '../store/vulnerability-store.js';
import { feedStatusOf } from './feed-status.js';

export interface ProcessMetrics {
  registry: Registry;
  /** The feed status the API's /system/feeds shares (one namespace count per sync). */
  feeds: ReturnType<typeof feedStatusOf>;
  /** Registers the analysis duration histogram (once, in a process that runs analyses). */
  analysisDuration(): ObserveAnalysis;
}

export function processMetrics(db: Sql): ProcessMetrics {
  const registry = createMetricsRegistry();
  const feeds = feedStatusOf(new VulnerabilityStore(db), db);
  registerServiceMetrics(registry, { feeds, pool: () => db.poolStats?.() });
  return { registry, feeds, analysisDuration: () => analysisDurationMetric(registry) };
}
