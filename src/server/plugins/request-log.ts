/**
 * One log line per request, when it completes: the request (method, url, host, peer), the
 * status and the response time, under the request's id. Fastify's default writes two (incoming
 * and completed); under load the second write per request is a measurable share of the
 * service's CPU time (ADR 0023), and the completed line alone says everything the pair did,
 * except for a request that never completes, which its error or the closed stream logs instead.
 */
import { LogController } from 'fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';

export class OneLineRequestLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (this.isLogDisabled(request)) return;
    if (error)
      reply.log.error(
        { req: request, res: reply, err: error, responseTime: reply.elapsedTime },
        'request errored',
      );
    else reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}
