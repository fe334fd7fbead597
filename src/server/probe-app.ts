/**
 * The worker's small HTTP side: liveness (`/v1/health`), readiness (`/v1/ready`) and
 * Prometheus metrics (`/metrics`), so an orchestrator can probe a process that has no API.
 */
import Fastify from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { JobQueue } from '../queue/queue.js';
import type { App } from './app.js';
import { installMetrics } from './plugins/metrics.js';
import { probeRoutes } from './routes/system.js';

export interface ProbeAppDeps {
  ready(): Promise<boolean>;
  queue: JobQueue;
  metrics: Registry;
  logger?: Logger | false;
  https?: { cert: Buffer; key: Buffer };
}

export async function buildProbeApp(deps: ProbeAppDeps): Promise<App> {
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    // Typed as the http variant (App); fastify creates an https.Server when `https` is set.
    ...(deps.https ? ({ https: deps.https } as object) : {}),
  }) as unknown as App;
  installMetrics(app, deps.metrics, deps.queue);
  await app.register(async (v1) => probeRoutes(v1, deps.ready), { prefix: '/v1' });
  return app;
}
