/**
 * `portcullis k8s policy-report --namespace <ns>`: evaluate every image a namespace runs and
 * print one PolicyReport (wgpolicyk8s.io/v1alpha2) for it, to `kubectl apply -f -`. The pods
 * come from `kubectl get pods -n <ns> -o json`, or from a file (`-` = stdin) of that output.
 * --username/--password go only to the registry named by --registry.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { Option } from 'commander';
import { stringify as toYaml } from 'yaml';
import { defaultCacheDir } from '../../config/index.js';
import { isPortcullisError, PortcullisError, type ErrorCode } from '../../core/errors.js';
import { MAX_SBOM_BYTES, readBoundedFile } from '../../core/io/read-bounded-file.js';
import { parsePodList, runningImages, type RunningImage } from '../../core/kubernetes/pods.js';
import { buildPolicyReport, type ImageOutcome } from '../../core/kubernetes/policy-report.js';
import { evaluate } from '../../core/pipeline/index.js';
import { resolveBundle } from '../../core/policy/load.js';
import { addAnalyzeFlags, addDatabaseFlags, analyzeRequest, openVulnerabilityDatabase } from '../analyze.js';
import { commandSummary } from '../command-table.js';
import { addImageFlags, allFlags, registryHost, withImageOptions } from '../context.js';
import type { CliRuntime } from '../runtime.js';
import { addFindingsFlags, findingsOptions, type FindingsFlags } from './scan.js';

interface PolicyReportFlags extends FindingsFlags {
  namespace: string;
  pods?: string;
  kubectl: string;
  kubeconfig?: string;
  policy: string;
  output: 'yaml' | 'json';
  file?: string;
  registry?: string;
}

/** Errors that end the whole run rather than one image's result. */
const FATAL: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'ABORTED',
  'NO_VULNERABILITY_DATA',
  'POLICY_INVALID',
]);

async function readPods(flags: PolicyReportFlags): Promise<unknown> {
  let text: string;
  if (flags.pods !== undefined) {
    const file = flags.pods === '-' ? '/dev/stdin' : flags.pods;
    text = (await readBoundedFile(file, 'pod list', MAX_SBOM_BYTES)).toString('utf8');
  } else {
    const run = promisify(execFile);
    const args = [
      'get',
      'pods',
      '--namespace',
      flags.namespace,
      '--output',
      'json',
      ...(flags.kubeconfig ? ['--kubeconfig', flags.kubeconfig] : []),
    ];
    text = await run(flags.kubectl, args, { maxBuffer: MAX_SBOM_BYTES }).then(
      (r) => r.stdout,
      (cause: unknown) => {
        throw new PortcullisError(
          'IO',
          `${flags.kubectl} ${args.join(' ')} failed: ${(cause as Error).message}`,
          {
            cause,
          },
        );
      },
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new PortcullisError('INVALID_ARGUMENT', 'the pod list is not JSON (kubectl get pods -o json)', {
      cause,
    });
  }
}

export function registerK8sCommands(program: Command, runtime: CliRuntime): void {
  const k8s = program.command('k8s').description(commandSummary('k8s'));
  const cmd = k8s
    .command('policy-report')
    .description("evaluate a namespace's running images and print a PolicyReport (wgpolicyk8s.io/v1alpha2)")
    .requiredOption('-n, --namespace <namespace>', 'the namespace whose pods are evaluated')
    .option(
      '--pods <file>',
      'read `kubectl get pods -o json` output from this file (- = stdin) instead of running kubectl',
    )
    .option('--kubectl <path>', 'the kubectl to run', 'kubectl')
    .option('--kubeconfig <file>', 'the kubeconfig kubectl uses (default: its own)')
    .option(
      '--policy <bundle>',
      'policy bundle: a JSON file (Anchore format 1_0) or builtin:<name>',
      'builtin:reject-critical',
    )
    .option('--registry <host>', 'the registry host --username/--password are for (never sent elsewhere)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .option('--file <path>', 'write the report to this file instead of stdout');
  addFindingsFlags(addDatabaseFlags(addAnalyzeFlags(addImageFlags(cmd)))).action(
    async (_o: unknown, c: Command) => {
      const flags = allFlags<PolicyReportFlags>(c);
      const bundle = await resolveBundle(flags.policy);
      const images = runningImages(parsePodList(await readPods(flags), 'the pod list'), flags.namespace);
      const options = await findingsOptions(flags);
      const database = await openVulnerabilityDatabase(flags, flags.cacheDir ?? defaultCacheDir());
      const outcomes: ImageOutcome[] = [];
      try {
        for (const image of images) outcomes.push(await evaluateImage(image));
      } finally {
        await database.close();
      }
      const report = buildPolicyReport(flags.namespace, outcomes, bundle.name ?? bundle.id, new Date());
      const text = flags.output === 'json' ? `${JSON.stringify(report, null, 2)}\n` : toYaml(report);
      if (flags.file)
        await writeFile(flags.file, text).catch((cause: unknown) => {
          throw new PortcullisError('IO', `cannot write the report to ${flags.file ?? ''}`, { cause });
        });
      else process.stdout.write(text);

      async function evaluateImage(image: RunningImage): Promise<ImageOutcome> {
        const source = `registry:${image.reference}`;
        // Credentials only for the registry they were given for.
        const bound = flags.registry !== undefined && registryHost(source) === flags.registry;
        try {
          const result = await withImageOptions(
            bound ? flags : { ...flags, username: undefined, password: undefined },
            async (env, imageRequest) =>
              evaluate({
                ...(await analyzeRequest(source, flags, env, imageRequest, runtime)),
                ...options,
                data: database.data,
                bundle,
                tags: [image.image.includes('@') ? image.reference : image.image],
              }),
            runtime.signal,
            bound ? source : undefined,
          );
          return { ...image, decision: result.decision, findings: result.stage.findings };
        } catch (err) {
          if (isPortcullisError(err) && FATAL.has(err.code)) throw err;
          runtime.observer.warning?.(`${image.reference}: ${(err as Error).message}`);
          return { ...image, error: (err as Error).message };
        }
      }
    },
  );
}
