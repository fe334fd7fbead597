/**
 * buildApp(deps): the fastify instance of the REST API, without listening and without reading
 * the environment. Schema-first routes (zod) give validation, types and the OpenAPI document.
 */
import { randomBytes } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { isPortcullisError } from '../core/errors.js';
import type { JobQueue } from '../queue/queue.js';
import type { ServiceStore } from '../store/repositories/index.js';
import { ApiError, errorBody, STATUS_BY_CODE } from './errors.js';
import { harborAdapterRoutes } from './harbor/plugin.js';
import { uiPlugin, type UiOptions } from '../ui/plugin.js';
import { INTERNAL_KEY_HEADER, INTERNAL_USER_HEADER, installAuth } from './plugins/auth.js';
import { createMetricsRegistry, installMetrics } from './plugins/metrics.js';
import { OneLineRequestLog } from './plugins/request-log.js';
import { registerRoutes, type RouteDeps } from './routes/index.js';

/** The Anchore API version clients probe at /swagger.json (anchore-cli wants >= 0.1.6). */
export const ANCHORE_API_VERSION = '0.1.20';

export interface AppDeps extends Omit<RouteDeps, 'store' | 'queue'> {
  store: ServiceStore;
  queue: JobQueue;
  logger?: Logger | false;
  /** Largest request body in bytes (default 16 MiB: policy bundles and Dockerfiles, not SBOMs of GBs). */
  bodyLimit?: number;
  metrics?: Registry;
  /** Serve HTTPS with this certificate and key (PEM). */
  https?: { cert: Buffer; key: Buffer };
  /** Serve Harbor's pluggable scanner adapter API under /api/v1 for this token and account. */
  harbor?: { token: string; account: string };
  /**
   * How long a checked password login stands without a query while no login change happened in
   * this process (default: forever on the embedded store, 1 s on PostgreSQL; ADR 0023).
   */
  loginRecheckMs?: number;
  /** The web UI at `/` (on unless false); its cookies are Secure when `https` is set, unless told. */
  ui?: Partial<UiOptions> | false;
}

/** One registered route, for the tenancy test that must cover every one. */
export interface RouteEntry {
  method: string;
  url: string;
  public: boolean;
  admin: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    routeTable: readonly RouteEntry[];
  }
}

export type App = FastifyInstance;

export async function buildApp(deps: AppDeps): Promise<App> {
  const bodyLimit = deps.bodyLimit ?? 16 * 1024 * 1024;
  const options: FastifyServerOptions = {
    bodyLimit,
    genReqId: () => crypto.randomUUID(),
    requestIdHeader: 'x-request-id',
    logController: new OneLineRequestLog(),
    routerOptions: { ignoreTrailingSlash: true },
  };
  const app = Fastify({
    ...options,
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    // Typed as the http variant (App); fastify creates an https.Server when `https` is set.
    ...(deps.https ? ({ https: deps.https } as object) : {}),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // anchore-cli sends Content-Type: application/json on every request, bodies or not.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new ApiError(400, 'malformed JSON in the request body'), undefined);
    }
  });

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof ApiError)
      return reply.status(error.httpcode).send(errorBody(error.httpcode, error.message, error.detail));
    if (hasZodFastifySchemaValidationErrors(error)) {
      const issues = error.validation.map((v) => ({ path: v.instancePath, message: v.message }));
      return reply
        .status(400)
        .send(
          errorBody(
            400,
            `invalid request: ${issues.map((i) => `${i.path || error.validationContext || 'input'} ${i.message}`).join('; ')}`,
            { validation_details: issues },
          ),
        );
    }
    if (isPortcullisError(error)) {
      const status = error.details.conflict ? 409 : STATUS_BY_CODE[error.code];
      if (status >= 500) request.log.error({ err: error }, 'request failed');
      return reply.status(status).send(errorBody(status, error.message, { error_code: error.code }));
    }
    const status =
      typeof (error as { statusCode?: unknown }).statusCode === 'number'
        ? (error as { statusCode: number }).statusCode
        : 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.status(500).send(errorBody(500, 'internal error', { request_id: request.id }));
    }
    return reply.status(status).send(errorBody(status, (error as Error).message));
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(errorBody(404, `no route ${request.method} ${request.url.split('?')[0]}`)),
  );

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Portcullis API (Anchore Engine v1 compatible)', version: ANCHORE_API_VERSION },
      components: {
        securitySchemes: {
          basic: { type: 'http', scheme: 'basic' },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ basic: [] }, { bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  const routeTable: RouteEntry[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs')) route.config = { ...(route.config as object), public: true };
    const config = (route.config ?? {}) as { public?: boolean; admin?: boolean };
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD')
        routeTable.push({
          method,
          url: route.url,
          public: config.public === true,
          admin: config.admin === true,
        });
    }
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list' } });

  // The UI calls /v1 in-process as its session's user, with a key that never leaves this process.
  const internalKey = randomBytes(32).toString('base64url');
  installAuth(app, deps.store, {
    internalKey,
    ...(deps.loginRecheckMs === undefined ? {} : { recheckMs: deps.loginRecheckMs }),
  });
  installMetrics(app, deps.metrics ?? createMetricsRegistry(), deps.queue);
  const openapi = () => app.swagger();
  for (const path of ['/openapi.json', '/swagger.json', '/v1/swagger.json']) {
    app.get(path, { config: { public: true }, schema: { hide: true } }, async () => openapi());
  }
  await app.register(async (v1) => registerRoutes(v1.withTypeProvider<ZodTypeProvider>(), deps), {
    prefix: '/v1',
  });
  const harbor = deps.harbor;
  if (harbor)
    await app.register(async (api) => harborAdapterRoutes(api, { ...deps, ...harbor }), {
      prefix: '/api/v1',
    });
  if (deps.ui !== false) {
    await app.register(uiPlugin, {
      secureCookies: deps.https !== undefined,
      ...(deps.ui ?? {}),
      store: deps.store,
      root: app,
      internalHeaders: (accountName, username) => ({
        [INTERNAL_KEY_HEADER]: internalKey,
        [INTERNAL_USER_HEADER]: `${accountName}/${username}`,
      }),
    });
  }
  return app;
}
