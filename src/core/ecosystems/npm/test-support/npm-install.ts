/**
 * Real installs from the npm registry for ground-truth tests, cached under
 * ~/.cache/portcullis-test-npm/<hash> so reruns do not hit the network.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Runs `setup(dir)` once per key into a cached folder and returns that folder.
 * Building in a temp sibling and renaming keeps a failed or interrupted install out of the cache.
 */
export async function cachedInstall(key: string, setup: (dir: string) => Promise<void>): Promise<string> {
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 16);
  const base = join(homedir(), '.cache', 'portcullis-test-npm');
  const dir = join(base, hash);
  if (existsSync(join(dir, '.complete'))) return dir;
  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  await setup(tmp);
  await writeFile(join(tmp, '.complete'), key);
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
  return dir;
}

export async function sh(cmd: string, args: string[], cwd: string): Promise<string> {
  const { stdout } = await run(cmd, args, {
    cwd,
    maxBuffer: 64 * 1024 * 1024,
    env: {
      ...process.env,
      npm_config_update_notifier: 'false',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
    },
  });
  return stdout;
}

export interface LsNode {
  version?: string;
  dependencies?: Record<string, LsNode>;
}

/** `npm ls --all --json` flattened to name@version (npm's own view of the installed tree). */
export function flattenLs(node: LsNode, out = new Set<string>()): Set<string> {
  for (const [name, dep] of Object.entries(node.dependencies ?? {})) {
    if (dep.version !== undefined) out.add(`${name}@${dep.version}`);
    flattenLs(dep, out);
  }
  return out;
}
