/**
 * A repository's tags (`GET /v2/<name>/tags/list`, OCI distribution spec "content discovery"):
 * pages of `n` tags followed through the `Link: <…>; rel="next"` header. Bounded for hostile
 * registries: a page's bytes, the number of pages and of tags are capped, a `next` link may not
 * leave the registry's origin (the client would send its credentials there), may not name
 * another path than this repository's tag list, and may not repeat (a loop).
 */
import { z } from 'zod';
import { PortcullisError } from '../../../errors.js';
import { readAll } from '../../partial.js';
import type { RepositoryTarget } from './push.js';

export interface TagListLimits {
  /** `n` asked for per page (the registry may send fewer). */
  pageSize: number;
  /** Pages followed at most. */
  maxPages: number;
  /** Tags kept at most; more is an error, not a silent truncation. */
  maxTags: number;
  /** Bytes of one page's body. */
  maxPageBytes: number;
}

export const DEFAULT_TAG_LIST_LIMITS: Readonly<TagListLimits> = Object.freeze({
  pageSize: 1000,
  maxPages: 100,
  maxTags: 20_000,
  maxPageBytes: 4 * 1024 * 1024,
});

/** The spec's tag grammar; anything else a registry lists is dropped and counted. */
const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

const tagPage = z.looseObject({ tags: z.array(z.string()).nullable().optional() });

export interface TagList {
  tags: string[];
  pages: number;
  /** Entries that were not valid tag names. */
  invalid: number;
}

/** The target of `Link: <url>; rel="next"`, if the header carries one. */
export function nextLink(header: string | string[] | undefined): string | undefined {
  const values = Array.isArray(header) ? header : header === undefined ? [] : [header];
  for (const value of values) {
    for (const part of value.split(/,(?=\s*<)/)) {
      const m = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
      if (m && /(?:^|;)\s*rel\s*=\s*"?next"?\s*(?:;|$)/i.test(m[2] as string)) return m[1];
    }
  }
  return undefined;
}

/** Lists every tag of the repository, page by page, within `limits`. */
export async function listTags(
  source: RepositoryTarget,
  limits: TagListLimits = DEFAULT_TAG_LIST_LIMITS,
  signal?: AbortSignal,
): Promise<TagList> {
  const { client, repository } = source;
  const what = `tag list of ${client.registry}/${repository}`;
  const listPath = `/v2/${repository}/tags/list`;
  const tags = new Set<string>();
  const visited = new Set<string>();
  let invalid = 0;
  let path: string | undefined = `${listPath}?n=${limits.pageSize}`;
  let origin: string | undefined;
  let pages = 0;
  while (path !== undefined) {
    if (pages >= limits.maxPages)
      throw new PortcullisError(
        'SIZE_LIMIT',
        `${what}: more than ${limits.maxPages} pages (the registry keeps sending rel="next" links)`,
        { details: { registry: client.registry, pages } },
      );
    visited.add(path);
    const res = await client.send({
      scope: `repository:${repository}:pull`,
      method: 'GET',
      path,
      what,
      headers: { accept: 'application/json' },
      signal,
    });
    if (res.statusCode !== 200) throw await client.statusError(res, what, 'repository', repository);
    origin ??= res.url.origin;
    const body = await readAll(res.body, limits.maxPageBytes, `${what} (page ${pages + 1})`);
    pages++;
    let parsed: z.infer<typeof tagPage>;
    try {
      parsed = tagPage.parse(JSON.parse(body.toString('utf8')));
    } catch {
      throw new PortcullisError('REGISTRY_PROTOCOL', `${what}: page ${pages} is not a tag list`);
    }
    for (const tag of parsed.tags ?? []) {
      if (!TAG_RE.test(tag)) {
        invalid++;
        continue;
      }
      tags.add(tag);
      if (tags.size > limits.maxTags)
        throw new PortcullisError('SIZE_LIMIT', `${what}: more than ${limits.maxTags} tags`, {
          details: { registry: client.registry, pages },
        });
    }
    path = nextPath(res.headers.link, res.url, origin, listPath, what);
    if (path !== undefined && visited.has(path))
      throw new PortcullisError('REGISTRY_PROTOCOL', `${what}: the rel="next" links go round in a loop`);
  }
  return { tags: [...tags].sort(), pages, invalid };
}

function nextPath(
  header: string | string[] | undefined,
  base: URL,
  origin: string,
  listPath: string,
  what: string,
): string | undefined {
  const link = nextLink(header);
  if (link === undefined) return undefined;
  let next: URL;
  try {
    next = new URL(link, base);
  } catch {
    throw new PortcullisError('REGISTRY_PROTOCOL', `${what}: rel="next" link is not a URL`);
  }
  if (next.origin !== origin || next.pathname !== listPath)
    throw new PortcullisError(
      'REGISTRY_PROTOCOL',
      `${what}: rel="next" link leaves the repository's tag list (${next.origin}${next.pathname.slice(0, 200)})`,
    );
  return `${next.pathname}${next.search}`;
}
