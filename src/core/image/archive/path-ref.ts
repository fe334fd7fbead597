import { stat } from 'node:fs/promises';
import { PortcullisError } from '../../errors.js';

export interface PathAndRef {
  path: string;
  /** What followed the path after a colon: a tag (`oci-dir:x:v1`) or `repo:tag` (`docker-archive:x.tar:app:1`). */
  ref?: string;
}

async function pathExists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Splits `<path>[:<ref>]`. Paths may themselves contain colons, so the whole target wins
 * when it exists; otherwise the shortest existing prefix ending before a colon is the path.
 */
export async function splitPathAndRef(target: string, source: string): Promise<PathAndRef> {
  if (await pathExists(target)) return { path: target };
  for (let i = target.indexOf(':'); i > 0; i = target.indexOf(':', i + 1)) {
    const path = target.slice(0, i);
    const ref = target.slice(i + 1);
    if (ref !== '' && (await pathExists(path))) return { path, ref };
  }
  throw new PortcullisError('NOT_FOUND', `${source}: ${target} does not exist`, {
    details: { path: target },
  });
}
