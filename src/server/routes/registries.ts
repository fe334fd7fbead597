/**
 * Registry credentials, Anchore's `/registries`. `validate=true` (anchore-cli's default) logs
 * in before anything is saved: 406 when the registry refuses. The password is never answered.
 */
import { z } from 'zod';
import { isPortcullisError } from '../../core/errors.js';
import type { RegistryCredential } from '../../store/repositories/registry-credentials.js';
import { ApiError, notFound } from '../errors.js';
import { isoTime, jsonString, queryBoolean, timestamp } from '../schemas.js';
import type { RouteDeps, V1 } from './index.js';

/** What every answer shows instead of the password. */
export const MASKED_PASSWORD = '****';

export const registryRecordSchema = z.object({
  registry: z.string(),
  registry_name: z.string(),
  registry_user: z.string(),
  registry_pass: z.literal(MASKED_PASSWORD),
  registry_type: z.string(),
  registry_verify: z.boolean(),
  userId: z.string(),
  created_at: timestamp,
  last_updated: timestamp,
});

const present = (c: RegistryCredential): z.infer<typeof registryRecordSchema> => ({
  registry: c.registry,
  registry_name: c.registryName,
  registry_user: c.registryUser,
  registry_pass: MASKED_PASSWORD,
  registry_type: c.registryType,
  registry_verify: c.registryVerify,
  userId: c.accountName,
  created_at: isoTime(c.createdAt),
  last_updated: isoTime(c.lastUpdated),
});

/** A host[:port][/namespace], as docker writes it: no scheme, no trailing slash, no spaces. */
const registryName = z
  .string()
  .min(1)
  .max(512)
  .refine((r) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(r), 'give the registry without http:// or https://')
  .refine((r) => !r.endsWith('/'), 'give the registry without a trailing slash')
  .refine((r) => !/\s/.test(r), 'the registry must not contain whitespace');

const registryBody = z.object({
  registry: registryName,
  registry_user: z.string().min(1).max(1024),
  registry_pass: z.string().min(1).max(65536),
  registry_type: z.enum(['docker_v2', 'awsecr']).default('docker_v2'),
  registry_verify: z.boolean().default(true),
  registry_name: z.string().max(512).nullish(),
});
type RegistryBody = z.infer<typeof registryBody>;

const validateQuery = z.object({ validate: queryBoolean.optional() });
const registryParams = z.object({ registry: registryName });

export function registryRoutes(app: V1, deps: RouteDeps): void {
  const registries = deps.store.registries;

  /** Logs in as docker would; only `docker_v2` credentials are a docker login (ECR's are AWS keys). */
  const validated = async (body: RegistryBody, validate: boolean) => {
    if (!validate || body.registry_type !== 'docker_v2') return;
    try {
      await deps.checkRegistryLogin({
        registry: body.registry,
        username: body.registry_user,
        password: body.registry_pass,
        verifyTls: body.registry_verify,
      });
    } catch (err) {
      if (!isPortcullisError(err)) throw err;
      throw new ApiError(
        406,
        `cannot add or update the registry: the login to ${body.registry} as ${body.registry_user} failed: ${err.message}`,
        { error_code: err.code },
      );
    }
  };

  const input = (accountName: string, body: RegistryBody) => ({
    accountName,
    registry: body.registry,
    registryName: body.registry_name || body.registry,
    registryUser: body.registry_user,
    registryPass: body.registry_pass,
    registryType: body.registry_type,
    registryVerify: body.registry_verify,
  });

  app.get('/registries', async (request) => (await registries.list(request.accountName)).map(present));

  app.post('/registries', { schema: { querystring: validateQuery, body: registryBody } }, async (request) => {
    if (await registries.get(request.accountName, request.body.registry))
      throw new ApiError(409, `registry ${request.body.registry} already exists`);
    await validated(request.body, request.query.validate ?? false);
    return [present(await registries.create(input(request.accountName, request.body)))];
  });

  app.get('/registries/:registry', { schema: { params: registryParams } }, async (request) => {
    const found = await registries.get(request.accountName, request.params.registry);
    if (!found) throw notFound(`registry ${request.params.registry}`);
    return [present(found)];
  });

  app.put(
    '/registries/:registry',
    { schema: { params: registryParams, querystring: validateQuery, body: registryBody } },
    async (request) => {
      const { registry } = request.params;
      if (request.body.registry !== registry)
        throw new ApiError(400, `the body's registry ${request.body.registry} is not the path's ${registry}`);
      if (!(await registries.get(request.accountName, registry))) throw notFound(`registry ${registry}`);
      await validated(request.body, request.query.validate ?? false);
      const updated = await registries.update(input(request.accountName, request.body));
      if (!updated) throw notFound(`registry ${registry}`);
      return [present(updated)];
    },
  );

  app.delete('/registries/:registry', { schema: { params: registryParams } }, async (request, reply) => {
    if (!(await registries.delete(request.accountName, request.params.registry)))
      throw notFound(`registry ${request.params.registry}`);
    return reply.type('application/json').send(jsonString('deleted'));
  });
}
