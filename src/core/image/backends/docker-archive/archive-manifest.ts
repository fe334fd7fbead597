/** The `manifest.json` of a `docker save` archive, parsed at the edge. */
import { z } from 'zod';
import { PortcullisError } from '../../../errors.js';

const entrySchema = z.object({
  Config: z.string().min(1),
  RepoTags: z.array(z.string()).nullish(),
  Layers: z.array(z.string().min(1)),
});

export type ArchiveEntry = z.infer<typeof entrySchema>;

export function parseArchiveManifest(raw: Buffer, source: string): ArchiveEntry[] {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new PortcullisError('MANIFEST_INVALID', `${source}: manifest.json is not valid JSON`, {
      cause: err,
    });
  }
  const result = z.array(entrySchema).safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new PortcullisError(
      'MANIFEST_INVALID',
      `${source}: manifest.json is not a docker save manifest: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : ''}`,
    );
  }
  if (result.data.length === 0) {
    throw new PortcullisError('NOT_FOUND', `${source}: manifest.json lists no images`);
  }
  return result.data;
}

/** `app` means `app:latest`; `docker.io/library/` is how Docker may spell the same name. */
function tagVariants(ref: string): string[] {
  const lastSlash = ref.lastIndexOf('/');
  const withTag = ref.slice(lastSlash + 1).includes(':') ? ref : `${ref}:latest`;
  const short = withTag.replace(/^docker\.io\/(library\/)?/, '');
  return [withTag, short, `docker.io/${short}`, `docker.io/library/${short}`];
}

/** Picks the image tagged `ref`, or the only image; errors list the tags the archive holds. */
export function selectEntry(
  entries: readonly ArchiveEntry[],
  ref: string | undefined,
  source: string,
): ArchiveEntry {
  const tags = entries.flatMap((e) => e.RepoTags ?? []);
  const listed = tags.length ? tags.join(', ') : 'none';
  if (ref !== undefined) {
    const wanted = tagVariants(ref);
    const found = entries.find((e) => (e.RepoTags ?? []).some((t) => wanted.includes(t)));
    if (found) return found;
    throw new PortcullisError(
      'NOT_FOUND',
      `${source}: no image tagged "${ref}" (available tags: ${listed})`,
      {
        details: { tag: ref, available: tags },
      },
    );
  }
  const only = entries[0];
  if (entries.length === 1 && only) return only;
  throw new PortcullisError(
    'INVALID_ARGUMENT',
    `${source}: the archive holds ${entries.length} images; name one with :<repo:tag> (available tags: ${listed})`,
    { details: { available: tags } },
  );
}
