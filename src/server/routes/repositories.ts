/**
 * Anchore's `POST /repositories?repository=<registry/repo>&autosubscribe=&dryrun=&lookuptag=`:
 * watch a repository. It creates the `repo_update` subscription (its value the JSON string
 * `{autosubscribe, lookuptag, tagcount}`) and adds the repository's `lookuptag` image so the
 * repository starts with a known tag; tags pushed later are added by the push consumers (and,
 * with `autosubscribe`, subscribed). `dryrun` changes nothing and answers what would be made.
 */
import { z } from 'zod';
import { parseReference } from '../../core/image/reference/parse.js';
import { addImageAndQueue } from '../../queue/request-analysis.js';
import { ApiError } from '../errors.js';
import { queryBoolean } from '../schemas.js';
import type { RouteDeps, V1 } from './index.js';
import { presentSubscription } from './subscriptions.js';

export function repositoryRoutes(app: V1, deps: RouteDeps): void {
  app.post(
    '/repositories',
    {
      schema: {
        querystring: z.object({
          repository: z.string().min(1).max(1024),
          autosubscribe: queryBoolean.optional(),
          dryrun: queryBoolean.optional(),
          lookuptag: z.string().min(1).max(128).optional(),
        }),
      },
    },
    async (request) => {
      const q = request.query;
      const lookuptag = q.lookuptag ?? 'latest';
      let ref;
      try {
        ref = parseReference(`${q.repository}:${lookuptag}`);
      } catch {
        throw new ApiError(400, `not a repository: ${q.repository}`);
      }
      const key = `${ref.registry}/${ref.repository}`;
      const { accountName } = request;
      const autosubscribe = q.autosubscribe ?? true;
      const { rows } = await deps.store.db.query<{ n: string | number }>(
        'SELECT count(DISTINCT tag) AS n FROM image_tag WHERE account_name = $1 AND registry = $2 AND repo = $3',
        [accountName, ref.registry, ref.repository],
      );
      const value = JSON.stringify({
        autosubscribe,
        lookuptag,
        tagcount: Math.max(Number(rows[0]?.n ?? 0), 1),
      });
      if (q.dryrun) {
        const now = new Date();
        return [
          presentSubscription({
            id: '',
            accountName,
            type: 'repo_update',
            key,
            value,
            active: true,
            createdAt: now,
            lastUpdated: now,
          }),
        ];
      }
      // The lookup tag must exist: resolving it checks the repository and the credentials.
      const { digest, parentDigest } = await deps.resolveImage(ref, accountName);
      await addImageAndQueue(deps.store, deps.queue, {
        accountName,
        imageDigest: digest,
        parentDigest,
        tag: { registry: ref.registry, repo: ref.repository, tag: lookuptag },
      });
      await deps.store.subscriptions.ensureForTag(accountName, `${key}:${lookuptag}`, autosubscribe);
      const existing = (await deps.store.subscriptions.list(accountName, { key, type: 'repo_update' }))[0];
      const record = existing
        ? await deps.store.subscriptions.update(accountName, existing.id, { active: true, value })
        : await deps.store.subscriptions.add({ accountName, type: 'repo_update', key, value, active: true });
      if (!record) throw new ApiError(500, 'the repo_update subscription could not be stored');
      return [presentSubscription(record)];
    },
  );
}
