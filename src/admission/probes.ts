/**
 * Probes of the webhook-only process (`--role admission`), at the root like the kubelet expects
 * them: `GET /health` answers 200 while the process serves (liveness); `GET /ready` answers 200
 * once the database has answered once (migrated schema, seeds reachable), 503 before that and
 * while the server closes. A database outage after that keeps the webhook ready on purpose: it
 * answers from cached verdicts, flagged stale, rather than leave the API server without a
 * backend (ADR 0009).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Sql } from '../store/sql.js';
import { withBudget } from './cached-ports.js';

export interface ProbeOptions {
  db: Pick<Sql, 'query'>;
  timeoutMs: number;
}

export const probeRoutes: FastifyPluginAsync<ProbeOptions> = async (app, options) => {
  let reached = false;
  app.get('/health', async (_request, reply) => reply.code(200).send({ healthy: true }));
  app.get('/ready', async (_request, reply) => {
    if (!reached) {
      try {
        const probe = options.db.query('SELECT 1');
        await withBudget(probe, options.timeoutMs, new AbortController().signal, 'the database');
        reached = true;
      } catch {
        return reply.code(503).send({ ready: false, reason: 'the database has not answered yet' });
      }
    }
    return reply.code(200).send({ ready: true });
  });
};
