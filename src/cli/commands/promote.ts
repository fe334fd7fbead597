/**
 * `portcullis promote <src> <dst>`: the scan-gated promotion for pipelines without the
 * service. Resolves the source tag to a digest once, evaluates that digest exactly as
 * `evaluate` does (same flags, same output, exit 0 pass, 2 fail, 1 error), and only on pass
 * copies it by digest to the destination (manifest or whole index, referrers, then the tag).
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { copyImage } from '../../core/image/backends/registry/copy.js';
import { registryClient } from '../../core/image/backends/registry/index.js';
import { Keychain } from '../../core/image/backends/registry/keychain.js';
import type { ImageEnvironment, ImageRequest, RegistryAccess } from '../../core/image/options.js';
import { parseReference, referenceName, type ImageReference } from '../../core/image/reference/parse.js';
import { parseSource } from '../../core/image/source.js';
import { PortcullisError } from '../../core/errors.js';
import { evaluate } from '../../core/pipeline/index.js';
import { renderDecisionJson, renderDecisionTable } from '../../core/policy/index.js';
import { resolveBundle } from '../../core/policy/load.js';
import { addAnalyzeFlags, addDatabaseFlags } from '../analyze.js';
import { commandSummary } from '../command-table.js';
import { addImageFlags, allFlags, withImageOptions } from '../context.js';
import { EXIT } from '../exit-codes.js';
import type { CliRuntime } from '../runtime.js';
import { addFindingsFlags, addGateFlags, withFindingsRequest, type FindingsFlags } from './scan.js';

interface PromoteFlags extends FindingsFlags {
  policy: string;
  output: string;
  destUsername?: string;
  destPassword?: string;
  referrers: boolean;
}

/** A registry reference, with or without the `registry:` prefix; other sources cannot be promoted. */
function registryReference(input: string, what: string): ImageReference {
  const spec = parseSource(input);
  if (spec.scheme !== 'registry')
    throw new PortcullisError('INVALID_ARGUMENT', `${what} must be a registry image, not ${spec.scheme}:`);
  return parseReference(spec.target);
}

/** Whether the reference names a tag itself (parseReference fills in "latest" otherwise). */
function namesTag(input: string): boolean {
  const target = parseSource(input).target.split('@')[0] ?? '';
  return (target.split('/').at(-1) ?? '').includes(':');
}

/**
 * The destination's access: the run's keychain, plus --dest-username/--dest-password for the
 * destination repository only (the most specific entry, so the source keeps its own login
 * even on the same registry).
 */
function destinationAccess(
  env: ImageEnvironment,
  request: ImageRequest,
  dst: ImageReference,
  flags: PromoteFlags,
): RegistryAccess {
  const base = request.access ?? { keychain: env.keychain, insecureHosts: [] };
  if (flags.destUsername === undefined && flags.destPassword === undefined) return base;
  const keychain = new Keychain({
    entries: [
      ...base.keychain.entries,
      {
        registry: dst.registry,
        repositoryPrefix: dst.repository,
        credential: { username: flags.destUsername ?? '', password: flags.destPassword ?? '' },
        source: '--dest-username/--dest-password',
      },
    ],
    dockerConfigDir: base.keychain.dockerConfigDir,
  });
  return { keychain, insecureHosts: base.insecureHosts };
}

async function sourceDigest(
  src: ImageReference,
  env: ImageEnvironment,
  request: ImageRequest,
): Promise<string> {
  if (src.digest) return src.digest;
  const head = await registryClient(src.registry, env, request).headManifest(
    src.repository,
    src.tag ?? 'latest',
    env.limits.maxManifestBytes,
    `manifest of ${referenceName(src)}:${src.tag ?? 'latest'}`,
  );
  return head.digest;
}

export function registerPromoteCommand(program: Command, runtime: CliRuntime): void {
  const cmd = program
    .command('promote')
    .description(commandSummary('promote'))
    .argument('<src>', 'the image to promote: registry/repository:tag (or @digest)')
    .argument('<dst>', 'where it goes on pass: registry/repository[:tag] (default: the source tag)')
    .requiredOption('--policy <bundle>', 'policy bundle: a JSON file (Anchore format 1_0) or builtin:<name>')
    .option(
      '--dest-username <user>',
      'user name for the destination registry (default: --username when it is the same registry, else docker config)',
    )
    .option('--dest-password <password>', 'password for the destination registry')
    .option('--no-referrers', 'do not copy signatures and attestations (referrers)')
    .addOption(
      new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'),
    );
  addGateFlags(cmd);
  addFindingsFlags(addDatabaseFlags(addAnalyzeFlags(addImageFlags(cmd)))).action(
    async (srcInput: string, dstInput: string, _o: unknown, command: Command) => {
      const flags = allFlags<PromoteFlags>(command);
      const src = registryReference(srcInput, 'the source');
      const dst = registryReference(dstInput, 'the destination');
      const bundle = await resolveBundle(flags.policy);
      const digest = await withImageOptions(
        flags,
        (env, request) => sourceDigest(src, env, request),
        runtime.signal,
        srcInput,
      );
      // What is evaluated is exactly what is copied: the digest, never the tag again.
      const pinned = `registry:${referenceName(src)}@${digest}`;
      const tag = `${referenceName(src)}:${src.tag ?? 'latest'}`;
      const { decision } = await withFindingsRequest(pinned, flags, runtime, (request) =>
        evaluate({
          ...request,
          bundle,
          tags: [tag],
          ...(flags.allowUnreadablePackageDb ? { allowUnreadablePackageDb: true } : {}),
        }),
      );
      process.stdout.write(
        flags.output === 'json' ? renderDecisionJson(decision) + '\n' : renderDecisionTable(decision),
      );
      if (decision.status !== 'pass') {
        process.stderr.write(`not promoted: ${tag} (${digest}) fails the policy\n`);
        process.exitCode = EXIT.GATE_FAILED;
        return;
      }
      const dstTag = (namesTag(dstInput) ? dst.tag : undefined) ?? src.tag ?? 'latest';
      const result = await withImageOptions(
        flags,
        (env, request) =>
          copyImage({
            source: { client: registryClient(src.registry, env, request), repository: src.repository },
            destination: {
              client: env.clients.client(dst.registry, destinationAccess(env, request, dst, flags)),
              repository: dst.repository,
            },
            digest,
            tags: [dstTag],
            referrers: flags.referrers,
            maxManifestBytes: env.limits.maxManifestBytes,
            ...(runtime.signal ? { signal: runtime.signal } : {}),
          }),
        runtime.signal,
        srcInput,
      );
      const { mounted, uploaded, present } = result.blobs;
      process.stderr.write(
        `promoted ${referenceName(dst)}:${dstTag}@${result.digest} (blobs: ${uploaded} uploaded, ${mounted} mounted, ${present} already there; ${result.manifests.length} manifests; ${result.referrers.length} referrers)\n`,
      );
      process.exitCode = EXIT.OK;
    },
  );
}
