/**
 * Prometheus metrics of the service beyond HTTP: the age of each feed group's data and the
 * database pool (read at scrape time), and the duration of analyses (observed by the worker).
 */
import { Gauge, Histogram, type Registry } from 'prom-client';
import type { PoolStats } from '../../store/sql.js';
import type { FeedStatus } from '../routes/index.js';

export interface ServiceMetricsSources {
  /** The store's feed records (withNamespaces: with each feed's groups, as /system/feeds). */
  feeds?: { status(): Promise<FeedStatus[]>; withNamespaces?(): Promise<FeedStatus[]> };
  /** The database pool's clients; undefined when the store has no pool to report. */
  pool?: () => PoolStats | undefined;
  /** Now, for the feed age (tests). */
  now?: () => number;
}

/** Feed age and DB pool gauges, registered once per registry. */
export function registerServiceMetrics(registry: Registry, sources: ServiceMetricsSources): void {
  const { feeds, pool } = sources;
  const now = sources.now ?? Date.now;
  if (feeds) {
    new Gauge({
      name: 'portcullis_feed_age_seconds',
      help: 'Seconds since the last successful sync of each feed (source) and group (advisory namespace; the source itself for enrichment-only feeds)',
      labelNames: ['feed', 'group'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        const list = feeds.withNamespaces ? await feeds.withNamespaces() : await feeds.status();
        for (const f of list) {
          if (!f.lastSync) continue;
          const age = Math.max(0, (now() - f.lastSync.getTime()) / 1000);
          const groups = f.namespaces?.length ? f.namespaces.map((n) => n.namespace) : [f.source];
          for (const group of groups) this.set({ feed: f.source, group }, age);
        }
      },
    });
  }
  if (pool) {
    const gauge = (name: string, help: string, read: (s: PoolStats) => number) =>
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          const stats = pool();
          if (stats) this.set(read(stats));
        },
      });
    gauge('portcullis_db_pool_clients', 'Database connections open (PGlite: its single one)', (s) => s.total);
    gauge(
      'portcullis_db_pool_idle_clients',
      'Database connections open and idle (PGlite: 1 when no query runs)',
      (s) => s.idle,
    );
    gauge(
      'portcullis_db_pool_waiting',
      'Queries waiting for a database connection (PGlite: calls queued behind the running one)',
      (s) => s.waiting,
    );
  }
}

export type AnalysisOutcome = 'succeeded' | 'failed';

/** Records how long one analysis attempt took and how it ended. */
export type ObserveAnalysis = (outcome: AnalysisOutcome, seconds: number) => void;

/** The analysis duration histogram of the processes that run analyses (roles worker and all). */
export function analysisDurationMetric(registry: Registry): ObserveAnalysis {
  const histogram = new Histogram({
    name: 'portcullis_analysis_duration_seconds',
    help: 'Duration of image analysis attempts (pull, catalog, match, store) by outcome',
    labelNames: ['outcome'] as const,
    buckets: [0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1800],
    registers: [registry],
  });
  // Both series exist from the start, so a rate() over them is defined before the first failure.
  histogram.zero({ outcome: 'succeeded' });
  histogram.zero({ outcome: 'failed' });
  return (outcome, seconds) => histogram.observe({ outcome }, seconds);
}
