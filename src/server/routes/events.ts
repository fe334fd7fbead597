/**
 * Anchore's event log: GET /events (filters, 100 per page, newest first, `next_page` a JSON
 * boolean), get and delete one, delete matching ones, and the catalogue at /event_types.
 */
import { z } from 'zod';
import { EVENT_CATALOGUE } from '../../store/repositories/event-types.js';
import type { EventFilter, EventRecord } from '../../store/repositories/events.js';
import { notFound } from '../errors.js';
import { isoTime } from '../schemas.js';
import type { RouteDeps, V1 } from './index.js';

const PAGE_SIZE = 100;

const isoDate = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO-8601 timestamp')
  .transform((s) => new Date(s));

const filterQuery = z.object({
  since: isoDate.optional(),
  before: isoDate.optional(),
  level: z
    .enum(['info', 'error', 'INFO', 'ERROR'])
    .transform((l) => l.toLowerCase() as 'info' | 'error')
    .optional(),
  source_servicename: z.string().max(256).optional(),
  source_hostid: z.string().max(256).optional(),
  resource_id: z.string().max(1024).optional(),
  resource_type: z.string().max(256).optional(),
  event_type: z.string().max(256).optional(),
});

const toFilter = (q: z.infer<typeof filterQuery>): EventFilter => ({
  since: q.since,
  before: q.before,
  level: q.level,
  type: q.event_type,
  resourceType: q.resource_type,
  resourceId: q.resource_id,
  sourceService: q.source_servicename,
  sourceHost: q.source_hostid,
});

function presentEvent(e: EventRecord, baseUrl: string) {
  return {
    generated_uuid: e.id,
    created_at: isoTime(e.createdAt),
    event: {
      type: e.type,
      level: e.level,
      message: e.message,
      details: e.details,
      timestamp: isoTime(e.createdAt),
      category: e.category,
      resource: { user_id: e.accountName, type: e.resourceType, id: e.resourceId },
      source: { servicename: e.sourceService, hostid: e.sourceHost, base_url: baseUrl, request_id: null },
    },
  };
}

const idParams = z.object({ eventId: z.string().min(1).max(128) });

export function eventRoutes(app: V1, deps: RouteDeps): void {
  const { events } = deps.store;

  app.get(
    '/events',
    {
      schema: {
        querystring: filterQuery.extend({ page: z.coerce.number().int().min(1).max(1_000_000).default(1) }),
      },
    },
    async (request) => {
      const { page, ...query } = request.query;
      const result = await events.page(request.accountName, toFilter(query), page, PAGE_SIZE);
      return {
        results: result.events.map((e) => presentEvent(e, deps.baseUrl)),
        next_page: result.nextPage,
        item_count: result.events.length,
        page,
      };
    },
  );

  app.delete('/events', { schema: { querystring: filterQuery } }, async (request) =>
    events.deleteMatching(request.accountName, toFilter(request.query)),
  );

  app.get('/events/:eventId', { schema: { params: idParams } }, async (request) => {
    const event = await events.get(request.accountName, request.params.eventId);
    if (!event) throw notFound('event');
    return presentEvent(event, deps.baseUrl);
  });

  app.delete('/events/:eventId', { schema: { params: idParams } }, async (request, reply) => {
    if (!(await events.delete(request.accountName, request.params.eventId))) throw notFound('event');
    return reply.status(200).send();
  });

  app.get('/event_types', async () =>
    Object.entries(EVENT_CATALOGUE).map(([category, subcategories]) => ({
      name: category,
      description: `${category} events`,
      subcategories: Object.entries(subcategories).map(([name, types]) => ({
        name,
        description: `${category}.${name} events`,
        events: (types as readonly { type: string; level: string; message: string }[]).map((t) => ({
          name: t.type,
          type: t.type,
          message: t.message,
          resource_type: null,
          level: t.level,
        })),
      })),
    })),
  );
}
