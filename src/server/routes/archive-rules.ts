/**
 * Anchore's archive rules: `/archives/rules` (add, list with `system_global`), get, delete and
 * `/archives/rules/{id}/history`. The rules are applied by the worker's `apply-archive-rules`
 * job (src/worker/jobs/archive-rules.ts); their meaning is in src/archive/rules.ts.
 */
import { z } from 'zod';
import { newRule } from '../../archive/rule-input.js';
import { ArchiveRuleRepository, type ArchiveRule } from '../../store/repositories/archive-rules.js';
import { ApiError } from '../errors.js';
import { queryBoolean } from '../schemas.js';
import { archiveCall } from './archives.js';
import type { RouteDeps, V1 } from './index.js';

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A selector field: a pattern with `*` globs; absent, null or empty means every value. */
const pattern = (field: string) =>
  z
    .string({ message: `${field} must be a string pattern` })
    .max(255, `${field} must be at most 255 characters`)
    .nullable()
    .optional()
    .transform((v) => (v ? v : '*'));

const selector = z
  .object({
    registry: pattern('selector.registry'),
    repository: pattern('selector.repository'),
    tag: pattern('selector.tag'),
  })
  .strict();

const days = (field: string, min: number) =>
  z
    .number({ message: `${field} must be an integer` })
    .int(`${field} must be an integer`)
    .min(min, `${field} must be at least ${min}`)
    .max(36_500, `${field} must be at most 36500`);

const ruleBody = z.object({
  transition: z.enum(['archive', 'delete'], { message: "transition must be 'archive' or 'delete'" }),
  analysis_age_days: days('analysis_age_days', 0).default(0),
  tag_versions_newer: z
    .number({ message: 'tag_versions_newer must be an integer' })
    .int('tag_versions_newer must be an integer')
    .min(0, 'tag_versions_newer must be at least 0')
    .max(100_000, 'tag_versions_newer must be at most 100000')
    .default(0),
  system_global: z.boolean({ message: 'system_global must be a boolean' }).default(false),
  selector: selector.nullable().optional(),
  exclude: z
    .object({
      selector: selector.nullable().optional(),
      expiration_days: days('exclude.expiration_days', -1).default(-1),
    })
    .nullable()
    .optional(),
  max_images_per_account: z
    .number({ message: 'max_images_per_account must be an integer' })
    .int('max_images_per_account must be an integer')
    .min(1, 'max_images_per_account must be at least 1')
    .nullable()
    .optional(),
  rule_id: z.string().optional(),
  created_at: z.unknown().optional(),
  last_updated: z.unknown().optional(),
});

const WILDCARD = { registry: '*', repository: '*', tag: '*' };

export const presentRule = (r: ArchiveRule) => ({
  rule_id: r.ruleId,
  system_global: r.systemGlobal,
  transition: r.transition,
  analysis_age_days: r.analysisAgeDays,
  tag_versions_newer: r.tagVersionsNewer,
  selector: r.selector,
  exclude: r.exclude && { selector: r.exclude.selector, expiration_days: r.exclude.expirationDays },
  max_images_per_account: r.maxImagesPerAccount,
  created_at: iso(r.createdAt),
  last_updated: iso(r.lastUpdated),
});

const idParams = z.object({ ruleId: z.string().min(1).max(128) });

export function archiveRuleRoutes(app: V1, deps: RouteDeps): void {
  const rules = new ArchiveRuleRepository(deps.store.db);
  const visible = async (accountName: string, ruleId: string) => {
    const rule = await rules.get(accountName, ruleId);
    if (!rule) throw new ApiError(404, `archive rule ${ruleId} not found`);
    return rule;
  };

  app.get(
    '/archives/rules',
    { schema: { querystring: z.object({ system_global: queryBoolean.optional() }) } },
    async (request) =>
      (await rules.list(request.accountName, request.query.system_global ?? true)).map(presentRule),
  );

  app.post('/archives/rules', { schema: { body: ruleBody } }, async (request) => {
    const b = request.body;
    // An exclusion without a selector excludes nothing (anchore-cli sends an empty one).
    const exclude = b.exclude?.selector
      ? { selector: b.exclude.selector, expirationDays: b.exclude.expiration_days }
      : null;
    const input = await archiveCall(async () =>
      newRule(
        {
          transition: b.transition,
          analysisAgeDays: b.analysis_age_days,
          tagVersionsNewer: b.tag_versions_newer,
          systemGlobal: b.system_global,
          selector: b.selector ?? WILDCARD,
          exclude,
          maxImagesPerAccount: b.max_images_per_account ?? null,
        },
        { accountName: request.accountName, isAdmin: request.principal?.account.type === 'admin' },
      ),
    );
    return presentRule(await rules.add(input));
  });

  app.get('/archives/rules/:ruleId', { schema: { params: idParams } }, async (request) =>
    presentRule(await visible(request.accountName, request.params.ruleId)),
  );

  app.delete('/archives/rules/:ruleId', { schema: { params: idParams } }, async (request, reply) => {
    const rule = await visible(request.accountName, request.params.ruleId);
    if (rule.accountName !== request.accountName) {
      throw new ApiError(
        403,
        `archive rule ${rule.ruleId} is system_global: only the admin account deletes it`,
      );
    }
    await rules.delete(request.accountName, rule.ruleId);
    return reply.status(200).send();
  });

  app.get('/archives/rules/:ruleId/history', { schema: { params: idParams } }, async (request) => {
    const rule = await visible(request.accountName, request.params.ruleId);
    return (await rules.history(request.accountName, rule.ruleId)).map((h) => ({
      transition_task_id: h.id,
      rule_id: h.ruleId,
      imageDigest: h.imageDigest,
      transition: h.transition,
      state: h.status,
      detail: h.detail,
      created_at: iso(h.createdAt),
      last_updated: iso(h.createdAt),
    }));
  });
}
