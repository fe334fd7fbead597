import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { resolveImageOptions, type GlobalFlags } from '../config/index.js';
import { RegistryClients } from '../core/image/backends/registry/clients.js';
import type { ImageEnvironment, ImageRequest } from '../core/image/options.js';
import { parseReference } from '../core/image/reference/parse.js';
import { parseSource } from '../core/image/source.js';

/** Global flags shared by every command that reads an image. */
export function addImageFlags(cmd: Command): Command {
  return cmd
    .option(
      '--platform <os/arch[/variant]>',
      'platform to pick from a multi-platform image (default: this host)',
    )
    .option('--all-platforms', 'read every platform of a multi-platform image')
    .option('--insecure', 'allow plain HTTP and unverified TLS to the registry')
    .option('--ca-file <pem>', 'extra CA certificate(s) to trust (repeatable)', collect, [])
    .option('--username <user>', 'registry user name (env PORTCULLIS_REGISTRY_USERNAME)')
    .option('--password <password>', 'registry password (env PORTCULLIS_REGISTRY_PASSWORD)')
    .option('--timeout <seconds>', 'network timeout per request', '60')
    .option(
      '--blob-concurrency <n>',
      'layer blobs downloaded at once from a registry (env PORTCULLIS_BLOB_CONCURRENCY; default 3)',
    );
}

/** The registry host of a `registry:` source (normalized as Docker does); undefined otherwise. */
export function registryHost(source: string): string | undefined {
  if (source.startsWith('sbom:')) return undefined;
  const spec = parseSource(source);
  return spec.scheme === 'registry' ? parseReference(spec.target).registry : undefined;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * Runs `fn` with the run's image environment (its registry client pool is this run's, closed
 * at the end) and a request with a private temp dir that is always removed, whatever happens
 * inside, an interruption included (`signal` aborts the work, then this cleans up).
 */
export async function withImageOptions<T>(
  flags: GlobalFlags,
  fn: (env: ImageEnvironment, request: ImageRequest) => Promise<T>,
  signal?: AbortSignal,
  /** The source named on the command line: --username/--password go to its registry only. */
  source?: string,
): Promise<T> {
  const temp = await mkdtemp(join(tmpdir(), 'portcullis-'));
  let clients: RegistryClients | undefined;
  try {
    const { settings, request } = resolveImageOptions(
      flags,
      undefined,
      temp,
      source ? registryHost(source) : undefined,
      (line) =>
        process.stderr.write(`warning: ${line}
`),
    );
    clients = new RegistryClients(settings.registry);
    const env: ImageEnvironment = Object.freeze({ ...settings, clients });
    return await fn(env, signal ? Object.freeze({ ...request, signal }) : request);
  } finally {
    await clients?.close();
    await rm(temp, { recursive: true, force: true });
  }
}

/** The global options of the root program (e.g. --cache-dir), merged with the command's own. */
export function allFlags<T extends object>(cmd: Command): T & GlobalFlags {
  return cmd.optsWithGlobals() as T & GlobalFlags;
}
